"""What a decision is, and the checks it passes before it is recorded.

A decision names a known example, a verdict and (for "wrong") a class other than the gold one;
multilabel decisions are about one label. The checks raise with what is wrong and how to fix
it, before anything is recorded. ``ReviewLog.__init__`` sets the state used here.
"""

from __future__ import annotations

import numbers
import time as _time
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from datamap_widget.engine._ids import id_type_hint

VERDICTS = ("correct", "wrong", "remove")
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


class DecisionChecks:
    """A checked ``Decision`` from what a person, a script or the page gave."""

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
