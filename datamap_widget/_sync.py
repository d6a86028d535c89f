"""Pack the training history the page needs into compact binary buffers.

One buffer per shown label holds every logged epoch, so a widget displayed again (or a reloaded
page) rebuilds the same map from synced state alone. Layout of the history buffer, E epochs x N
examples, row-major (epoch, example), little-endian:

    float32 p(gold)       E*N*4 bytes
    uint8|uint16 predicted class  E*N*pred_bytes
    uint8 correct (0/1)   E*N bytes

Packing is a few array copies: O(E*N), no Python loop over examples.
"""

from __future__ import annotations

import numpy as np


def pred_bytes_for(n_classes: int) -> int:
    """Bytes per predicted-class entry: 1 up to 256 classes, else 2."""
    return 1 if n_classes <= 256 else 2


def pack_history(gold_probabilities, predictions, correct, pred_bytes: int) -> bytes:
    """(E, N) arrays -> the history buffer described in the module docstring."""
    p = np.asarray(gold_probabilities)
    n_cells = p.size
    buf = np.empty(n_cells * (4 + pred_bytes + 1), dtype=np.uint8)
    buf[: 4 * n_cells].view("<f4")[:] = p.reshape(-1)
    pred_dtype = "<u1" if pred_bytes == 1 else "<u2"
    start = 4 * n_cells
    buf[start : start + pred_bytes * n_cells].view(pred_dtype)[:] = np.asarray(predictions).reshape(-1)
    start += pred_bytes * n_cells
    buf[start:] = np.asarray(correct).reshape(-1)
    return buf.tobytes()


def unpack_history(buffer: bytes, n_epochs: int, n_examples: int, pred_bytes: int):
    """Inverse of pack_history (used by tests and for debugging)."""
    raw = np.frombuffer(buffer, dtype=np.uint8)
    n_cells = n_epochs * n_examples
    if raw.size != n_cells * (4 + pred_bytes + 1):
        raise ValueError(f"history buffer has {raw.size} bytes, expected {n_cells * (4 + pred_bytes + 1)}")
    p = raw[: 4 * n_cells].view("<f4").reshape(n_epochs, n_examples)
    start = 4 * n_cells
    pred = raw[start : start + pred_bytes * n_cells].view("<u1" if pred_bytes == 1 else "<u2")
    start += pred_bytes * n_cells
    correct = raw[start:].astype(bool)
    return p, pred.reshape(n_epochs, n_examples), correct.reshape(n_epochs, n_examples)


def pack_uint16(values) -> bytes:
    """Small non-negative ints (gold class indexes) -> little-endian uint16 bytes."""
    arr = np.asarray(values)
    if arr.size and (arr.min() < 0 or arr.max() > 65535):
        raise ValueError("class indexes must lie in 0..65535")
    return arr.astype("<u2").tobytes()


def pack_images(images: np.ndarray) -> bytes:
    """(N, h, w) uint8 -> raw bytes, row-major."""
    return np.ascontiguousarray(images, dtype=np.uint8).tobytes()
