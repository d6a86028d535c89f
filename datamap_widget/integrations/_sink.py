"""Shared plumbing of the integrations: what counts as a sink, and logging that never kills a run.

Policy (why): a mistake in the user's setup (unknown ids, wrong output shape, missing examples)
shows up in the first epoch and is raised then, before much compute is spent; after an epoch has
been recorded, a failure to log is turned into a warning and that epoch of the map is dropped, so
a long training run is never stopped by its data map. Widget/browser problems never reach here:
the engine already turns exceptions of its epoch listeners (the widget) into warnings.
"""

from __future__ import annotations

import warnings

import numpy as np

_METHODS = ("log_epoch", "log_batch", "end_epoch")


def check_sink(sink):
    """Return ``sink`` if it can record epochs, else a TypeError saying what is accepted."""
    missing = [m for m in _METHODS if not callable(getattr(sink, m, None))]
    if missing:
        raise TypeError(
            f"sink must be a TrainingDynamics, a DataMapWidget or any object with "
            f"log_epoch, log_batch and end_epoch; {type(sink).__name__} has no "
            f"{', '.join(missing)}"
        )
    return sink


def dynamics_of(sink):
    """The TrainingDynamics behind a sink (the sink itself, or its ``.dynamics``), or None."""
    if hasattr(sink, "ids") and hasattr(sink, "n_examples"):
        return sink
    return getattr(sink, "dynamics", None)


def to_numpy(x) -> np.ndarray:
    """One cheap device-to-host copy; float16/bfloat16 tensors become float32 first."""
    if hasattr(x, "detach"):
        x = x.detach()
        if x.is_floating_point() and x.element_size() < 4:
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


def _classes_kw(classes) -> dict:
    """``classes=`` only when there is one: sinks of users' own may not take it."""
    return {} if classes is None else {"classes": classes}


class GuardedSink:
    """Forwards to a sink; raises during the first epoch, warns (and drops that epoch) later."""

    def __init__(self, sink, where: str):
        self.sink = check_sink(sink)
        self.where = where
        self.epochs_done = 0
        self.broken_epoch = False  # an error this epoch: skip its remaining batches

    def fail(self, exc: Exception, lenient: bool = False) -> None:
        """Raise in the first epoch (unless ``lenient``); later, warn once and drop the epoch."""
        if self.epochs_done == 0 and not lenient:
            raise exc
        if self.broken_epoch:  # already warned about this epoch
            return
        self.broken_epoch = True
        self._discard()
        warnings.warn(
            f"{self.where}: this epoch is left out of the data map because logging "
            f"failed ({type(exc).__name__}: {exc}); training continues",
            RuntimeWarning,
            stacklevel=3,
        )

    def _discard(self) -> None:
        discard = getattr(self.sink, "discard_pending", None)
        if discard is None:
            discard = getattr(dynamics_of(self.sink), "discard_pending", None)
        if callable(discard):
            discard()

    def log_batch(self, ids, outputs, logits, classes=None) -> None:
        if self.broken_epoch:
            return
        try:
            self.sink.log_batch(ids, outputs, logits=logits, **_classes_kw(classes))
        except Exception as exc:
            self.fail(exc)

    def log_epoch(self, outputs, logits, classes=None) -> None:
        try:
            self.sink.log_epoch(outputs, logits=logits, **_classes_kw(classes))
            self.epochs_done += 1
        except Exception as exc:
            self.fail(exc)
        self.broken_epoch = False

    def end_epoch(self, lenient: bool = False) -> None:
        """``lenient``: an incomplete epoch is expected (run stopped or resumed mid-epoch)."""
        if self.broken_epoch:  # still call it: a DDP sink's end_epoch is a collective
            try:
                self.sink.end_epoch()
            except Exception:
                pass  # this epoch was already given up and warned about
            self._discard()
            self.broken_epoch = False
            return
        try:
            self.sink.end_epoch()
            self.epochs_done += 1
        except Exception as exc:
            self.fail(exc, lenient)
        self.broken_epoch = False
