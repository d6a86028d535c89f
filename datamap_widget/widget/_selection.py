"""``w.select(...)``: what a user hands the widget to select, turned into map positions.

Accepted: ids (list, array, pandas Index, a Series' values, one scalar id), a boolean mask
(one value per example, by position), a boolean Series (a mask over ids: its index), or a
DataFrame (its index holds the ids, e.g. ``issues[issues.flagged]``); None selects nothing.
Anything that names an example the run does not have is refused before the selection changes:
a silently shorter selection would look like a complete one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget.widget._sync import wire_array


def _ids_of(selection, n: int):
    """(ids as a 1-D array, or positions when given a positional mask; where they came from)."""
    if isinstance(selection, pd.DataFrame):
        return selection.index.to_numpy(), "the DataFrame's index", None
    if isinstance(selection, pd.Series):
        if selection.dtype == bool:
            if not selection.index.is_unique:
                dup = selection.index[selection.index.duplicated()].unique()[:5].tolist()
                raise ValueError(
                    f"w.select: the boolean Series' index repeats ids (e.g. {dup}); a boolean "
                    "Series is read as a mask over ids (its index), one value per id"
                )
            return selection.index.to_numpy()[selection.to_numpy()], "the boolean Series", None
        return selection.to_numpy(), "the Series' values", None
    if isinstance(selection, (bool, np.bool_)):
        raise TypeError(
            "w.select: a single True/False is not a selection; pass ids, a boolean mask with "
            f"one value per example ({n}), or None to clear"
        )
    if isinstance(selection, (str, bytes, int, np.integer)):
        return np.asarray([selection]), "the id given", None
    values = np.asarray(list(selection) if isinstance(selection, (set, frozenset)) else selection)
    if values.ndim != 1:
        raise ValueError(
            f"w.select: ids must be 1-D (a list, array or Index), got shape {values.shape}"
        )
    if values.dtype == bool:
        if values.shape[0] != n:
            raise ValueError(
                f"w.select: a boolean mask needs one value per example ({n}), got "
                f"{values.shape[0]}; pass a boolean Series indexed by id to select by id"
            )
        return None, "the boolean mask", np.flatnonzero(values)
    return values, "the ids given", None


def selection_positions(selection, run_index: pd.Index) -> np.ndarray:
    """Ascending, unique int64 positions of ``selection`` in the run (see the module doc).

    Raises ValueError (counts, examples and the fix) when any id is unknown, and TypeError
    for something that is no selection; nothing is selected then.
    """
    n = len(run_index)
    if selection is None:
        return np.zeros(0, np.int64)
    ids, where, positions = _ids_of(selection, n)
    if positions is None:
        if ids.size == 0:
            return np.zeros(0, np.int64)
        if ids.dtype.kind == "f" and np.isnan(ids).any():
            raise ValueError(f"w.select: {where} holds NaN, which is no example id")
        positions = run_index.get_indexer(pd.Index(ids).unique())
        unknown = positions < 0
        if unknown.any():
            missing = pd.Index(ids).unique()[unknown]
            raise ValueError(
                f"w.select: {len(missing)} of {len(pd.Index(ids).unique())} ids from {where} "
                f"are not examples of this map (e.g. {missing[:5].tolist()}); the map's ids "
                f"look like {run_index[:3].tolist()}. Nothing was selected: pass the ids the "
                "run was recorded with (w.dynamics.ids)"
            )
    return np.unique(np.asarray(positions, dtype=np.int64))


def selection_value(positions: np.ndarray, request: int) -> dict:
    """The ``_selection`` trait value the page reads (js/src/selection_sync.js): int32 positions
    as one binary frame, plus ``from_python``, a number that changes with every ``w.select`` so
    the page opens its review list even on the same selection again."""
    raw = wire_array(positions, "int32")
    return {
        "dtype": "int32",
        "shape": [int(raw.size)],
        "buffer": raw.tobytes(),
        "from_python": int(request),
    }
