"""Recording a run: outputs in (whole epochs, batches, or reduced on the device), one epoch
record out, and the views told.

Every check runs before anything is kept, so a bad call raises and leaves the run unchanged; a
run on disk writes the epoch durably before it counts. ``TrainingDynamics.__init__`` sets the
state used here (gold, ids, history, running statistics, the lock, listeners).
"""

from __future__ import annotations

import warnings

import numpy as np

from datamap_widget.engine import persistence
from datamap_widget.engine._batches import PendingEpoch
from datamap_widget.engine._classes import ambiguous_order_error, column_order
from datamap_widget.engine._outputs import EpochRecord, convert, pred_dtype
from datamap_widget.engine._validation import check_bool


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


class EpochRecording:
    """``log_epoch``, ``log_batch`` / ``end_epoch``, ``log_reduced_epoch`` and epoch listeners."""

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
