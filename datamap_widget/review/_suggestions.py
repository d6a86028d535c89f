"""Decisions from ``label_issues()``: its suggested labels (or removals) recorded in one call."""

from __future__ import annotations

import pandas as pd

from datamap_widget.review._decision import _plain


class Suggestions:
    """``accept_suggestions``: a label-issues frame (or some of its rows) into decisions."""

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
