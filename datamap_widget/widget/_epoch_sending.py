"""What the widget sends the page as the run grows: the shown label's state, each new epoch in
one message (with the label-issue score), and the earlier epochs a page asks for.

The engine calls ``_on_epoch`` after every epoch; it never raises into training. The page's
messages arrive in ``_on_page_msg``: requests for epochs are answered here, decisions go to the
review glue, requests about a compared run to its link.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from datamap_widget.engine.label_issues import label_issues
from datamap_widget.widget._figure import place_region_guides
from datamap_widget.widget._sync import (
    epoch_arrays,
    epoch_state,
    history_messages,
    pack_uint16,
    pred_dtype_for,
    wire_array,
)

SCORE_BUDGET_MS = 20.0
"""Average kernel time per epoch spent recomputing the label-issue score (see _score_arrays)."""


class EpochSending:
    """The shown label's synced state, ``_on_epoch``, ``_on_page_msg`` and the score."""

    def _engine_label(self, shown: str):
        """The engine's key for the shown label: its index (the engine may hold no names)."""
        return self._label_names.index(shown) if self._dynamics.task == "multilabel" else None

    def _label_state(self, shown: str) -> dict:
        """Every synced value that depends on the shown label (history, gold, class names)."""
        td = self._dynamics
        key = self._engine_label(shown)
        class_names = (
            [f"not {shown}", shown] if td.task == "multilabel" else list(self._label_names)
        )
        self._pred_dtype = pred_dtype_for(len(class_names))
        meta = {
            "task": td.task,
            "class_names": class_names,
            "label_names": list(self._label_names) if td.task == "multilabel" else [],
            "variability_threshold": float(td.variability_threshold),
            "confidence_threshold": float(td.confidence_threshold),
            "shown_label": shown,
        }
        n_epochs = int(td.n_epochs)
        return {
            "_meta": meta,
            "_gold": pack_uint16(td.gold(label=key)),
            "_epoch": self._newest_epoch_state(shown, n_epochs),
            "n_epochs": n_epochs,
        }

    def _newest_epoch_state(self, shown: str, n_epochs: int) -> dict:
        """The ``_epoch`` value: the newest epoch alone, O(N) (empty before the first epoch)."""
        if n_epochs == 0:
            return {}
        arrays = epoch_arrays(
            self._dynamics, self._engine_label(shown), n_epochs - 1, n_epochs, self._pred_dtype
        )
        arrays.update(self._score_arrays(shown, n_epochs))  # the label-issue score
        return epoch_state(n_epochs, shown, arrays)

    def _score_arrays(self, shown: str, n_epochs: int) -> dict:
        """``{"score": (1, N) float32}``: label-issue score per point (``td.label_issues``),
        sent with the epoch (the same message) so the page's queue ranks likely mislabeled
        examples first. Recomputing costs O(epochs x N) plus a small noise-model fit (~75-100 CPU
        ms at 43,410 x 10 binary, ~1 s at 550,000 x 20: benchmarks/bench_label_issues_cost.py);
        to keep training fast the kernel spends at most ``SCORE_BUDGET_MS`` per epoch on
        average: after a computation taking t ms it reuses that score for the next t / budget
        epochs. Empty (the page ranks by low confidence) when the run cannot be scored.
        """
        td = self._dynamics
        cache = getattr(self, "_score_cache", None)  # (label, skip left, wire array)
        if n_epochs == 0:
            return {}
        if cache is not None and cache[0] == shown and cache[1] > 0:
            self._score_cache = (shown, cache[1] - 1, cache[2])
            return {"score": cache[2]}
        started = time.perf_counter()
        try:
            frame = label_issues(td, self._engine_label(shown))  # no warnings each epoch
            score = frame["score"].reindex(pd.Index(np.asarray(td.ids))).to_numpy(np.float32)
        except Exception:  # scoring is a hint for the reviewer: never a reason to fail an epoch
            self._score_cache = None
            return {}
        wire = wire_array(score[None], "float32")
        spent_ms = (time.perf_counter() - started) * 1000.0
        self._score_cache = (shown, int(spent_ms // SCORE_BUDGET_MS), wire)
        return {"score": wire}

    def _on_epoch(self, _td=None):
        """Epoch listener: one batched update (one comm message). Never raises into training."""
        try:
            with self._lock:
                n_epochs = int(self._dynamics.n_epochs)
                newest = self._newest_epoch_state(self.label, n_epochs)
                thresholds = self._thresholds()
                with self.hold_sync():
                    self._epoch = newest
                    self.set_trait("n_epochs", n_epochs)
                    if thresholds != (
                        self._meta["variability_threshold"],
                        self._meta["confidence_threshold"],
                    ):
                        self._show_thresholds(thresholds)
        except Exception as exc:  # the training loop must never fail because of the display
            warnings.warn(
                f"DataMapWidget could not update the map: {exc!r}", RuntimeWarning, stacklevel=2
            )

    def _on_page_msg(self, _widget, content, _buffers):
        """A page that lacks epochs (reload, late display, label switch) asks for them here."""
        if isinstance(content, dict) and content.get("type") == "decisions":
            self._on_page_decisions(content.get("decisions"))
            return
        if not isinstance(content, dict) or content.get("type") != "request_epochs":
            return
        if content.get("run") == "compare":  # compare=: the other run's epochs
            if self._other is not None:
                self._other.answer(content)
            return
        try:
            with self._lock:
                shown = self.label
                if content.get("label", shown) != shown:
                    return  # asked for a label no longer shown: the page re-asks for the new one
                n_epochs = int(self._dynamics.n_epochs)
                first = max(1, int(content.get("first", 1)))
                stop = min(n_epochs + 1, int(content.get("stop", n_epochs + 1)))
                messages = list(
                    history_messages(
                        self._dynamics,
                        self._engine_label(shown),
                        shown,
                        first,
                        stop,
                        self._pred_dtype,
                    )
                )
            for message, buffers in messages:
                self.send(message, buffers)
        except Exception as exc:  # a bad request must not break the kernel's message loop
            warnings.warn(
                f"DataMapWidget could not send the history: {exc!r}", RuntimeWarning, stacklevel=2
            )

    def _thresholds(self) -> tuple[float, float]:
        return float(self._dynamics.variability_threshold), float(
            self._dynamics.confidence_threshold
        )

    def _show_thresholds(self, thresholds):
        """Thresholds changed on the dynamics: move the guides, and let the page re-derive regions."""
        vt, ct = thresholds
        self._meta = {**self._meta, "variability_threshold": vt, "confidence_threshold": ct}
        place_region_guides(self._parts["guides"], self._parts["regions"], vt, ct)
