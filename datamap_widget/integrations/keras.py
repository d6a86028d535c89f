"""Keras 3: a callback that adds one map epoch per training epoch.

Mode (why): Keras callbacks never see a batch's outputs or which rows it held (``fit`` shuffles
internally), so the outputs cannot be taken from the training pass without replacing the
backend-specific ``train_step``. The callback therefore runs ``model.predict`` over the training
inputs at each epoch end: one inference pass (about a third of an epoch's compute), model in
inference mode (no dropout). Works with any Keras backend; here it is tested on torch.

Keras picks its backend when first imported: set ``KERAS_BACKEND`` (e.g. ``torch``) before that.
"""

from __future__ import annotations

try:
    import keras
except ImportError as exc:  # e.g. the default tensorflow backend is not installed
    raise ImportError(
        f"datamap_widget.integrations.keras needs a working Keras 3 ({exc}). If "
        "only torch or jax is installed, set the KERAS_BACKEND environment "
        "variable to 'torch' or 'jax' before keras is first imported"
    ) from exc

import numpy as np

from datamap_widget.engine._sink import GuardedSink, check_sink
from datamap_widget.engine._validation import check_bool, check_positive_int

__all__ = ["DataMapCallback"]


class DataMapCallback(keras.callbacks.Callback):
    """Logs ``model.predict(x)`` to ``sink`` after every ``every`` epochs of ``fit``.

    ``x``: the training inputs (rows = the sink's examples in order, or named by ``ids``).
    ``logits``: True if the model outputs logits (loss built with ``from_logits=True``), False
    for probabilities (softmax/sigmoid output layer).
    """

    def __init__(self, sink, x, *, logits=False, ids=None, batch_size=256, every=1):
        super().__init__()
        check_sink(sink)
        self.sink = sink
        self.x = x
        self.logits = check_bool(logits, "logits")
        self.ids = ids
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.every = check_positive_int(every, "every")
        self._guard = GuardedSink(sink, "keras DataMapCallback")

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        outputs = self.model.predict(self.x, batch_size=self.batch_size, verbose=0)
        if isinstance(outputs, (list, tuple, dict)):
            self._guard.fail(
                TypeError(
                    "the model has several outputs; the data map needs one classification output"
                )
            )
            return
        outputs = np.asarray(outputs)
        if self.ids is None:
            self._guard.log_epoch(outputs, logits=self.logits)
        else:
            self._guard.log_batch(self.ids, outputs, logits=self.logits)
            self._guard.end_epoch()
