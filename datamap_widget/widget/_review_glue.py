"""The widget's side of reviewing: its ``ReviewLog`` (next to an on-disk run, else in memory),
decisions from the page and from Python, and the ``_reviews`` trait that mirrors them.

Every decision goes through the log, which checks it and writes it durably before it counts;
the page is then sent the log's canonical list, so a reload or a second view agrees.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from datamap_widget.review import ReviewLog


class ReviewGlue:
    """``review``, ``accept_suggestions``, ``reviews``, ``corrected_labels``,
    ``apply_corrections``, and the page's decisions."""

    def _init_reviews(self, td, *, label_column, id_column):
        """The review log of this run: on disk next to an on-disk run (decisions come back on
        resume), else in memory. Its decisions are mirrored in ``_reviews`` for the page."""
        path = getattr(td, "path", None)
        loaded = getattr(td, "loaded_from", None) if path is None else None
        self._review_log = ReviewLog(td, path=path, read_from=loaded)
        self._label_column = label_column
        self._id_column = id_column
        if len(self._review_log):
            self.set_trait("_reviews", self._review_log.messages_json())

    def _on_page_decisions(self, messages):
        """Decisions from the page (sent again until confirmed): recorded once each, then the
        canonical list goes back in ``_reviews``; refused ones are named to the page."""
        if not isinstance(messages, list):
            return
        try:
            with self._lock:
                result = self._review_log.apply_messages(messages)
                self._sync_reviews()
            if result.errors:
                warnings.warn(
                    f"DataMapWidget refused {len(result.errors)} decision(s) from the "
                    f"page: {result.errors[:3]}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                self.send(
                    {
                        "type": "decision_errors",
                        "errors": [[str(d), str(r)] for d, r in result.errors],
                    }
                )
        except Exception as exc:  # never break the kernel's message loop
            warnings.warn(
                f"DataMapWidget could not record decisions: {exc!r}", RuntimeWarning, stacklevel=2
            )

    def _sync_reviews(self):
        self.set_trait("_reviews", self._review_log.messages_json())

    def review(self, id, verdict, new_label=None, *, label=None):
        """Record a decision from Python, as the page's review queue does; or many at once.

        ``verdict``: ``"correct"``, ``"wrong"`` (``new_label``: the right class, name or index;
        binary: default the other class; multilabel: flips ``label``, default the shown label)
        or ``"remove"``. Returns the :class:`~datamap_widget.review.Decision`.

        ``id`` may be a list (array, pandas Index) of ids: then ``verdict`` and ``new_label``
        are one value for all or one per id, the decisions are recorded all or none (see
        :meth:`ReviewLog.record_many`), appended to ``reviews.jsonl`` in one write and sent
        to the page in one update, and the list of decisions is returned. Use it for many
        decisions: one call per decision re-sends every earlier decision to the page.

        Examples
        --------
        >>> w.review("ex-12", "wrong", "gratitude")
        >>> w.review(issues[issues.flagged].index, "remove")  # many at once
        """
        if self._dynamics.task == "multilabel" and label is None and verdict != "remove":
            label = self.label
        many = not isinstance(id, (str, bytes)) and np.ndim(id) > 0
        with self._lock:
            if many:
                decision = self._review_log.record_many(id, verdict, new_label, label=label)
            else:
                decision = self._review_log.record(id, verdict, new_label, label=label)
            self._sync_reviews()
        return decision

    def accept_suggestions(self, issues, *, label=None) -> list:
        """Accept the suggestions of :meth:`label_issues` (or of its flagged rows) as decisions.

        ``action`` "relabel" -> "wrong" with ``suggested_label``, "remove" -> "remove", "keep"
        -> nothing; without an ``action`` column, flagged rows -> "wrong" with
        ``suggested_label``. All or none, one write, one update of the page (see
        :meth:`ReviewLog.accept_suggestions`). Then :meth:`apply_corrections` gives the
        cleaned DataFrame or Hugging Face ``Dataset``.

        Examples
        --------
        >>> w.accept_suggestions(w.label_issues())
        >>> cleaned = w.apply_corrections(ds)
        """
        with self._lock:  # multilabel: the label the issues were ranked for (their names)
            decisions = self._review_log.accept_suggestions(issues, label=label)
            self._sync_reviews()
        return decisions

    @property
    def reviews(self) -> pd.DataFrame:
        """Every review decision, one row per decision in the order made, indexed by example id.

        Columns: gold, verdict ("correct"/"wrong"/"remove"), new_label, time (UTC), decision_id;
        multilabel also ``label`` (the label decided on). Decisions made in the page while the
        kernel was busy appear once it is free (each exactly once).
        """
        return self._review_log.to_dataframe()

    @property
    def review_log(self) -> ReviewLog:
        """The :class:`~datamap_widget.review.ReviewLog` behind :attr:`reviews`."""
        return self._review_log

    def corrected_labels(self, *, drop_removed=True, names=False):
        """Gold labels with the review decisions applied, indexed by id (removed examples
        dropped unless ``drop_removed=False``); see ``ReviewLog.corrected_labels``."""
        return self._review_log.corrected_labels(drop_removed=drop_removed, names=names)

    def apply_corrections(self, data, *, label_column=None, id_column=None, check_gold=True):
        """``data`` (DataFrame or ``datasets.Dataset``, same type back) with corrected labels
        and without removed rows. Columns default to the constructor's ``label_column`` /
        ``id_column``; see :func:`datamap_widget.review.apply_corrections`.

        Examples
        --------
        >>> cleaned = w.apply_corrections(train_df)
        """
        from datamap_widget.review import apply_corrections

        return apply_corrections(
            data,
            self._review_log,
            label_column=self._label_column if label_column is None else label_column,
            id_column=self._id_column if id_column is None else id_column,
            check_gold=check_gold,
        )
