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

import json
import numbers
import threading
import time as _time
import uuid
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from datamap_widget import _review_store as store
from datamap_widget import persistence
from datamap_widget._ids import id_type_hint

__all__ = ["VERDICTS", "Decision", "ReviewLog", "apply_corrections"]

VERDICTS = ("correct", "wrong", "remove")
# the page's copy of the decisions: compact, so chunks encoded apart join into the same text
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
#: Code of the latest verdict per example (``ReviewLog.verdict_codes``), as the page will draw it.
VERDICT_CODES = {"correct": 1, "wrong": 2, "remove": 3}


@dataclass(frozen=True)
class Decision:
    """One decision. ``gold``/``new_label``: class indexes, or for multilabel the membership
    (bool) of label ``label`` (an index) before and after. ``new_label`` is None unless the
    verdict is "wrong". ``time``: seconds since the Unix epoch (UTC)."""

    id: object
    verdict: str
    new_label: int | bool | None
    gold: int | bool | None
    label: int | None
    time: float
    decision_id: str | None = None

    def same_choice(self, other: Decision) -> bool:
        return (self.id, self.verdict, self.new_label, self.label) == (
            other.id,
            other.verdict,
            other.new_label,
            other.label,
        )


@dataclass
class AppliedMessages:
    """What :meth:`ReviewLog.apply_messages` did: new decisions, repeats skipped, refusals."""

    recorded: list
    duplicates: int
    errors: list  # (decision_id or None, message)


class ReviewLog:
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

    # ----------------------------------------------------------------- description
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

    # ----------------------------------------------------------------- recording
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

    def accept_suggestions(self, issues, *, label=None) -> list:
        """Turn ``label_issues()`` (or its flagged rows) into decisions; returns them.

        With an ``action`` column: "relabel" -> "wrong" with ``suggested_label``, "remove" ->
        "remove", "keep" -> nothing. Without one: every row whose ``flagged`` is True (every
        row when there is no ``flagged`` column) -> "wrong" with ``suggested_label``.
        Multilabel: the decisions flip ``label``, by default the label the frame was ranked
        for (its ``suggested_label`` categories are "not <label>" / "<label>"). All or none,
        one durable write (see ``record_many``).
        """
        ids, verdicts, new_labels, label = self._suggestions(issues, label)
        if self._task == "multilabel":
            new_labels = [None] * len(ids)  # "wrong" flips the label
        return self.record_many(ids, verdicts, new_labels, label=label)

    def _suggestions(self, issues, label):
        if not isinstance(issues, pd.DataFrame):
            raise TypeError(
                f"issues must be the DataFrame label_issues() returns (or some of its rows), "
                f"got {type(issues).__name__}"
            )
        if "suggested_label" not in issues.columns:
            raise ValueError(
                "issues has no suggested_label column: pass the DataFrame label_issues() "
                f"returns (its columns here: {list(issues.columns)[:10]})"
            )
        if "action" in issues.columns:
            action = issues["action"].astype(str)
            unknown = sorted(set(action) - {"relabel", "remove", "keep"})
            if unknown:
                raise ValueError(
                    f"issues['action'] holds {unknown[:5]}; actions are 'relabel', 'remove' "
                    "and 'keep'"
                )
            rows = issues[(action != "keep").to_numpy()]
            verdicts = [
                "wrong" if a == "relabel" else "remove"
                for a in action[(action != "keep").to_numpy()].tolist()
            ]
        else:
            flagged = "flagged" in issues.columns
            rows = issues[issues["flagged"].astype(bool).to_numpy()] if flagged else issues
            verdicts = ["wrong"] * len(rows)
        suggested = rows["suggested_label"]
        if self._task == "multilabel":
            label = self._suggestion_label(suggested, label)
        new_labels = [
            s if v == "wrong" else None for v, s in zip(verdicts, _plain(suggested.tolist()))
        ]
        return list(rows.index), verdicts, new_labels, label

    def _suggestion_label(self, suggested, label):
        """The label a multilabel frame was ranked for, from its "not <label>"/"<label>"."""
        categories = (
            [str(c) for c in suggested.cat.categories]
            if isinstance(suggested.dtype, pd.CategoricalDtype)
            else sorted({str(v) for v in suggested})
        )
        named = [c for c in categories if not c.startswith("not ")]
        inferred = named[0] if len(named) == 1 and named[0] in (self._label_names or []) else None
        if label is None:
            if inferred is None:
                raise ValueError("multilabel issues: pass label= (the label they were ranked for)")
            return inferred
        name = self._name(self._label_index(label, "label"))
        if inferred is not None and inferred != name:
            raise ValueError(
                f"these issues were ranked for label {inferred!r}, not {name!r}; pass "
                f"label={inferred!r} or the issues of {name!r}"
            )
        return label

    def apply_messages(self, messages) -> AppliedMessages:
        """Record decisions sent by the page, as they arrive after the kernel was busy.

        Each message is a dict ``{"decision_id": str, "index": position, "verdict": str,
        "new_label": class index or None, "label": label index or None (multilabel),
        "time": milliseconds since the epoch}``. Positions index ``ids``. Messages seen before
        (same ``decision_id``) are skipped; a bad message is refused alone (listed in
        ``errors``) and the others are recorded, all with one durable write.
        """
        with self._lock:
            fresh, positions, errors, duplicates = [], [], [], 0
            seen: dict[str, Decision] = {}
            for message in messages:
                did = message.get("decision_id") if isinstance(message, dict) else None
                try:
                    decision, position = self._from_message(message)
                    prior = self._prior(decision) or seen.get(decision.decision_id)
                    if prior is not None:
                        if not prior.same_choice(decision):
                            raise ValueError(
                                f"decision id {did!r} was already used for another decision"
                            )
                        duplicates += 1
                        continue
                except (TypeError, ValueError) as exc:
                    errors.append((did, str(exc)))
                    continue
                seen[decision.decision_id] = decision
                fresh.append(decision)
                positions.append(position)
            self._persist(fresh)
            self._add_many(fresh, positions)
            return AppliedMessages(fresh, duplicates, errors)

    def _from_message(self, message) -> tuple[Decision, int]:
        if not isinstance(message, dict):
            raise TypeError(f"a decision message must be a dict, got {type(message).__name__}")
        missing = [k for k in ("decision_id", "index", "verdict") if k not in message]
        if missing:
            raise ValueError(f"decision message lacks {missing}")
        did = message["decision_id"]
        if not isinstance(did, str) or not did:
            raise ValueError(
                "a page decision needs a non-empty string decision_id, so a "
                "re-sent one can be recognised"
            )
        index = message["index"]
        n = self._ids.shape[0]
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < n:
            raise ValueError(f"index must be a position in 0..{n - 1}, got {index!r}")
        when = message.get("time")
        if when is not None:
            if isinstance(when, bool) or not isinstance(when, numbers.Real):
                raise TypeError(f"time must be milliseconds since the epoch, got {when!r}")
            when = float(when) / 1000.0
        return self._decision(
            self._ids[index].item(),
            int(index),
            message["verdict"],
            message.get("new_label"),
            message.get("label"),
            when,
            did,
        )

    def to_messages(self) -> list[dict]:
        """Every decision in the page's message format (see ``apply_messages``), in order: what
        a synced trait carries so that a reloaded page or a second view shows the same
        decisions. ``apply_messages(log.to_messages())`` on a new log reproduces this one."""
        with self._lock:
            return [self._message(d, pos) for d, pos in zip(self._decisions, self._positions)]

    def messages_json(self) -> str:
        """``to_messages()`` as JSON text, kept up to date as decisions are added: what the
        widget syncs to the page. Each decision is encoded once, so re-sending the list after
        one more decision costs a string join, not a walk over every decision."""
        with self._lock:
            if len(self._message_json) > 1:  # one string from now on: the next join copies it
                self._message_json = [",".join(self._message_json)]
            return "[" + "".join(self._message_json) + "]"

    def _message(self, d: Decision, position: int) -> dict:
        return {
            "decision_id": d.decision_id,
            "index": position,
            "verdict": d.verdict,
            "new_label": None
            if d.new_label is None
            else (bool(d.new_label) if self._task == "multilabel" else int(d.new_label)),
            "label": d.label,
            "time": d.time * 1000.0,
        }

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
        messages = [self._message(d, p) for d, p in zip(decisions, positions)]
        self._message_json.append(_JSON.encode(messages)[1:-1])  # one encoding for them all

    # ----------------------------------------------------------------- validation
    def _decision(self, id, position, verdict, new_label, label, time, decision_id):
        if not isinstance(verdict, str) or verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        if decision_id is None:
            decision_id = f"py-{uuid.uuid4().hex}"  # every decision can be referred to by id
        elif not isinstance(decision_id, str) or not decision_id:
            raise TypeError(f"decision_id must be a non-empty string or None, got {decision_id!r}")
        when = self._seconds(time)
        shown = self._ids[position].item()
        if self._task == "multilabel":
            col = None if label is None else self._label_index(label, "label")
            if col is None and verdict != "remove":
                raise ValueError(
                    f"multilabel run: a {verdict!r} verdict is about one label; pass "
                    f"label= (a name or index of {self._names_hint()})"
                )
            gold = None if col is None else bool(self._gold[position, col])
            new = self._new_membership(shown, verdict, new_label, gold, col)
        else:
            if label is not None:
                raise ValueError(
                    f"label= only applies to multilabel runs; this run is "
                    f"{self._task}: pass the class as new_label="
                )
            gold = int(self._gold[position])
            new = self._new_class(shown, verdict, new_label, gold)
        return Decision(
            shown,
            verdict,
            new,
            gold,
            col if self._task == "multilabel" else None,
            when,
            decision_id,
        ), position

    def _new_class(self, id, verdict, new_label, gold):
        if verdict != "wrong":
            if new_label is not None:
                raise ValueError(
                    f"verdict {verdict!r} takes no new_label (only 'wrong' does); "
                    f"got new_label={new_label!r} for id {id!r}"
                )
            return None
        if new_label is None:
            if self._task == "binary":
                return 1 - gold
            raise ValueError(
                f"verdict 'wrong' on id {id!r} needs new_label= (the right class, "
                f"a name or index of {self._names_hint()})"
            )
        new = self._label_index(new_label, "new_label")
        if new == gold:
            raise ValueError(
                f"new_label {self._name(new)!r} is the gold label of id {id!r}; a "
                "'wrong' verdict needs a different class (use 'correct' to confirm "
                "the gold label)"
            )
        return new

    def _new_membership(self, id, verdict, new_label, gold, col):
        if verdict != "wrong":
            if new_label is not None:
                raise ValueError(
                    f"verdict {verdict!r} takes no new_label (only 'wrong' does); "
                    f"got new_label={new_label!r} for id {id!r}"
                )
            return None
        if new_label is None:
            return not gold
        if not isinstance(new_label, (bool, np.bool_)) and new_label not in (0, 1):
            raise TypeError(
                f"multilabel new_label must be True (add the label) or False "
                f"(remove it), got {new_label!r}"
            )
        new = bool(new_label)
        if new == gold:
            has = "already has" if gold else "already lacks"
            raise ValueError(
                f"id {id!r} {has} label {self._name(col)!r}; a 'wrong' verdict flips "
                "it (leave new_label out)"
            )
        return new

    def _position_of_id(self, id) -> int:
        if isinstance(id, (bool, np.bool_)) or not isinstance(id, (numbers.Integral, str)):
            raise TypeError(f"an example id must be an int or a string, got {id!r}")
        try:
            position = self._index.get_loc(id)
        except (KeyError, TypeError):
            position = -1
        if not isinstance(position, (int, np.integer)) or position < 0:
            kind = "strings" if self._ids.dtype.kind == "U" else "ints"
            raise ValueError(
                f"unknown example id {id!r}: it is not among the {self._ids.shape[0]} "
                f"ids of this run (they are {kind}, e.g. "
                f"{self._ids[:3].tolist()})" + id_type_hint([id], self._ids)
            )
        return int(position)

    def _label_index(self, value, what: str) -> int:
        if isinstance(value, str):
            if self._label_names is None or value not in self._label_names:
                raise ValueError(f"unknown class {value!r} for {what}; known: {self._names_hint()}")
            return self._label_names.index(value)
        binary_bool = self._task == "binary" and isinstance(value, (bool, np.bool_))
        if (isinstance(value, (bool, np.bool_)) and not binary_bool) or not isinstance(
            value, numbers.Integral
        ):
            raise TypeError(f"{what} must be a class name or index, got {value!r}")
        if not 0 <= int(value) < self._n_classes:
            raise ValueError(
                f"unknown class index {value!r} for {what}: the run has "
                f"{self._n_classes} classes (0..{self._n_classes - 1})"
            )
        return int(value)

    def _names_hint(self) -> str:
        if self._label_names is None:
            return f"0..{self._n_classes - 1}"
        return str(self._label_names)

    def _name(self, index):
        return index if self._label_names is None else self._label_names[index]

    @staticmethod
    def _seconds(time) -> float:
        if time is None:
            return _time.time()
        if isinstance(time, (bool, np.bool_)):
            raise TypeError(f"time must be seconds since the epoch or a datetime, got {time!r}")
        if isinstance(time, numbers.Real):
            value = float(time)
        else:
            try:
                stamp = pd.Timestamp(time)
            except (TypeError, ValueError):
                raise TypeError(
                    f"time must be seconds since the epoch or a datetime, got {time!r}"
                ) from None
            if stamp is pd.NaT:
                raise ValueError("time is NaT")
            if stamp.tzinfo is None:
                stamp = stamp.tz_localize("UTC")
            value = stamp.timestamp()
        if not np.isfinite(value):
            raise ValueError(f"time must be finite, got {time!r}")
        return value

    # ----------------------------------------------------------------- results
    def _state(self, label=None):
        """Fold the decisions in order: (labels, removed, verdict codes) per position."""
        labels = self._gold.copy()
        n = self._ids.shape[0]
        removed = np.zeros(n, dtype=bool)
        codes = np.zeros(n, dtype=np.uint8)
        for d, pos in zip(self._decisions, self._positions):
            if d.verdict == "remove":
                removed[pos] = True
            else:
                removed[pos] = False
                value = d.gold if d.verdict == "correct" else d.new_label
                if self._task == "multilabel":
                    labels[pos, d.label] = value
                else:
                    labels[pos] = value
            if label is None or d.verdict == "remove" or d.label == label:
                codes[pos] = VERDICT_CODES[d.verdict]
        return labels, removed, codes

    def corrected_labels(self, *, drop_removed=True, names=False):
        """The gold labels with the decisions applied, indexed by example id.

        Binary/multiclass: a Series of class indexes (``names=True``: class names).
        Multilabel: a bool DataFrame, one column per label (``names=True``: a Series of lists
        of label names). Removed examples are dropped (``drop_removed=False`` keeps them with
        their gold label; :attr:`removed` is the mask).
        """
        with self._lock:
            labels, removed, _ = self._state()
        if self._task == "multilabel":
            columns = self._label_names or list(range(self._n_classes))
            out = pd.DataFrame(labels, index=self._index.copy(), columns=columns)
            if names:
                listed = [[columns[j] for j in np.flatnonzero(row)] for row in labels]
                out = pd.Series(listed, index=self._index.copy(), name="labels", dtype=object)
        else:
            out = pd.Series(labels, index=self._index.copy(), name="label")
            if names:
                if self._label_names is None:
                    raise ValueError("this run has no label_names; use names=False for indexes")
                out = pd.Series(
                    np.asarray(self._label_names, dtype=object)[labels],
                    index=self._index.copy(),
                    name="label",
                )
        return out[~removed] if drop_removed else out

    @property
    def removed(self) -> pd.Series:
        """Bool Series indexed by every example id: True where the latest verdict is "remove"."""
        with self._lock:
            _, removed, _ = self._state()
        return pd.Series(removed, index=self._index.copy(), name="removed")

    def verdict_codes(self, label=None) -> np.ndarray:
        """uint8 per position: latest verdict (0 none, 1 correct, 2 wrong, 3 remove), to mark
        decided points on the map. Multilabel ``label``: only decisions on that label (index
        or name) and removals count."""
        col = None if label is None else self._label_index(label, "label")
        with self._lock:
            return self._state(col)[2]

    def _membership(self, label, value):
        """Multilabel: "<label>" / "not <label>" for a membership, None when there is none."""
        if label is None or value is None:
            return None
        name = str(self._name(label))
        return name if value else f"not {name}"

    def to_dataframe(self) -> pd.DataFrame:
        """One row per decision in the order made, indexed by example id.

        Columns: gold_label, verdict, new_label (missing unless "wrong"), time (UTC),
        decision_id, and for multilabel ``label`` (the label decided on). gold_label and
        new_label are Categoricals of the class names (class indexes when the run has none),
        as in ``metrics()``; multilabel: "<label>" or "not <label>", as ``metrics(label=)``.
        """
        with self._lock:
            rows = list(self._decisions)
        index = pd.Index(np.array([d.id for d in rows], dtype=self._ids.dtype), name="id")
        ml = self._task == "multilabel"
        if ml:  # as metrics(label=...) names them: "<label>" / "not <label>"
            gold = pd.array([self._membership(d.label, d.gold) for d in rows], dtype=object)
            new = pd.array([self._membership(d.label, d.new_label) for d in rows], dtype=object)
        else:
            classes = pd.CategoricalDtype(
                self._label_names if self._label_names is not None else range(self._n_classes)
            )
            gold = pd.Categorical.from_codes([d.gold for d in rows], dtype=classes)
            new = pd.Categorical.from_codes(
                [-1 if d.new_label is None else d.new_label for d in rows], dtype=classes
            )
        data = {}
        if ml:
            data["label"] = pd.array(
                [None if d.label is None else self._name(d.label) for d in rows], dtype=object
            )
        data["gold_label"] = gold
        data["verdict"] = pd.Categorical([d.verdict for d in rows], categories=list(VERDICTS))
        data["new_label"] = new
        data["time"] = pd.to_datetime(
            np.array([d.time for d in rows], dtype=np.float64), unit="s", utc=True
        )
        data["decision_id"] = pd.array([d.decision_id for d in rows], dtype=object)
        return pd.DataFrame(data, index=index)

    # ----------------------------------------------------------------- persistence
    def _check_same_run(self, directory) -> None:
        header = {
            "task": self._task,
            "n_classes": self._n_classes,
            "label_names": self._label_names,
            "ids": self._ids,
            "gold": self._gold,
        }
        persistence._check_same_run(directory, persistence.read_header(directory), header)

    @staticmethod
    def _to_json(d: Decision) -> dict:
        return {
            "decision_id": d.decision_id,
            "id": d.id,
            "verdict": d.verdict,
            "new_label": d.new_label,
            "label": d.label,
            "gold": d.gold,
            "time": d.time,
        }

    def _persist(self, decisions: list[Decision]) -> None:
        if self._read_only is not None and decisions:
            warnings.warn(
                f"review decisions are kept in memory, not written to {self._read_only}: the "
                "run was loaded, not resumed. To append to its folder, open it with "
                "DataMapWidget(dynamics=folder, path=folder) (or ReviewLog(td, path=folder)); "
                "to keep them elsewhere, w.save(new_folder)",
                UserWarning,
                stacklevel=4,
            )
            self._read_only = None  # said once
        if self._file is None or not decisions:
            return
        store.append(self._file, [self._to_json(d) for d in decisions])

    def _load(self, file) -> None:
        for number, obj in store.read_lines(file):
            try:
                missing = [k for k in ("id", "verdict", "time") if k not in obj]
                if missing:
                    raise ValueError(f"lacks {missing}")
                position = self._position_of_id(obj["id"])
                decision, _ = self._decision(
                    obj["id"],
                    position,
                    obj["verdict"],
                    obj.get("new_label"),
                    obj.get("label"),
                    obj["time"],
                    obj.get("decision_id"),
                )
                if obj.get("gold") != decision.gold:
                    raise ValueError(
                        f"the decision was made on gold {obj.get('gold')!r} but the "
                        f"run's gold for id {decision.id!r} is {decision.gold!r}"
                    )
                if self._prior(decision) is not None:
                    continue
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{file}, line {number}: {exc}") from None
            self._add(decision, position)

    def save(self, directory) -> None:
        """Write every decision to ``reviews.jsonl`` in a run directory (e.g. after
        ``td.save(directory)`` of an in-memory run); refuses to overwrite an existing file."""
        directory = store.check_run_directory(directory)
        self._check_same_run(directory)
        file = store.reviews_file(directory)
        if file.exists():
            raise FileExistsError(
                f"{file} exists; open the run with ReviewLog(td, path=...) to add decisions to it"
            )
        with self._lock:
            rows = [self._to_json(d) for d in self._decisions]
        store.create(file)
        if rows:
            store.append(file, rows)


def _id_list(ids) -> list:
    if isinstance(ids, (str, bytes)) or np.ndim(ids) == 0:
        raise TypeError(f"ids must be a sequence of example ids, got {ids!r}")
    if hasattr(ids, "detach"):
        ids = ids.detach().cpu().numpy()
    return _plain(list(ids.tolist() if hasattr(ids, "tolist") else ids))


def _plain(values: list) -> list:
    """numpy scalars as Python ones (ids and class names are compared and written as JSON)."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _per_id(value, n: int, name: str) -> list:
    """One value for every id, or one per id."""
    if value is None or isinstance(value, (str, bytes, numbers.Number, np.generic)):
        return [value] * n
    values = _plain(list(value.tolist() if hasattr(value, "tolist") else value))
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} values for {n} ids; give one, or one per id")
    return values


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
    from datamap_widget._corrections import apply

    return apply(data, log, label_column=label_column, id_column=id_column, check_gold=check_gold)
