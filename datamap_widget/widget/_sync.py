"""What travels from the kernel to the page: self-describing arrays and per-epoch payloads.

Protocol (append-only, O(N) bytes per logged epoch whatever the number of epochs):

- the synced trait ``_epoch`` holds only the newest epoch of the shown label,
  ``{"epoch": e, "label": shown, "p_gold": A, "pred": A, "correct": A}``; setting it (with
  ``n_epochs``, in one ``hold_sync``) is the one comm message a logged epoch costs;
- the page keeps the history itself (in the widget model, shared by all its views) and, when it
  lacks epochs (a reloaded page, a widget built on a recorded run, a label switch), asks for them
  with the custom message ``{"type": "request_epochs", "label": shown, "first": a, "stop": b}``;
  the kernel answers with ``{"type": "epochs", "label", "first", "p_gold": A, ...}`` messages of
  at most ``CHUNK_BYTES`` each (epochs a..b-1, 1-based).

Each array ``A`` is ``{"dtype": "float32", "shape": [...], "buffer": ...}``, little-endian and
row-major: in a synced trait ``buffer`` is the bytes themselves (ipywidgets moves them into a
binary frame); in a custom message it is the index of the message's buffer that holds them.
"""

from __future__ import annotations

import numpy as np

CHUNK_BYTES = 16 * 1024 * 1024
"""Largest history answer per message: a long run's history arrives in several messages."""

_WIRE_DTYPES = {"float32": "<f4", "uint8": "<u1", "uint16": "<u2", "uint32": "<u4", "int32": "<i4"}


def pred_dtype_for(n_classes: int) -> str:
    """Smallest unsigned type that holds a predicted class index."""
    return "uint8" if n_classes <= 256 else "uint16"


def wire_array(values, dtype: str) -> np.ndarray:
    """`values` as a C-contiguous little-endian array of one of the wire dtypes."""
    if dtype not in _WIRE_DTYPES:
        raise ValueError(f"unsupported wire dtype {dtype!r}; use one of {sorted(_WIRE_DTYPES)}")
    return np.ascontiguousarray(np.asarray(values).astype(_WIRE_DTYPES[dtype], copy=False))


def describe(array: np.ndarray, buffer) -> dict:
    """Self-describing array: dtype name + shape travel with the bytes (or their buffer index)."""
    return {"dtype": array.dtype.name, "shape": list(array.shape), "buffer": buffer}


def array_state(array: np.ndarray) -> dict:
    """For a synced trait: the bytes sit in the dict (ipywidgets sends them as a binary frame)."""
    return describe(array, memoryview(array).cast("B"))


def epoch_arrays(dynamics, label, first: int, stop: int, pred_dtype: str) -> dict:
    """Epochs first..stop-1 (0-based) of one label as (E, N) wire arrays p_gold, pred, correct.

    The newest epoch alone (``stop - first == 1`` at the end) costs O(N): it is read from the
    engine's last record when the engine exposes it, instead of stacking the whole history.
    """
    if stop - first == 1 and stop == int(dynamics.n_epochs):
        newest = _newest_epoch(dynamics, label)
        if newest is not None:
            p_gold, pred, correct = newest
            return {
                "p_gold": wire_array(p_gold[None], "float32"),
                "pred": wire_array(pred[None], pred_dtype),
                "correct": wire_array(correct[None], "uint8"),
            }
    return {
        "p_gold": wire_array(dynamics.gold_probabilities(label=label)[first:stop], "float32"),
        "pred": wire_array(dynamics.predictions(label=label)[first:stop], pred_dtype),
        "correct": wire_array(dynamics.correct(label=label)[first:stop], "uint8"),
    }


def _newest_epoch(dynamics, label):
    """(p_gold, pred, correct) of the newest epoch in O(N), or None if the engine hides it."""
    try:  # the engine's private per-epoch records; any change there falls back to the stack
        from datamap_widget.engine._outputs import EpochRecord

        history = dynamics._history
        record = history[len(history) - 1]
        col = dynamics._column(label)
        gold = None
        if col is not None:
            gold = dynamics.gold(label=label)
            record = EpochRecord(record.p_gold[:, col], record.pred, None)
        return record.p_gold, history.predicted(record, gold), history.correct(record, gold)
    except (AttributeError, IndexError, TypeError, ImportError):
        return None


def epoch_state(epoch: int, label: str, arrays: dict) -> dict:
    """The ``_epoch`` trait value for one epoch (1-based number)."""
    return {"epoch": int(epoch), "label": label, **{k: array_state(v) for k, v in arrays.items()}}


def history_messages(dynamics, label, shown: str, first: int, stop: int, pred_dtype: str):
    """Yield (content, buffers) custom messages carrying epochs first..stop-1 (1-based), chunked."""
    n = max(1, int(dynamics.n_examples))
    per_epoch = n * (4 + np.dtype(_WIRE_DTYPES[pred_dtype]).itemsize + 1)
    step = max(1, CHUNK_BYTES // per_epoch)
    for start in range(first, stop, step):
        end = min(stop, start + step)
        arrays = epoch_arrays(dynamics, label, start - 1, end - 1, pred_dtype)
        content = {"type": "epochs", "label": shown, "first": start}
        buffers = []
        for name, array in arrays.items():
            content[name] = describe(array, len(buffers))
            buffers.append(memoryview(array).cast("B"))
        yield content, buffers


def read_array(desc: dict, buffers=None) -> np.ndarray:
    """Inverse of :func:`describe` (tests, debugging)."""
    raw = desc["buffer"]
    if isinstance(raw, int):
        raw = buffers[raw]
    dtype = _WIRE_DTYPES[desc["dtype"]]
    return np.frombuffer(bytes(raw), dtype=dtype).reshape(desc["shape"])


def pack_uint16(values) -> bytes:
    """Small non-negative ints (gold class indexes) -> little-endian uint16 bytes."""
    arr = np.asarray(values)
    if arr.size and (arr.min() < 0 or arr.max() > 65535):
        raise ValueError("class indexes must lie in 0..65535")
    return arr.astype("<u2").tobytes()


def pack_images(images: np.ndarray) -> bytes:
    """(N, h, w) uint8 -> raw bytes, row-major."""
    return np.ascontiguousarray(images, dtype=np.uint8).tobytes()
