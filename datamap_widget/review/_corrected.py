"""What the decisions add up to: corrected labels, removed examples, verdict codes per example,
and the decisions as a table.

Decisions fold in the order made, so a later one supersedes an earlier one (see ``log``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget.review._decision import VERDICT_CODES, VERDICTS


class CorrectedLabels:
    """``corrected_labels``, ``removed``, ``verdict_codes`` and ``to_dataframe``."""

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
