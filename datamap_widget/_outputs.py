"""Reduce one batch or epoch of model outputs to what a data map needs, validating on the way.

A data map only uses p(gold) per example and epoch, plus the prediction for multiclass
correctness (argmax may differ from gold even when p(gold) is the largest runner-up) and, when
logits are given, the AUM margin. Everything else in the outputs is dropped right here, so the
engine never holds more than it needs. Nothing in this module touches engine state: a bad input
raises before anything is recorded.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from datamap_widget._classes import in_map_order
from datamap_widget._validation import check_bool

PROB_TOLERANCE = 1e-6  # probabilities may overshoot [0, 1] by float noise, not more
ROW_SUM_TOLERANCE = 1e-3  # softmax outputs saved as float16/32 rarely sum to exactly 1
BLOCK_ROWS = 4096


class EpochRecord(NamedTuple):
    """What is kept of one epoch: rows follow the engine's example order."""

    p_gold: np.ndarray  # float32 (N,) or (N, L) for multilabel
    pred: np.ndarray | None  # multiclass argmax, smallest unsigned dtype; None otherwise
    margin: np.ndarray | None  # float32 gold logit minus largest other logit; None for probs


def pred_dtype(n_classes: int) -> np.dtype:
    return np.min_scalar_type(max(n_classes - 1, 0))


# machine epsilon of float formats numpy lacks or that are coarser than float32: their softmax
# rows sum to 1 only within about one epsilon, so the row-sum check widens to match
LOW_PRECISION_EPS = {"bfloat16": 2.0**-7, "float16": 2.0**-10}


def _float_array(outputs):
    """Outputs as a float32/float64 array, and the epsilon of the precision they came in.

    Torch tensors (any device, requires_grad or not) are recognised by duck typing, so torch
    is never imported; bfloat16/float16 tensors are widened on their device first, since numpy
    has no bfloat16. ml_dtypes bfloat16 arrays (TensorFlow, JAX) and numpy float16 are widened
    here.
    """
    eps = 0.0
    if hasattr(outputs, "detach"):  # torch: avoid the requires_grad error of __array__
        outputs = outputs.detach()
        eps = LOW_PRECISION_EPS.get(str(outputs.dtype).removeprefix("torch."), 0.0)
        outputs = (outputs.float() if eps else outputs).cpu().numpy()
    arr = np.asarray(outputs)
    if arr.dtype.itemsize < 4 and arr.dtype.kind in "fV":  # (dtype.name costs 1.5 us a call)
        eps = LOW_PRECISION_EPS.get(arr.dtype.name, eps)
        if arr.dtype.name == "bfloat16":
            arr = arr.astype(np.float32)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"outputs must be numeric (float probabilities or logits), got dtype {arr.dtype}"
        )
    # float32 probabilities stay float32 (they are stored as float32 anyway): half the traffic
    return (arr if arr.dtype == np.float32 else arr.astype(np.float64)), eps


def _rows(mask_2d_or_1d: np.ndarray) -> np.ndarray:
    bad = mask_2d_or_1d.reshape(mask_2d_or_1d.shape[0], -1).any(axis=1)
    return np.flatnonzero(bad)


def _check_finite(x: np.ndarray, what: str) -> None:
    if x.size and not (np.isfinite(x.min()) and np.isfinite(x.max())):  # NaN propagates
        rows = _rows(~np.isfinite(x))
        raise ValueError(
            f"{what} contain NaN or inf in {rows.size} rows "
            f"(first rows: {rows[:5].tolist()}); nothing was recorded"
        )


def _check_probabilities(x: np.ndarray, rows_sum_to_one: bool, eps: float = 0.0) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = x.min(), x.max()  # two reductions catch NaN, inf and out-of-range at once
    if not (lo >= -PROB_TOLERANCE and hi <= 1 + PROB_TOLERANCE):
        _check_finite(x, "probabilities")
        outside = (x < -PROB_TOLERANCE) | (x > 1 + PROB_TOLERANCE)
        rows = _rows(outside)
        raise ValueError(
            f"probabilities must lie in [0, 1]; {rows.size} rows do not (first "
            f"rows: {rows[:5].tolist()}, e.g. value {x[outside][0]:.6g}). "
            "Pass logits=True if these are logits; nothing was recorded"
        )
    if rows_sum_to_one:
        off = np.abs(x.sum(axis=1) - 1.0) > max(ROW_SUM_TOLERANCE, eps)
        if off.any():
            rows = np.flatnonzero(off)
            raise ValueError(
                f"each row of class probabilities must sum to 1; {rows.size} rows "
                f"do not (first rows: {rows[:5].tolist()}, row {rows[0]} sums to "
                f"{x[rows[0]].sum():.6g}). Pass logits=True if these are logits, "
                "or apply softmax; nothing was recorded"
            )
    return np.clip(x, 0.0, 1.0) if lo < 0 or hi > 1 else x


def _sigmoid(m: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-m))


def _softmax_block(z: np.ndarray, gold: np.ndarray):
    """p(gold), argmax and margin of a block of logits, using one float64 scratch copy."""
    rows = np.arange(gold.shape[0])
    z = z.astype(np.float64)
    pred = z.argmax(axis=1)
    top = z[rows, pred]
    z_gold = z[rows, gold]
    z[rows, gold] = -np.inf
    margin = z_gold - z.max(axis=1)  # gold logit minus the largest other logit
    z[rows, gold] = z_gold
    z -= top[:, None]
    np.exp(z, out=z)
    return np.exp(z_gold - top) / z.sum(axis=1), pred, margin


def _softmax_in_blocks(x: np.ndarray, gold: np.ndarray, n_classes: int):
    """Row blocks keep the scratch memory small and cache-resident whatever N is."""
    n = gold.shape[0]
    p_gold = np.empty(n, np.float32)
    pred = np.empty(n, pred_dtype(n_classes))
    margin = np.empty(n, np.float32)
    for start in range(0, n, BLOCK_ROWS):
        block = slice(start, start + BLOCK_ROWS)
        p_gold[block], pred[block], margin[block] = _softmax_block(x[block], gold[block])
    return p_gold, pred, margin


def _shape_error(x, n, expected: str) -> ValueError:
    return ValueError(
        f"outputs have shape {x.shape}; expected {expected} for these {n} "
        "examples; nothing was recorded"
    )


def convert(
    outputs, gold: np.ndarray, task: str, n_classes: int, logits: bool, order=None
) -> EpochRecord:
    """Validate outputs for the examples whose gold labels are `gold` and reduce them.

    ``order``: the map class of each output column (``_classes.column_order``), None: as is.
    """
    check_bool(logits, "logits")
    x, eps = _float_array(outputs)
    x = in_map_order(x, order, task, n_classes, logits)
    if logits and task != "multiclass":
        x = x.astype(np.float64, copy=False)
    n = gold.shape[0]
    rows = np.arange(n)
    margin = pred = None

    if task == "binary":
        if x.ndim == 2 and x.shape[1] == 1:
            x = x[:, 0]
        if x.shape == (n,):
            if logits:
                _check_finite(x, "logits")
                margin = np.where(gold == 1, x, -x)
                p_gold = _sigmoid(margin)
            else:
                x = _check_probabilities(x, rows_sum_to_one=False)
                p_gold = np.where(gold == 1, x, 1.0 - x)
        elif x.shape == (n, 2):
            if logits:
                _check_finite(x, "logits")
                margin = x[rows, gold] - x[rows, 1 - gold]
                p_gold = _sigmoid(margin)
            else:
                p_gold = _check_probabilities(x, rows_sum_to_one=True, eps=eps)[rows, gold]
        else:
            raise _shape_error(x, n, f"({n},) p(class 1), ({n}, 1) or ({n}, 2)")
    elif task == "multiclass":
        if x.shape != (n, n_classes):
            raise _shape_error(x, n, f"({n}, {n_classes}) class scores")
        if logits:
            _check_finite(x, "logits")
            p_gold, pred, margin = _softmax_in_blocks(x, gold, n_classes)
        else:
            pred = np.argmax(x, axis=1).astype(pred_dtype(n_classes))
            p_gold = _check_probabilities(x, rows_sum_to_one=True, eps=eps)[rows, gold]
    else:  # multilabel: one independent binary problem per label
        if x.shape != gold.shape:
            raise _shape_error(x, n, f"{gold.shape} per-label scores")
        if logits:
            _check_finite(x, "logits")
            margin = np.where(gold, x, -x)
            p_gold = _sigmoid(margin)
        else:
            x = _check_probabilities(x, rows_sum_to_one=False)
            p_gold = np.where(gold, x, 1.0 - x)

    return EpochRecord(
        p_gold=p_gold.astype(np.float32),
        pred=pred,
        margin=None if margin is None else margin.astype(np.float32),
    )
