"""Training subsets as Dataset Cartography selects them (Swayamdipta et al. 2020, section 5).

The paper trains on a share of the data picked by one metric: the 33% most ambiguous (highest
variability), hard-to-learn (lowest confidence) or easy-to-learn (highest confidence) examples.
Conventions of the reference code (allenai/cartography, ``selection/train_dy_filtering.py``,
``write_filtered_data``) and where ours differ:

- Which end comes first: variability, threshold_closeness and forgetfulness highest first;
  confidence and correctness lowest first (``consider_ascending_order``). Ours: the same, and
  aum lowest first (Pleiss et al. rank low margins as likely mislabeled). The reference's
  ``--worst`` flag reverses the order; here the easy-to-learn share (``--metric confidence
  --worst``) is ``region="easy-to-learn"`` with ``fraction=``.
- How many: the reference writes ``int(fraction * N) + 1`` rows (floor, then ``head(n + 1)``);
  we take ``round(fraction * N)``, as ``metrics(regions="quantiles")`` does, so a third of 300
  examples is 100, never 101. The two agree or ours has one row fewer.
- Ties: the reference sorts with pandas' default (unstable) quicksort, so which tied examples
  make the cut is arbitrary; ours is a stable sort, so ties keep dataset (id) order.
- A share is of all examples, each metric on its own (the paper's subsets may overlap), unlike
  the quantile *regions* of the map, which are exclusive.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from datamap_widget._rows import row_ids, run_positions, take_rows
from datamap_widget._stats import REGIONS

__all__ = ["RANKINGS", "REGION_RANKINGS", "subset", "subset_of"]

RANKINGS = {
    "variability": False,
    "confidence": True,
    "correctness": True,
    "forgetfulness": False,
    "threshold_closeness": False,
    "aum": True,
}
"""Metric -> ascending: the paper's order, the end it trains on first."""
REGION_RANKINGS = {
    "ambiguous": ("variability", False),
    "hard-to-learn": ("confidence", True),
    "easy-to-learn": ("confidence", False),
}
"""Region -> (metric, ascending): the order of ``td.ambiguous()``, ``td.hard()``, ``td.easy()``."""


def _check_fraction(fraction):
    if fraction is None:
        return None
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise TypeError(f"fraction must be a number in (0, 1] such as 0.33, got {fraction!r}")
    fraction = float(fraction)
    if not 0.0 < fraction <= 1.0:
        hint = " (a share, not a percentage: 0.33 for 33%)" if 1.0 < fraction <= 100.0 else ""
        raise ValueError(f"fraction must lie in (0, 1]{hint}, got {fraction}")
    return fraction


def _ranking(region, by):
    """(metric, ascending) that orders the subset; ValueError for a bad or conflicting choice."""
    if region is not None and region not in REGION_RANKINGS:
        raise ValueError(f"region must be one of {list(REGIONS)} or None, got {region!r}")
    if by is not None and by not in RANKINGS:
        raise ValueError(f"by must be one of {list(RANKINGS)}, got {by!r}")
    if region is None:
        metric = "variability" if by is None else by
        return metric, RANKINGS[metric]
    metric, ascending = REGION_RANKINGS[region]
    if by is not None and by != metric:
        end = "lowest" if ascending else "highest"
        raise ValueError(
            f"region={region!r} is ranked by {metric} ({end} first), not by {by!r}: drop by=, "
            f"or drop region= to rank every example by {by}"
        )
    return metric, ascending


def subset(td, region=None, *, fraction=None, by=None, label=None, epochs=None) -> pd.Index:
    """Ids of a training subset, in the paper's order; see ``TrainingDynamics.subset``."""
    fraction = _check_fraction(fraction)
    metric, ascending = _ranking(region, by)
    if region is None and fraction is None:
        raise ValueError(
            "pass region= (one of the map's regions) or fraction= (a share of every example, "
            'e.g. fraction=0.33 for the 33% most ambiguous, by="variability")'
        )
    frame = td.metrics(epochs=epochs, label=label)
    if metric not in frame:
        raise ValueError(f"by={metric!r} needs epochs logged with logits=True (the margins)")
    values = frame[metric].to_numpy(np.float64)
    if np.isnan(values).any():
        raise ValueError(
            "the map has no epochs yet (none logged, or epochs=0): log at least one epoch"
        )
    if fraction is None:
        keep = np.flatnonzero((frame["region"] == region).to_numpy())
        values = values[keep]
    else:
        keep = np.arange(values.shape[0])
    order = np.argsort(values if ascending else -values, kind="stable")  # ties: dataset order
    if fraction is not None:
        order = order[: round(fraction * values.shape[0])]
    return pd.Index(frame.index[keep[order]], name="id")


def subset_of(
    td, data, region=None, *, fraction=None, by=None, label=None, epochs=None, id_column=None
):
    """Rows of ``data`` in the subset, in its order; see ``TrainingDynamics.subset_of``."""
    ids = subset(td, region, fraction=fraction, by=by, label=label, epochs=epochs)
    data_ids, where = row_ids(data, id_column)
    positions = run_positions(data_ids, where, td._index, td.ids, "the run")
    row_of = np.full(td.n_examples, -1, np.int64)
    row_of[positions] = np.arange(positions.shape[0])
    rows = row_of[td._index.get_indexer(ids)]
    absent = rows < 0
    if absent.any():
        raise ValueError(
            f"{int(absent.sum())} of the {rows.shape[0]} examples in the subset are not in data "
            f"(e.g. ids {ids[absent][:5].tolist()}, matched by {where}); pass the data the run "
            "was recorded on"
        )
    return take_rows(data, rows)
