"""Training dynamics: per-epoch model outputs in, data-map coordinates out.

Pure numpy/pandas (no widget imports), so it can record a run in any script. Definitions follow
Swayamdipta et al. (2020) and their reference code (allenai/cartography):

- confidence: mean over epochs of p(gold);
- variability: population standard deviation (ddof=0) of p(gold) over epochs;
- correctness: fraction of epochs in which the example was correct, where correct means
  argmax == gold (multiclass) and p(gold) >= 0.5 (binary, and each label of multilabel);
- forgetfulness: number of correct -> incorrect transitions between consecutive epochs (Toneva
  et al. 2019); examples never learned get ``inf``, Toneva et al.'s convention that ranks them as
  the most forgettable and keeps them apart from learned-and-never-forgotten examples (0);
- threshold_closeness: confidence * (1 - confidence);
- aum (only when logits were logged): mean over epochs of gold logit minus largest other logit
  (Pleiss et al. 2020).
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd

from datamap_widget import persistence
from datamap_widget._batches import PendingEpoch
from datamap_widget._classes import ambiguous_order_error, column_order
from datamap_widget._ids import IdLookup, id_type_hint
from datamap_widget._labels import ids_from_index, normalize_ids, normalize_labels
from datamap_widget._outputs import EpochRecord, convert, pred_dtype
from datamap_widget._stats import REGIONS, RunningStats, metrics_frame
from datamap_widget._storage import EpochHistory
from datamap_widget._validation import (
    check_bool,
    check_int,
    check_threshold,
    is_correct,
    label_index,
    predicted_class,
)

__all__ = ["REGIONS", "TrainingDynamics"]


def _reduced_array(values, shape: tuple, name: str, dtype) -> np.ndarray:
    """``values`` as an array of ``shape`` (one entry per example, or per example and label)."""
    values = np.asarray(values, dtype=dtype)
    if values.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape}, got {values.shape}; nothing was recorded"
        )
    return values


def _all_hard(p_gold: np.ndarray) -> bool:
    """True when every p(gold) is exactly 0 or 1 (a quick look at the head first: O(1) usually)."""
    flat = p_gold.reshape(-1)
    head = flat[:256]
    return bool(((head == 0) | (head == 1)).all() and ((flat == 0) | (flat == 1)).all())


class TrainingDynamics:
    """Per-example training dynamics of one run, and the data map derived from them.

    Parameters
    ----------
    labels : gold labels of the N training examples. Binary: 0/1 or bools. Multiclass: class
        indexes. Either: class names (strings, a pandas Categorical, a Hugging Face string or
        ``ClassLabel`` column), ordered as ``label_names``, else the categories, else sorted.
        Multilabel: N x L multi-hot (a DataFrame's columns name the labels), or lists of label
        indexes (with ``label_names`` or a ``Sequence(ClassLabel)`` column) or label names.
    ids : unique example ids (ints or strings). Default: the index of a pandas ``labels``
        (so ``df.loc[td.hard().index]`` finds the right rows), unless it is 0..N-1; else
        ``0..N-1``. Results are indexed by the ids, in an index named ``id``.
    label_names : class names (binary/multiclass) or label names (multilabel); a dict
        ``{index: name}`` such as ``model.config.id2label`` is read in index order.
    task : "binary", "multiclass" or "multilabel"; inferred from labels when None.
    n_classes : multiclass only, when ``label_names`` is not given and some classes never
        occur in ``labels`` (default: largest label + 1).
    variability_threshold, confidence_threshold : region boundaries, see ``metrics``.
        Defaults 0.2 and 0.5. Variability of a p(gold) in [0, 1] is at most 0.5; 0.2 is what a
        trajectory swinging between 0.3 and 0.7, across the decision boundary, reaches.
        Confidence 0.5 is even odds for the gold label: below it the model mostly prefers
        another label. Fixed thresholds (rather than the paper's top/bottom 33% quantiles)
        keep regions stable while training: a point changes region only when it moves.
    path : on-disk mode. Each finished epoch is appended durably under this directory, so a
        crash loses at most the epoch in progress; if it already holds a run with the same
        labels and ids, that run is resumed.
    """

    def __init__(
        self,
        labels,
        *,
        ids=None,
        label_names=None,
        task=None,
        n_classes=None,
        variability_threshold=0.2,
        confidence_threshold=0.5,
        path=None,
        _unsorted_names=False,
    ):
        task, gold, names, c, unsorted = normalize_labels(labels, task, label_names, n_classes)
        unsorted = unsorted or bool(_unsorted_names)  # a saved run's labels are indexes
        if ids is None:
            ids = ids_from_index(labels, gold.shape[0])
        self._ids, self._index = normalize_ids(ids, gold.shape[0])
        self._lookup = IdLookup(self._ids, self._index)
        self._variability_threshold = check_threshold(
            variability_threshold, "variability_threshold", 0.5
        )
        self._confidence_threshold = check_threshold(
            confidence_threshold, "confidence_threshold", 1
        )
        gold.flags.writeable = False
        self._task, self._gold, self._label_names, self._n_classes = task, gold, names, c
        self._unsorted_names = unsorted  # outputs need classes= (see _classes)
        self._output_order = self._output_classes = None
        self._history = EpochHistory(gold, task)
        self._stats = RunningStats(gold.shape)
        self._logits = None  # fixed by the first epoch: every epoch is logged the same way
        self._pending = None
        self._listeners = []
        self._lock = threading.Lock()
        self._path = None
        self._held_out = False
        self._loaded_from = None  # folder of a run loaded into memory (not written to)
        self._said_not_written = False
        if path is not None:
            existing, records = persistence.open_run(path, self._header())
            for record in records:
                self._append(record)
            self._path = path
            if existing is not None:
                self._held_out = existing["held_out"]
                self._attach_saved_in_sample(path, on_disk=True)

    # ----------------------------------------------------------------- description
    @property
    def task(self) -> str:
        return self._task

    @property
    def n_examples(self) -> int:
        return int(self._gold.shape[0])

    @property
    def n_epochs(self) -> int:
        return len(self._history)

    @property
    def n_classes(self) -> int:
        """2 for binary, C for multiclass, L (number of labels) for multilabel."""
        return self._n_classes

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    @property
    def label_names(self):
        return None if self._label_names is None else list(self._label_names)

    @property
    def classes(self) -> list:
        """The map's classes in class-index order: the class names, else the indexes 0..C-1.

        Output column i is read as class ``classes[i]`` unless ``classes=`` says otherwise.
        Multilabel: the labels.
        """
        if self._label_names is not None:
            return list(self._label_names)
        return list(range(self._n_classes))

    @property
    def output_classes(self):
        """The class of each output column for logs made without ``classes=`` (None: the
        map's order, ``classes``). Set it once when outputs reach the run through an object
        that cannot pass ``classes=`` (an integration's logger), e.g. ``td.output_classes =
        clf.classes_``."""
        return self._output_classes

    @output_classes.setter
    def output_classes(self, value) -> None:
        order = None if value is None else self._column_order(value)
        self._output_order = order
        self._output_classes = None if value is None else list(np.asarray(value).tolist())

    @property
    def path(self):
        """Directory of the on-disk run, or None for an in-memory run (``resume`` opens a
        saved run for appending)."""
        return self._path

    @property
    def loaded_from(self):
        """The folder a run was read from by ``load`` (not written to), else None."""
        return self._loaded_from

    @property
    def held_out(self) -> bool:
        """True for a cross-fitted (held-out) map: every example was scored by a model that did
        not train on it. Plain runs are in-sample (False)."""
        return self._held_out

    @property
    def variability_threshold(self) -> float:
        return self._variability_threshold

    @variability_threshold.setter
    def variability_threshold(self, value) -> None:
        self._variability_threshold = check_threshold(value, "variability_threshold", 0.5)

    @property
    def confidence_threshold(self) -> float:
        return self._confidence_threshold

    @confidence_threshold.setter
    def confidence_threshold(self, value) -> None:
        self._confidence_threshold = check_threshold(value, "confidence_threshold", 1)

    def __getstate__(self) -> dict:
        """Pickle/deepcopy without the lock and the listeners (views belong to one process)."""
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_listeners"] = []
        state.pop("_keyed_listeners", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"TrainingDynamics(task={self._task!r}, n_examples={self.n_examples}, "
            f"n_classes={self._n_classes}, n_epochs={self.n_epochs})"
        )

    # ----------------------------------------------------------------- logging
    def log_epoch(self, outputs, logits=False, classes=None) -> None:
        """Record one full pass: row i of ``outputs`` belongs to example ``ids[i]``.

        Binary: (N,) p(class 1), or (N, 2). Multiclass: (N, C). Multilabel: (N, L) independent
        per-label probabilities. With ``logits=True`` softmax (multiclass, binary with two
        columns) or sigmoid (binary with one column, multilabel) is applied.

        ``classes``: the class of each output column, as class names or indexes (e.g.
        ``clf.classes_``, whose order is sorted); the columns are reordered to the map's
        classes, and classes a model never saw get probability 0. Default: column i is class
        ``self.classes[i]`` (or ``output_classes`` when set). Runs whose labels were class
        names in an unsorted order (``label_names``, a Categorical's categories) need it:
        scikit-learn would order the columns differently, so guessing could invert the map.
        """
        if self._pending is not None:
            raise ValueError(
                "batches of an unfinished epoch are pending: call end_epoch() or "
                "discard_pending() before log_epoch()"
            )
        self._check_logits_kind(logits)
        order = self._order_for(classes)
        record = convert(outputs, self._gold, self._task, self._n_classes, logits, order)
        self._commit(record, logits)

    def log_batch(self, ids, outputs, logits=False, classes=None) -> None:
        """Record one batch of the epoch in progress, keyed by example id (any order).

        A bad batch raises and is dropped whole; batches accepted before it are kept. Ids that
        are unknown, repeated within the batch or already logged this epoch are errors. Every
        check is O(batch size), so logging each training batch costs microseconds.
        ``classes``: the class of each output column, as for ``log_epoch``.
        """
        self._check_logits_kind(logits)
        pending = self._pending
        if pending is not None and logits != pending.logits:
            raise ValueError(
                f"this epoch's earlier batches were logged with "
                f"logits={pending.logits}; log every batch the same way"
            )
        order = self._order_for(classes)
        positions = self.index_of(ids)
        self._check_not_repeated(positions, pending)
        gold = self._gold[positions]
        record = convert(outputs, gold, self._task, self._n_classes, logits, order)
        if pending is None:
            pending = PendingEpoch(self.n_examples, record, bool(logits))
        pending.add(positions, record)
        self._pending = pending

    def _column_order(self, classes):
        return column_order(classes, self._task, self._label_names, self._n_classes)

    def _order_for(self, classes):
        """Column permutation for one log call (None: as is); refuses to guess an order."""
        if classes is not None:
            return self._column_order(classes)
        if self._output_classes is not None:
            return self._output_order
        if self._unsorted_names:
            raise ambiguous_order_error(self._label_names, "from label_names or a Categorical")
        return None

    def _check_not_repeated(self, positions: np.ndarray, pending) -> None:
        """Refuse ids repeated within the batch or already logged this epoch, in O(batch)."""
        ordered = np.sort(positions)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if repeated.size:
            dup = self._ids[np.unique(repeated)]
            raise ValueError(
                f"{dup.size} ids appear more than once in this batch "
                f"(e.g. {dup[:5].tolist()}); the batch was not recorded"
            )
        if pending is not None:
            again = positions[pending.seen[positions]]
            if again.size:
                raise ValueError(
                    f"{again.size} ids of this batch were already logged this epoch "
                    f"(e.g. {self._ids[again[:5]].tolist()}); the batch was not "
                    "recorded"
                )

    def end_epoch(self) -> None:
        """Commit the batches logged since the last epoch as one epoch.

        Every example must have been logged exactly once (repeats are already refused by
        ``log_batch``). If some are missing a ValueError says how many, with a few of their ids,
        and the pending batches are kept: log the missing ones and call ``end_epoch()`` again,
        or call ``discard_pending()`` to start the epoch over.
        """
        pending = self._pending
        if pending is None:
            raise ValueError(
                "no batches were logged since the last epoch; call log_batch() "
                "first (or log_epoch() for a full pass)"
            )
        missing = np.flatnonzero(~pending.seen)
        if missing.size:
            raise ValueError(
                f"epoch incomplete: {missing.size} of {self.n_examples} examples "
                f"were not logged (e.g. ids {self._ids[missing[:5]].tolist()}). "
                "Log them with log_batch() and call end_epoch() again, "
                "or call discard_pending() to start the epoch over"
            )
        self._commit(pending.record(), pending.logits)
        self._pending = None

    def discard_pending(self) -> int:
        """Drop the batches of the unfinished epoch; returns how many were dropped."""
        dropped = 0 if self._pending is None else self._pending.n_batches
        self._pending = None
        return dropped

    @property
    def n_pending(self) -> int:
        """Number of examples logged so far in the unfinished epoch."""
        return 0 if self._pending is None else int(self._pending.seen.sum())

    def log_reduced_epoch(self, p_gold, predicted=None, margin=None) -> None:
        """Record one full pass already reduced to what the map keeps, rows in id order.

        For loggers that reduce outputs where they are computed (``DataMapLogger`` on a GPU
        moves ~10 bytes per example instead of the outputs). ``p_gold``: (N,), or (N, L) for
        multilabel, in [0, 1]. ``predicted``: (N,) argmax class, multiclass only (required
        there). ``margin``: gold logit minus the largest other logit, same shape as ``p_gold``,
        when the outputs were logits (the epoch then counts as logged with ``logits=True``).
        """
        if self._pending is not None:
            raise ValueError(
                "batches of an unfinished epoch are pending: call end_epoch() or "
                "discard_pending() before log_reduced_epoch()"
            )
        logits = margin is not None
        self._check_logits_kind(logits)
        p_gold = _reduced_array(p_gold, self._gold.shape, "p_gold", np.float32)
        if not (p_gold.min(initial=0) >= 0 and p_gold.max(initial=1) <= 1):  # NaN fails too
            self._check_reduced(~((p_gold >= 0) & (p_gold <= 1)), "p_gold outside [0, 1]")
        if logits:
            margin = _reduced_array(margin, self._gold.shape, "margin", np.float32)
            if not np.isfinite(margin.min(initial=0) + margin.max(initial=0)):
                self._check_reduced(~np.isfinite(margin), "margin NaN or inf")
        if (predicted is None) != (self._task != "multiclass"):
            raise ValueError(
                f"predicted classes are {'required' if predicted is None else 'only kept'} for "
                f"multiclass runs; this run is {self._task}"
            )
        if predicted is not None:
            predicted = _reduced_array(predicted, self._gold.shape, "predicted", None)
            if predicted.dtype.kind not in "iu":
                raise TypeError(f"predicted must hold class indexes, got dtype {predicted.dtype}")
            if not (predicted.min(initial=0) >= 0 and predicted.max(initial=0) < self._n_classes):
                outside = (predicted < 0) | (predicted >= self._n_classes)
                self._check_reduced(outside, f"predicted outside 0..{self._n_classes - 1}")
            predicted = predicted.astype(pred_dtype(self._n_classes), copy=False)
        self._commit(EpochRecord(p_gold, predicted, margin), logits)

    def _check_reduced(self, bad: np.ndarray, what: str) -> None:
        rows = np.flatnonzero(bad.reshape(bad.shape[0], -1).any(axis=1))
        if rows.size:
            raise ValueError(
                f"{rows.size} examples have {what} (e.g. ids {self._ids[rows[:5]].tolist()}); "
                "nothing was recorded"
            )

    def _check_logits_kind(self, logits) -> None:
        logits = check_bool(logits, "logits")
        if self._logits is not None and bool(logits) != self._logits:
            raise ValueError(
                f"earlier epochs were logged with logits={self._logits}; log every "
                "epoch the same way so that the metrics stay comparable"
            )

    def _commit(self, record: EpochRecord, logits: bool) -> None:
        if self._loaded_from is not None and self._path is None and not self._said_not_written:
            warnings.warn(
                f"this run was loaded from {str(self._loaded_from)!r} into memory: new epochs "
                "are not written there. To append to that folder, open it with "
                f"TrainingDynamics.resume({str(self._loaded_from)!r}) (or "
                "DataMapWidget(dynamics=folder, path=folder)); to keep them elsewhere, "
                "save(new_folder)",
                UserWarning,
                stacklevel=3,
            )
            self._said_not_written = True
        if not logits and _all_hard(record.p_gold):
            warnings.warn(
                "every output of this epoch is exactly 0 or 1: these look like hard "
                "predictions (e.g. clf.predict(X)), which give a map without "
                "confidence or variability. Log probabilities (clf.predict_proba(X)) "
                "or logits (logits=True) instead",
                UserWarning,
                stacklevel=3,
            )
        with self._lock:  # a view may read metrics() from another thread meanwhile
            if self._path is not None:  # durable first: if the write fails, nothing changes
                persistence.write_epoch(self._path, self.n_epochs + 1, record)
            self._append(record)
            self._logits = bool(logits)
        self._notify()

    def _append(self, record: EpochRecord) -> None:
        if self._logits is None:
            self._logits = record.margin is not None
        self._history.append(record)
        self._stats.update(record.p_gold, self._history.correct(record), record.margin)

    # ----------------------------------------------------------------- listeners
    def add_epoch_listener(self, fn, *, key=None) -> None:
        """Call ``fn(self)`` after every finished epoch; its exceptions become warnings.

        A listener added with a ``key`` replaces the one added earlier with the same key: a
        view created again (a re-run notebook cell) takes over instead of piling up.
        """
        if not callable(fn):
            raise TypeError(f"epoch listener must be callable, got {fn!r}")
        if key is not None:
            keyed = self.__dict__.setdefault("_keyed_listeners", {})
            self.remove_epoch_listener(keyed.get(key))
            keyed[key] = fn
        self._listeners.append(fn)

    def remove_epoch_listener(self, fn) -> None:
        """Stop calling ``fn``; does nothing if it was not registered."""
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _notify(self) -> None:
        for fn in list(self._listeners):
            try:
                fn(self)
            except Exception as exc:  # a broken view must never break training
                warnings.warn(
                    f"epoch listener {fn!r} raised {type(exc).__name__}: {exc}",
                    RuntimeWarning,
                    stacklevel=3,
                )

    # ----------------------------------------------------------------- accessors
    def index_of(self, ids) -> np.ndarray:
        """Positions (k,) of the given ids; ValueError naming unknown ids."""
        if hasattr(ids, "detach"):
            ids = ids.detach().cpu().numpy()
        query = np.atleast_1d(np.asarray(ids))
        if query.ndim != 1:
            raise ValueError(f"ids must be 1-D, got shape {query.shape}")
        if query.size == 0:
            return np.zeros(0, np.int64)
        if query.dtype.kind not in "iuUO" or query.dtype == bool:
            raise TypeError(f"ids must be ints or strings, got dtype {query.dtype}")
        positions = self._lookup.positions(query)
        unknown = positions < 0
        if unknown.any():
            shown = query[unknown][:5].tolist()
            raise ValueError(
                f"{int(unknown.sum())} unknown ids (e.g. {shown}); ids must be among the "
                "ids this TrainingDynamics was built with" + id_type_hint(shown, self._ids)
            )
        return positions

    def _column(self, label):
        """Multilabel: resolve a label name or index to a column; other tasks: None."""
        return label_index(label, self._task, self._label_names, self._n_classes)

    def _epochs(self, epochs):
        if epochs is None:
            return self.n_epochs
        epochs = check_int(epochs, "epochs")
        if not 0 <= epochs <= self.n_epochs:
            raise ValueError(f"epochs must lie in 0..{self.n_epochs} (epochs logged), got {epochs}")
        return int(epochs)

    def gold(self, label=None) -> np.ndarray:
        """(N,) gold class index (multilabel: 0/1 for the chosen label)."""
        col = self._column(label)
        if col is None:
            return self._gold
        return self._gold[:, col].astype(np.int64)

    def gold_probabilities(self, label=None) -> np.ndarray:
        """(E, N) float32 p(gold) per epoch (a new array)."""
        return self._history.stack(lambda r, g: r.p_gold, np.float32, self._column(label))

    def correct(self, label=None) -> np.ndarray:
        """(E, N) bool: argmax == gold (multiclass), p(gold) >= 0.5 (binary, multilabel)."""
        return self._history.stack(self._history.correct, bool, self._column(label))

    def predictions(self, label=None) -> np.ndarray:
        """(E, N) predicted class per epoch (binary/multilabel: 0/1, gold on an exact 0.5 tie)."""
        return self._history.stack(self._history.predicted, np.int64, self._column(label))

    def margins(self, label=None) -> np.ndarray:
        """(E, N) float32 gold logit minus largest other logit; needs logits to have been logged."""
        if not self._history.has_margin:
            raise ValueError("margins exist only when epochs were logged with logits=True")
        return self._history.stack(lambda r, g: r.margin, np.float32, self._column(label))

    def trajectory(self, id, label=None) -> pd.DataFrame:
        """One row per epoch for one example: p_gold, prediction, correct (+ margin)."""
        col = self._column(label)
        pos = int(self.index_of([id])[0])
        where = (pos,) if col is None else (pos, col)
        records = list(self._history)
        gold = int(self._gold[where])
        p_gold = np.array([r.p_gold[where] for r in records], np.float32)
        pred = (
            np.array([r.pred[pos] for r in records], np.int64)
            if self._task == "multiclass"
            else None
        )
        correct = is_correct(self._task, p_gold, pred, gold)
        prediction = predicted_class(self._task, p_gold, pred, gold).astype(np.int64)
        data = {"p_gold": p_gold, "prediction": prediction, "correct": correct}
        if self._history.has_margin:
            data["margin"] = np.array([r.margin[where] for r in records], np.float32)
        return pd.DataFrame(data, index=pd.RangeIndex(1, len(records) + 1, name="epoch"))

    # ----------------------------------------------------------------- the map
    def metrics(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """The data map: one row per example id, as it stood after the first ``epochs`` epochs.

        Columns: confidence, variability (ddof=0), correctness, forgetfulness (``inf`` if never
        learned), threshold_closeness, region, gold_label and predicted_label (the model's
        prediction at that epoch; missing before the first epoch), and aum when logits were
        logged. The two labels are Categoricals over the class names (class indexes when the
        run has no names; multilabel: "not <label>" / "<label>"), so
        ``df[df.gold_label != df.predicted_label]`` lists the examples the model disagrees with.

        ``region`` is a Categorical over ``REGIONS``. ``regions="thresholds"``: variability >=
        variability_threshold -> ambiguous; else confidence >= confidence_threshold ->
        easy-to-learn; else hard-to-learn. ``regions="quantiles"``: the paper's 33% subsets,
        by rank: the most variable third is ambiguous; of the others, those in the least
        confident third are hard-to-learn and those in the most confident third easy-to-learn;
        the rest get no region (missing). The latest map costs O(N); an earlier one
        (``epochs`` < n_epochs) replays history in O(epochs * N).
        """
        if regions not in ("thresholds", "quantiles"):
            raise ValueError(f"regions must be 'thresholds' or 'quantiles', got {regions!r}")
        col = self._column(label)
        with self._lock:
            k = self._epochs(epochs)
            if k == self.n_epochs:
                frame = metrics_frame(
                    self._stats,
                    self._index,
                    self._variability_threshold,
                    self._confidence_threshold,
                    col,
                    regions,
                )
                return self._add_labels(frame, k, col)
        frame = metrics_frame(
            self._replay(k, col),
            self._index,
            self._variability_threshold,
            self._confidence_threshold,
            None,
            regions,
        )
        return self._add_labels(frame, k, col)

    def _add_labels(self, frame: pd.DataFrame, k: int, col) -> pd.DataFrame:
        """Add the gold label and the prediction after epoch k, as Categoricals over the class names."""
        gold = self.gold(label=col) if col is not None else self._gold
        if col is not None:
            name = None if self._label_names is None else self._label_names[col]
            classes = [0, 1] if name is None else [f"not {name}", name]
        else:
            classes = (
                list(range(self._n_classes))
                if self._label_names is None
                else list(self._label_names)
            )
        if k == 0:
            predicted = np.full(gold.shape[0], -1, np.int64)
        else:
            record = self._history[k - 1]
            p = record.p_gold if col is None else record.p_gold[:, col]
            predicted = predicted_class(self._task, p, record.pred, gold).astype(np.int64)
        dtype = pd.CategoricalDtype(classes)
        frame["gold_label"] = pd.Categorical.from_codes(gold, dtype=dtype, validate=False)
        frame["predicted_label"] = pd.Categorical.from_codes(predicted, dtype=dtype, validate=False)
        return frame

    def _replay(self, k: int, col) -> RunningStats:
        """Statistics after the first k epochs, rebuilt from history in O(k N)."""
        stats = RunningStats(self._gold.shape[:1] if col is not None else self._gold.shape)
        gold = self._gold if col is None else self._gold[:, col]
        for record in self._history[:k]:
            p = record.p_gold if col is None else record.p_gold[:, col]
            margin = record.margin
            if margin is not None and col is not None:
                margin = margin[:, col]
            correct = is_correct(self._task, p, record.pred, gold)
            stats.update(p, correct, margin)
        return stats

    def _region(self, name, by, ascending, epochs, label, regions) -> pd.DataFrame:
        df = self.metrics(epochs=epochs, label=label, regions=regions)
        return df[df["region"] == name].sort_values(by, ascending=ascending, kind="stable")

    def easy(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Easy-to-learn rows, most confident first (``regions``: see ``metrics``)."""
        return self._region("easy-to-learn", "confidence", False, epochs, label, regions)

    def ambiguous(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Ambiguous rows, most variable first (``regions``: see ``metrics``)."""
        return self._region("ambiguous", "variability", False, epochs, label, regions)

    def hard(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Hard-to-learn rows, least confident first: the likeliest mislabels lead.

        Examples
        --------
        >>> td.hard()[["confidence", "gold_label", "predicted_label"]].head()  # relabel candidates
        """
        return self._region("hard-to-learn", "confidence", True, epochs, label, regions)

    #: The in-sample map of the same cross-fitted run (set by cross-fitting; saved with the
    #: run in its ``in_sample/`` folder).
    in_sample = None

    def _mark_cross_fitted(self, in_sample) -> None:
        """Cross-fitting attaches the in-sample map; an on-disk run records that it is held out."""
        self.in_sample = in_sample
        if not self._held_out:
            self._held_out = True
            if self._path is not None:
                persistence.write_meta(self._path, self._header())

    def label_issues(self, label=None, *, in_sample=None) -> pd.DataFrame:
        """Every example, most likely mislabeled first: score, flagged, gold, suggested label...

        Meant for a cross-fitted (held-out) run; see ``datamap_widget.label_issues``. Ranking
        a plain (in-sample) run or a single epoch warns: both rank worse, and say why.
        """
        from datamap_widget.label_issues import label_issues

        self._warn_weak_ranking(in_sample)
        return label_issues(self, label, in_sample=in_sample)

    def plot(self, ax=None, epochs=None, label=None, hue="correctness"):
        """Draw the Dataset Cartography figure (Swayamdipta et al. 2020, Fig. 1) with matplotlib.

        Needs the ``plot`` extra (``pip install "datamap-widget[plot]"``, matplotlib >= 3.6).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw only the map (with its region guides, counts and legend) into this Axes, e.g.
            one panel of your own figure. Default: a new figure with the map above three
            histograms (confidence, variability, correctness).
        epochs : int, optional
            The map as it stood after the first ``epochs`` epochs (default: all logged).
        label : str or int, optional
            Multilabel only: the label whose map is drawn.
        hue : {"correctness", "region", "gold_label"}
            What colours the points: correctness rounded to one decimal (as in the paper), the
            region, or the gold label.

        Returns
        -------
        matplotlib.figure.Figure
            ``fig.savefig("map.png")`` (or ``.svg``, ``.pdf``); the points are rasterised, so
            vector files stay small at any number of examples.

        Examples
        --------
        >>> fig = td.plot()
        >>> fig.savefig("data_map.pdf")
        """
        from datamap_widget.plotting import map_title, plot_data_map

        k = self._epochs(epochs)
        col = self._column(label)
        name = col if col is None or self._label_names is None else self._label_names[col]
        return plot_data_map(
            self.metrics(epochs=k, label=label),
            variability_threshold=self._variability_threshold,
            confidence_threshold=self._confidence_threshold,
            hue=hue,
            ax=ax,
            title=map_title(self.n_examples, k, name),
        )

    def subset(self, region=None, *, fraction=None, by=None, label=None, epochs=None) -> pd.Index:
        """Ids of a training subset as the paper selects them, first the ones it trains on first.

        Parameters
        ----------
        region : {"ambiguous", "hard-to-learn", "easy-to-learn"}, optional
            Alone: the region's examples by the fixed thresholds, in the order of
            ``ambiguous()`` / ``hard()`` / ``easy()``. With ``fraction``: the paper's share
            for that region, of all examples: the most variable, the least or the most
            confident.
        fraction : float in (0, 1], optional
            Keep ``round(fraction * N)`` of all examples, ranked by ``by`` (or the region's
            metric); 0.33 is the paper's 33%.
        by : {"variability", "confidence", "correctness", "forgetfulness", \
"threshold_closeness", "aum"}, optional
            Ranking metric when no region is given (default "variability"), from the end the
            paper trains on: variability, forgetfulness, threshold_closeness highest first;
            confidence, correctness, aum lowest first.
        label : str or int, optional
            Multilabel only: the label whose map ranks the examples.
        epochs : int, optional
            Rank by the map after the first ``epochs`` epochs (default: all logged).

        Returns
        -------
        pandas.Index
            Example ids (named ``id``) in ranking order; ties keep dataset order.
            ``datamap_widget.subsets`` documents where this matches allenai/cartography.

        Examples
        --------
        >>> td.subset(fraction=0.33)  # the 33% most ambiguous: the paper's recipe
        >>> td.subset(fraction=0.33, by="confidence")  # the 33% hardest to learn
        >>> td.subset("easy-to-learn", fraction=0.33)  # the 33% most confident
        >>> td.subset("hard-to-learn")  # the region by the thresholds
        """
        from datamap_widget.subsets import subset

        return subset(self, region, fraction=fraction, by=by, label=label, epochs=epochs)

    def subset_of(
        self, data, region=None, *, fraction=None, by=None, label=None, epochs=None, id_column=None
    ):
        """The rows of ``data`` in ``subset(region, ...)``, same type back, in the subset's order.

        Parameters
        ----------
        data : pandas.DataFrame or datasets.Dataset
            The examples the run was recorded on. Rows are matched by id, never by position in
            the run: the DataFrame's index, or ``id_column``; a ``Dataset`` without
            ``id_column`` by row position (row i is id i). Rows with ids the run does not know,
            repeated ids, or subset examples missing from ``data`` raise a ValueError.
        region, fraction, by, label, epochs
            As for :meth:`subset`.
        id_column : str, optional
            Column of ``data`` that holds the example ids.

        Returns
        -------
        pandas.DataFrame or datasets.Dataset
            ``data.iloc[...]`` / ``data.select(...)`` of the subset's rows.

        Examples
        --------
        >>> train_ambiguous = td.subset_of(train_df, fraction=0.33)
        """
        from datamap_widget.subsets import subset_of

        return subset_of(
            self,
            data,
            region,
            fraction=fraction,
            by=by,
            label=label,
            epochs=epochs,
            id_column=id_column,
        )

    def _warn_weak_ranking(self, in_sample) -> None:
        reasons = []
        if not self._held_out and in_sample in (None, False) and self.n_epochs:
            reasons.append(
                "this run is in-sample (each example scored by a model trained on it): a model "
                "that can memorise fits wrong labels and stops flagging them. Cross-fit for a "
                "held-out map: fit_epochs(..., cv=5), or CrossFitRouter in your own loop"
            )
        if self.n_epochs == 1:
            reasons.append(
                "it has a single epoch: the ranking rests on one snapshot of p(gold); log more "
                "epochs for a steadier one"
            )
        if reasons:
            warnings.warn(
                "label_issues() ranks a weak run: " + "; and ".join(reasons),
                UserWarning,
                stacklevel=3,
            )

    # ----------------------------------------------------------------- persistence
    def _header(self) -> dict:
        return {
            "task": self._task,
            "n_classes": self._n_classes,
            "label_names": self._label_names,
            "gold": self._gold,
            "ids": self._ids,
            "variability_threshold": self._variability_threshold,
            "confidence_threshold": self._confidence_threshold,
            "unsorted_names": self._unsorted_names,
            "held_out": self._held_out,
        }

    def save(self, path) -> None:
        """Write the finished epochs to a new or empty directory (format: see persistence).

        A cross-fitted run's in-sample map (``in_sample``) goes with it, into ``in_sample/``,
        so ``load`` gives back the same ``label_issues()``.
        """
        inside = self._saved_in_sample()
        in_sample = None if inside is None else (inside._header(), list(inside._history))
        persistence.save_run(path, self._header(), list(self._history), in_sample)

    def _saved_in_sample(self):
        inside = self.__dict__.get("in_sample")
        if inside is None or not isinstance(inside, TrainingDynamics) or inside.n_epochs == 0:
            return None
        return inside

    @classmethod
    def load(cls, path, epochs=None) -> TrainingDynamics:
        """Read a run written by ``save`` or by on-disk mode, as an in-memory run.

        ``epochs=k`` reads only the first k epochs (e.g. the intact ones before a damaged file:
        the error about a damaged file says which). A cross-fitted run comes back with its
        in-sample map. New epochs logged to a loaded run stay in memory (a warning says so):
        ``resume`` opens a run for appending.
        """
        epochs = check_int(epochs, "epochs", minimum=0, allow_none=True)
        header, records = persistence.load_run(path, epochs)
        td = cls._from_header(header)
        for record in records:
            td._append(record)
        td._attach_saved_in_sample(path, on_disk=False, epochs=epochs)
        td._loaded_from = path
        return td

    @classmethod
    def resume(cls, path) -> TrainingDynamics:
        """Open a saved run (``save`` or on-disk mode) for appending, from its folder alone.

        The run's labels, ids, names, thresholds and epochs come from the folder; every epoch
        logged from now on is written there durably, as in on-disk mode (``path=``), and a
        cross-fitted run's in-sample map is resumed with it. Leftover temporary files of a
        writer that was killed are removed.
        """
        return cls._from_header(persistence.read_header(path), path=path)

    @classmethod
    def _from_header(cls, header: dict, path=None) -> TrainingDynamics:
        td = cls(
            header["gold"],
            ids=header["ids"],
            label_names=header["label_names"],
            task=header["task"],
            n_classes=header["n_classes"],
            variability_threshold=header["variability_threshold"],
            confidence_threshold=header["confidence_threshold"],
            path=path,
            _unsorted_names=header.get("unsorted_names", False),
        )
        td._held_out = bool(header.get("held_out", False))
        return td

    def _attach_saved_in_sample(self, path, *, on_disk: bool, epochs=None) -> None:
        folder = persistence.in_sample_directory(path)
        if folder is None or persistence.epoch_count(folder) == 0:  # cross-fitting never began
            return
        if on_disk:
            inside = TrainingDynamics.resume(folder)
        else:
            count = persistence.epoch_count(folder)
            inside = TrainingDynamics.load(folder, None if epochs is None else min(epochs, count))
            inside._said_not_written = True  # read along with its run: the run's warning serves
        self.in_sample = inside
        self._held_out = True

    @classmethod
    def from_cartography(
        cls, folder, *, label_names=None, variability_threshold=0.2, confidence_threshold=0.5
    ) -> TrainingDynamics:
        """Read allenai/cartography's ``dynamics_epoch_{e}.jsonl`` files (logits per epoch)."""
        from datamap_widget import cartography

        ids, gold, epochs = cartography.read(folder)
        n_classes = epochs[0].shape[1]
        task = "binary" if n_classes <= 2 and np.isin(gold, (0, 1)).all() else "multiclass"
        td = cls(
            gold,
            ids=ids,
            label_names=label_names,
            task=task,
            n_classes=None if task == "binary" else n_classes,
            variability_threshold=variability_threshold,
            confidence_threshold=confidence_threshold,
        )
        for logits in epochs:
            td.log_epoch(logits, logits=True)
        return td

    def to_cartography(self, folder) -> None:
        """Write ``dynamics_epoch_{e}.jsonl`` files for allenai/cartography.

        The logits written are log-probabilities that reproduce the recorded p(gold) and
        predictions (the full distribution is not kept: data maps do not use it). ``folder``
        must be new or empty: an older export's extra epoch files would be read back as part
        of this run.
        """
        from datamap_widget import cartography

        if self._task == "multilabel":
            raise ValueError(
                "the cartography format holds one label per example; save() "
                "multilabel runs instead, or export one label via a binary run"
            )
        cartography.write(folder, self._ids, self._gold, self._n_classes, list(self._history))
