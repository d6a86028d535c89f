"""``DataMapWidget(dynamics=td, compare=other)``: a second run of the same examples, side by side.

``other`` is, e.g., the in-sample map of a cross-fitted run (``td.in_sample``) or the run before
cleaning. Examples are matched by id. The page draws the shown run's examples only, so the
other run's arrays travel reindexed to the shown run's positions (an example the other run
lacks gets NaN: it is not drawn, picked or selected there); examples only in the other run are
counted and named in ``_compare_info`` and listed by :func:`compare_metrics`. The other run's
epochs travel like the shown run's (``_sync``): the newest in the ``_compare_epoch`` trait (one
comm message, O(N) bytes), older ones answered to the page's ``request_epochs`` with
``run: "compare"``; both runs may grow while training.
"""

from __future__ import annotations

import os
import pathlib
import warnings

import numpy as np
import pandas as pd

from datamap_widget.widget._sync import array_state, epoch_arrays, epoch_state, history_messages

LISTENER_KEY = "DataMapWidget.compare"
_FILL = {"p_gold": np.nan, "pred": 0, "correct": 0}


def default_names(main, other, given, folder=None) -> list[str]:
    """Display names of the two runs: given, else held-out / in-sample, else by folder."""
    if given is not None:
        names = [str(n) for n in given]
        if len(names) != 2:
            raise ValueError(f"compare_names must name the two runs, got {len(names)} names")
        return names
    if other is getattr(main, "in_sample", None):
        return ["held-out", "in-sample"]
    path = folder or getattr(other, "path", None)
    return ["this run", pathlib.Path(path).name if path else "other run"]


def check_comparable(main, other) -> None:
    """The two runs must map the same task and classes (else their maps mean different things)."""
    problems = []
    if other.task != main.task:
        problems.append(f"task {other.task!r} vs {main.task!r}")
    if int(other.n_classes) != int(main.n_classes):
        problems.append(f"{other.n_classes} vs {main.n_classes} classes/labels")
    a, b = main.label_names, other.label_names
    if a is not None and b is not None and [str(x) for x in a] != [str(x) for x in b]:
        problems.append(f"label names {list(b)[:5]} vs {list(a)[:5]}")
    if problems:
        raise ValueError(
            "compare= must be a run of the same task and classes as the shown one (compared "
            "vs shown): " + "; ".join(problems)
        )


class AlignedRun:
    """The other run seen through the shown run's positions: what ``_sync`` reads, reindexed."""

    def __init__(self, main, other):
        self.other = other
        main_ids, other_ids = np.asarray(main.ids), np.asarray(other.ids)
        self.n_examples = int(main.n_examples)
        same = main_ids.shape == other_ids.shape and np.array_equal(main_ids, other_ids)
        other_index = pd.Index(other_ids)
        self.take = None if same else other_index.get_indexer(main_ids)  # -1: only shown here
        self.only_here = np.zeros(0, np.int64) if same else np.flatnonzero(self.take < 0)
        self.only_there_ids = (
            other_ids[:0] if same else other_ids[~other_index.isin(pd.Index(main_ids))]
        )
        matched = self.n_examples - self.only_here.size
        if matched == 0:
            raise ValueError(
                f"compare= shares no example id with the shown run (its ids look like "
                f"{other_ids[:3].tolist()}, the shown run's like {main_ids[:3].tolist()}); "
                "compare two runs of the same examples"
            )

    @property
    def n_epochs(self) -> int:
        return int(self.other.n_epochs)

    def align(self, array: np.ndarray, fill) -> np.ndarray:
        """(E, M) columns of the other run -> (E, N) columns of the shown run (``fill``: absent)."""
        if self.take is None:
            return array
        out = np.full((array.shape[0], self.n_examples), fill, dtype=array.dtype)
        found = self.take >= 0
        out[:, found] = array[:, self.take[found]]
        return out

    def gold_probabilities(self, label=None) -> np.ndarray:
        return self.align(self.other.gold_probabilities(label=label), np.nan)

    def predictions(self, label=None) -> np.ndarray:
        return self.align(self.other.predictions(label=label), 0)

    def correct(self, label=None) -> np.ndarray:
        return self.align(self.other.correct(label=label), False)

    def newest_arrays(self, label, pred_dtype: str) -> dict:
        """The newest epoch as (1, N) wire arrays, O(N) (the engine's fast path, then reindexed)."""
        e = self.n_epochs
        arrays = epoch_arrays(self.other, label, e - 1, e, pred_dtype)
        return {k: self.align(v, _FILL[k]) for k, v in arrays.items()}

    def gold(self, label=None) -> bytes:
        """The other run's gold class per shown example (uint16; 65535: not in the other run)."""
        gold = np.asarray(self.other.gold(label=label)).astype(np.int64)[None]
        return self.align(gold, 65535)[0].astype("<u2").tobytes()

    def info(self, names) -> dict:
        """The ``_compare_info`` value: names, counts, and which examples each run lacks."""
        missing = self.only_here.astype("<i4")
        return {
            "names": list(names),
            "matched": int(self.n_examples - missing.size),
            "only_here": int(missing.size),
            "only_there": int(self.only_there_ids.size),
            "only_there_ids": [str(i) for i in self.only_there_ids[:10].tolist()],
            "missing": array_state(missing),
        }


class CompareLink:
    """Keeps a widget's page copy of the other run up to date: the trait values for the shown
    label, the newest epoch as it is logged (an epoch listener that never raises into
    training), and the answers to the page's requests for the epochs it lacks."""

    def __init__(self, widget, other, names):
        self.widget = widget
        self.dynamics = other
        self.run = AlignedRun(widget.dynamics, other)
        self.names = names
        other.add_epoch_listener(self.on_epoch, key=LISTENER_KEY)

    def label_state(self, shown: str) -> dict:
        """Synced values of the other run that depend on the shown label."""
        key = self.widget._engine_label(shown)
        return {"_compare_epoch": self.newest(shown), "_compare_gold": self.run.gold(key)}

    def newest(self, shown: str) -> dict:
        if self.run.n_epochs == 0:
            return {}
        key = self.widget._engine_label(shown)
        arrays = self.run.newest_arrays(key, self.widget._pred_dtype)
        return epoch_state(self.run.n_epochs, shown, arrays)

    def on_epoch(self, _td=None) -> None:
        widget = self.widget
        try:
            with widget._lock:
                widget._compare_epoch = self.newest(widget.label)
        except Exception as exc:  # the training loop must never fail because of the display
            warnings.warn(
                f"DataMapWidget could not update the compared run: {exc!r}",
                RuntimeWarning,
                stacklevel=2,
            )

    def answer(self, content: dict) -> None:
        """The page lacks epochs first..stop-1 of the other run: send them (chunked)."""
        widget = self.widget
        try:
            with widget._lock:
                shown = widget.label
                if content.get("label", shown) != shown:
                    return
                n = self.run.n_epochs
                first = max(1, int(content.get("first", 1)))
                stop = min(n + 1, int(content.get("stop", n + 1)))
                key = widget._engine_label(shown)
                messages = list(
                    history_messages(self.run, key, shown, first, stop, widget._pred_dtype)
                )
            for message, buffers in messages:
                widget.send({**message, "run": "compare"}, buffers)
        except Exception as exc:  # a bad request must not break the kernel's message loop
            warnings.warn(
                f"DataMapWidget could not send the compared run's history: {exc!r}",
                RuntimeWarning,
                stacklevel=2,
            )

    def close(self) -> None:
        remove = getattr(self.dynamics, "remove_epoch_listener", None)
        if remove is not None:
            remove(self.on_epoch)


def resolve_compare(main, compare):
    """The run ``compare=`` names (a TrainingDynamics or a saved run's folder), checked against
    the shown run ``main``; None when there is none."""
    if compare is None:
        return None
    if isinstance(compare, (str, os.PathLike)):
        from datamap_widget.widget._run import load_run

        compare = load_run(compare)
    needed = ("gold_probabilities", "ids", "metrics", "add_epoch_listener")
    missing = [m for m in needed if not hasattr(compare, m)]
    if missing:
        raise TypeError(
            f"compare= must be a TrainingDynamics or a saved run's folder (got "
            f"{type(compare).__name__} without {missing})"
        )
    if compare is main:
        raise ValueError("compare= is the shown run itself; pass another run of the same examples")
    check_comparable(main, compare)
    AlignedRun(main, compare)  # refuses runs without a shared id
    return compare


def compare_metrics(main, other, names, *, epochs=None, label=None) -> pd.DataFrame:
    """Both runs' maps side by side, one row per id of either run (see
    ``DataMapWidget.compare_metrics``)."""
    cols = ["confidence", "variability", "correctness", "region"]
    here = main.metrics(epochs=epochs, label=label)[cols]
    there = other.metrics(epochs=epochs, label=label)[cols]
    frame = here.join(there.add_suffix("_other"), how="outer", sort=False)
    order = here.index.append(there.index[~there.index.isin(here.index)])
    frame = frame.reindex(order)
    frame.index.name = "id"
    frame["in_run"] = frame.index.isin(here.index)
    frame["in_other_run"] = frame.index.isin(there.index)
    frame["moved"] = np.hypot(
        frame.variability - frame.variability_other, frame.confidence - frame.confidence_other
    )
    frame.attrs["names"] = list(names)
    return frame


class Comparing:
    """``compare=``: the compared run and both maps side by side (``compare_metrics``)."""

    @property
    def compare(self):
        """The compared run (``compare=``), a :class:`TrainingDynamics`, or None."""
        return None if self._other is None else self._other.dynamics

    def compare_metrics(self, epochs=None, label=None) -> pd.DataFrame:
        """Both runs' maps side by side, one row per example id of either run.

        Columns: confidence, variability, correctness, region of the shown run and the same with
        ``_other`` for the compared one (missing where a run lacks the example), ``in_run`` /
        ``in_other_run``, and ``moved``: how far the example lies from its place on the other
        run's map (Euclidean, in (variability, confidence)). Rows: the shown run's ids in its
        order, then the ids only the compared run has. ``epochs``: the maps after that many
        epochs of each run (default: all each has logged).

        Examples
        --------
        >>> moved = w.compare_metrics().sort_values("moved", ascending=False)
        >>> w.select(moved.head(100))  # the 100 examples that moved most, listed in the page
        """
        if self._other is None:
            raise ValueError("this widget compares no runs: pass compare= to DataMapWidget")
        return compare_metrics(
            self._dynamics,
            self._other.dynamics,
            self._other.names,
            epochs=epochs,
            label=self._label_key(label),
        )
