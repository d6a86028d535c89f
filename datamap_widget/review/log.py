"""Review decisions on training examples: from looking at a data map to fixing the labels.

A :class:`ReviewLog` records, per example id, what a person decided after reading it:

- ``"correct"``: the gold label is right;
- ``"wrong"``: the gold label is wrong. Binary/multiclass: ``new_label`` is the right class
  (binary may leave it out: the other class). Multilabel: the decision is about one label
  (``label=``, the label whose map is shown) and "wrong" flips its membership, i.e. adds the
  label to the example or removes it;
- ``"remove"``: drop the example from the data (noise, duplicate, unusable).

Decisions are kept in the order made, with the gold label at decision time and a time stamp.
**Later decisions supersede earlier ones**: the corrected labels fold the decisions in order, so
"wrong -> cat" followed by "correct" restores the gold label, and any "correct"/"wrong" made after
a "remove" keeps the example again. In multilabel runs label decisions are per (example, label):
a decision on label A never undoes one on label B of the same example.

Decisions may carry a ``decision_id`` made by the client (the page): one that arrives again
(re-sent after a reconnect, or read back from disk) is recognised and not recorded twice.

Only numpy/pandas: the log works in any script, on a ``TrainingDynamics`` or anything with the
same ``ids``, ``task``, ``n_classes``, ``label_names`` and ``gold(label=)``.
"""

from __future__ import annotations

import threading
import uuid

import numpy as np
import pandas as pd

from datamap_widget.review import _review_store as store
from datamap_widget.review._corrected import CorrectedLabels
from datamap_widget.review._decision import (
    VERDICTS,
    Decision,
    DecisionChecks,
    _id_list,
    _per_id,
)
from datamap_widget.review._page_messages import PageMessages
from datamap_widget.review._saved_decisions import SavedDecisions
from datamap_widget.review._suggestions import Suggestions

__all__ = ["VERDICTS", "Decision", "ReviewLog", "apply_corrections"]


class ReviewLog(DecisionChecks, PageMessages, Suggestions, CorrectedLabels, SavedDecisions):
    """Decisions about the examples of one run, validated against its ids, task and classes.

    Parameters
    ----------
    dynamics : a ``TrainingDynamics`` (or an object with ``ids``, ``task``, ``n_classes``,
        ``label_names`` and ``gold(label=)``).
    path : a run directory (``TrainingDynamics(path=...)`` or one written by ``save``). Its
        ``reviews.jsonl`` is read back (resume), and every new decision is appended to it and
        fsynced before ``record`` returns.
    read_from : a run directory whose ``reviews.jsonl`` is read but never written (a run
        opened with ``TrainingDynamics.load``); new decisions stay in memory, and the first
        one warns so (``save`` writes them to a new run folder).

    Every method that records checks everything first: bad input raises and leaves the log
    (and the file) unchanged.
    """

    def __init__(self, dynamics, *, path=None, read_from=None):
        self._task = str(dynamics.task)
        self._n_classes = int(dynamics.n_classes)
        names = dynamics.label_names
        self._label_names = None if names is None else [str(n) for n in names]
        self._ids = np.asarray(dynamics.ids)
        self._index = pd.Index(self._ids, name="id")
        if self._task == "multilabel":
            gold = np.stack(
                [np.asarray(dynamics.gold(label=j), dtype=bool) for j in range(self._n_classes)],
                axis=1,
            )
        else:
            gold = np.asarray(dynamics.gold(), dtype=np.int64).copy()
        gold.flags.writeable = False
        self._gold = gold
        self._decisions: list[Decision] = []
        self._positions: list[int] = []
        self._message_json: list[str] = []  # each decision as the page gets it (JSON)
        self._by_decision_id: dict[str, Decision] = {}
        self._lock = threading.RLock()
        self._file = None
        self._read_only = None  # reviews.jsonl read from a loaded run, never written
        if path is not None:
            directory = store.check_run_directory(path)
            self._check_same_run(directory)
            file = store.reviews_file(directory)
            self._load(file)
            if file.exists():
                store.repair_tail(file)
            self._file = file
        elif read_from is not None:
            directory = store.check_run_directory(read_from)
            self._check_same_run(directory)
            self._load(store.reviews_file(directory))
            self._read_only = store.reviews_file(directory)

    @property
    def task(self) -> str:
        return self._task

    @property
    def label_names(self):
        return None if self._label_names is None else list(self._label_names)

    @property
    def n_classes(self) -> int:
        return self._n_classes

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    @property
    def path(self):
        """The ``reviews.jsonl`` decisions are appended to, or None (in memory only)."""
        return self._file

    @property
    def decisions(self) -> tuple:
        """Every decision in the order made (duplicates by ``decision_id`` left out)."""
        return tuple(self._decisions)

    def __len__(self) -> int:
        return len(self._decisions)

    def __repr__(self) -> str:
        return (
            f"ReviewLog(task={self._task!r}, n_decisions={len(self)}, "
            f"n_examples={self._ids.shape[0]})"
        )

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_lock": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def record(
        self, id, verdict, new_label=None, *, label=None, time=None, decision_id=None
    ) -> Decision:
        """Record one decision about example ``id`` and return it.

        ``new_label``: the right class (name or index) for "wrong"; binary may omit it.
        ``label``: multilabel only, the label (name or index) the verdict is about.
        ``time``: seconds since the epoch, a datetime or Timestamp (naive = UTC); default now.
        ``decision_id``: a client-made id; recording the same decision id again returns the
        first decision and records nothing (a different decision under a used id is an error).
        Without one, a unique ``"py-..."`` id is made up.
        """
        with self._lock:
            decision, position = self._decision(
                id, self._position_of_id(id), verdict, new_label, label, time, decision_id
            )
            prior = self._prior(decision)
            if prior is not None:
                return prior
            self._persist([decision])
            self._add(decision, position)
            return decision

    def record_many(self, ids, verdict, new_label=None, *, label=None, time=None) -> list:
        """Record one decision per id, all or none, with one durable write; returns them.

        ``ids``: example ids (a list, array or pandas Index). ``verdict``, ``new_label`` and
        ``label`` (multilabel) are one value for every id or one per id (``new_label`` None
        where the verdict takes none). Everything is checked first: if any decision is bad
        (unknown or repeated id, unknown class...), a ValueError lists them and nothing is
        recorded. 10,000 decisions take a few tens of milliseconds.

        Examples
        --------
        >>> log.record_many(issues[issues.flagged].index, "remove")
        >>> log.record_many([3, 8], "wrong", ["gratitude", "other"])
        """
        ids = _id_list(ids)
        n = len(ids)
        verdicts = _per_id(verdict, n, "verdict")
        new_labels = _per_id(new_label, n, "new_label")
        labels = _per_id(label, n, "label")
        positions = np.asarray(
            self._index.get_indexer(pd.Index(ids, dtype=object)) if n else [], np.int64
        )
        known = self._ids[positions].tolist()  # the run's own ids (type and all)
        decisions, kept, errors = [], [], []
        batch = f"py-{uuid.uuid4().hex}"  # one random part per call: uuid4 costs 5-30 us
        for i, (id_, pos) in enumerate(zip(ids, positions.tolist())):
            try:
                if pos < 0:
                    self._position_of_id(id_)  # raises the unknown-id error with its hints
                decision, _ = self._decision(
                    known[i],
                    pos,
                    verdicts[i],
                    new_labels[i],
                    labels[i],
                    time,
                    f"{batch}-{i}",
                )
                decisions.append(decision)
                kept.append(pos)
            except (TypeError, ValueError) as exc:
                errors.append(f"id {id_!r}: {exc}")
        counts = np.bincount(positions[positions >= 0])
        twice = np.flatnonzero(counts > 1)
        if twice.size:
            errors.append(
                f"{twice.size} ids appear more than once (e.g. {self._ids[twice[:5]].tolist()}); "
                "give each example one decision per call"
            )
        if errors:
            raise ValueError(
                f"{len(errors)} of the {n} decisions cannot be recorded, so none was: "
                + "; ".join(errors[:3])
                + ("" if len(errors) <= 3 else f"; ... ({len(errors) - 3} more)")
            )
        with self._lock:
            self._persist(decisions)
            self._add_many(decisions, kept)
        return decisions

    def _prior(self, decision: Decision):
        """The decision already recorded under this decision id (same choice), else None."""
        if decision.decision_id is None:
            return None
        prior = self._by_decision_id.get(decision.decision_id)
        if prior is not None and not prior.same_choice(decision):
            raise ValueError(
                f"decision id {decision.decision_id!r} was already used for another "
                f"decision ({prior.verdict!r} on id {prior.id!r}); nothing recorded"
            )
        return prior

    def _add(self, decision: Decision, position: int) -> None:
        self._add_many([decision], [position])

    def _add_many(self, decisions: list, positions: list) -> None:
        if not decisions:
            return
        self._decisions.extend(decisions)
        self._positions.extend(positions)
        for decision in decisions:
            if decision.decision_id is not None:
                self._by_decision_id[decision.decision_id] = decision
        self._encode_messages(decisions, positions)


def apply_corrections(
    data, log: ReviewLog, *, label_column="label", id_column=None, check_gold=True
):
    """``data`` with the review's corrected labels and without its removed rows.

    ``data``: a pandas DataFrame (rows matched by ``id_column``, or by the index when it is
    None; the index is kept) or a Hugging Face ``datasets.Dataset`` (by ``id_column``, or by
    row position). Returns the same type. The label column may hold class indexes, bools
    (binary), class names (strings, also pandas Categorical and ``ClassLabel``), and for
    multilabel lists of label indexes or of label names; the output keeps that form.

    Never silently misaligned: ids the run does not know, repeated ids, decided ids missing from
    ``data`` and (with ``check_gold``) labels that differ from the run's gold labels all raise a
    ValueError saying how many and which.
    """
    from datamap_widget.review._corrections import apply

    return apply(data, log, label_column=label_column, id_column=id_column, check_gold=check_gold)
