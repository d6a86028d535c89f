"""One epoch of a PyTorch run, assembled on the device that computes the outputs.

Why: a training step on a GPU can take a millisecond. Anything that makes the host wait for the
device (``.item()``, ``.cpu()``, boolean masks, ``nonzero``) or converts outputs on the host while
the device idles costs as much as a step: the host logger did both, and the engine's conversion
of the outputs (~0.5 us per row of 10 classes) was the bulk of its overhead on fast loops. Here a
batch costs one indexed write of its output rows into a buffer preallocated for the epoch, and
one atomic count per example; ids become positions on the device (invalid ones go to a spare
slot and are counted); at ``end_epoch`` the buffer is reduced to p(gold) / prediction / margin on
the device and moved to the host once (non-blocking into pinned memory, one synchronisation).

The reduction mirrors the engine's (``datamap_widget._outputs.convert``): float64, the same
formulas and the same checks, but the checks are read once per epoch, so a bad value is reported
at ``end_epoch`` with the ids of the examples that had it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from datamap_widget._outputs import LOW_PRECISION_EPS, PROB_TOLERANCE, ROW_SUM_TOLERANCE

NONFINITE, OUT_OF_RANGE, ROW_SUM = 1, 2, 4  # problem flags per example (bits)
# outputs reduced at once at end_epoch: few launches on a GPU (64 MB float64 scratch per
# temporary), cache-sized blocks on a CPU (measured: 2M x 10 logits, 1 thread, 1.1 s at 2^18
# elements, 2.3 s at 2^14)
BLOCK_ELEMENTS = {"cpu": 1 << 18}
DEFAULT_BLOCK_ELEMENTS = 1 << 23


class Reduced(NamedTuple):
    """What the map keeps of a block of outputs, still on the device."""

    p_gold: torch.Tensor  # float32 (n,) or (n, L)
    pred: torch.Tensor | None  # multiclass argmax (small int dtype); None otherwise
    margin: torch.Tensor | None  # float32 gold logit minus the largest other; None for probs
    bad: torch.Tensor  # uint8 (n,): NONFINITE | OUT_OF_RANGE | ROW_SUM


def precision_eps(dtype: torch.dtype) -> float:
    """Machine epsilon of half-precision outputs (their softmax rows sum to 1 only that closely)."""
    return LOW_PRECISION_EPS.get(str(dtype).removeprefix("torch."), 0.0)


def pred_dtype(n_classes: int) -> torch.dtype:
    return torch.uint8 if n_classes <= 256 else torch.int32


def _rows_with(mask: torch.Tensor) -> torch.Tensor:
    return mask.reshape(mask.shape[0], -1).any(dim=1).to(torch.uint8)


def _sigmoid(m: torch.Tensor) -> torch.Tensor:
    return 1.0 / (1.0 + torch.exp(-m))  # the engine's formula, so both paths round alike


def reduce_outputs(x, gold, task, n_classes, logits, eps=0.0) -> Reduced:
    """p(gold), prediction, margin and problem flags of output rows; no host synchronisation.

    ``x``: (n,) or (n, k) outputs, ``gold``: (n,) class indexes or (n, L) bools, on x's device.
    """
    x = x.double()
    n = x.shape[0]
    pred = margin = None
    rows = x if x.ndim == 1 else None
    sums = None if rows is not None else x.sum(dim=1)  # non-finite iff an entry is (float64)
    bad = (~torch.isfinite(sums if rows is None else rows)).to(torch.uint8) * NONFINITE
    if not logits:
        low, high = (rows, rows) if rows is not None else torch.aminmax(x, dim=1)
        outside = (low < -PROB_TOLERANCE) | (high > 1 + PROB_TOLERANCE)
        bad = bad | outside.to(torch.uint8) * OUT_OF_RANGE
        if rows is None and task != "multilabel":  # class probabilities: rows sum to 1
            off = (sums - 1.0).abs() > max(ROW_SUM_TOLERANCE, eps)
            bad = bad | off.to(torch.uint8) * ROW_SUM
    if task == "multiclass":
        g = gold.long()[:, None]
        pred = x.argmax(dim=1)  # the first of tied maxima, as numpy's
        if logits:
            z_gold = x.gather(1, g)[:, 0]
            if x.shape[1] > 1:  # largest other logit: the runner-up when gold is the argmax
                best = x.topk(2, dim=1).values
                other = torch.where(pred == g[:, 0], best[:, 1], best[:, 0])
            else:
                other = torch.full_like(z_gold, -math.inf)
            top = best[:, 0] if x.shape[1] > 1 else z_gold
            margin = z_gold - other
            p_gold = torch.exp(z_gold - top) / torch.exp(x - top[:, None]).sum(dim=1)
        else:
            p_gold = x.clamp(0.0, 1.0).gather(1, g)[:, 0]
        pred = pred.to(pred_dtype(n_classes))
    elif task == "binary" and x.ndim == 2:  # (n, 2)
        g = gold.long()[:, None]
        if logits:
            margin = (x.gather(1, g) - x.gather(1, 1 - g))[:, 0]
            p_gold = _sigmoid(margin)
        else:
            p_gold = x.clamp(0.0, 1.0).gather(1, g)[:, 0]
    else:  # binary (n,) p(class 1) or multilabel (n, L): one sigmoid/probability per entry
        positive = gold.bool()
        if logits:
            margin = torch.where(positive, x, -x)
            p_gold = _sigmoid(margin)
        else:
            x = x.clamp(0.0, 1.0)
            p_gold = torch.where(positive, x, 1.0 - x)
    margin = None if margin is None else margin.float()
    return Reduced(p_gold.float().reshape(n, *gold.shape[1:]), pred, margin, bad)


class DeviceEpoch:
    """Per-example slots for the epoch in progress, on one device, allocated once, reused.

    Slot ``n`` is a spare: ids that are not among the map's examples are written there (and
    counted), so no write ever needs a bounds check on the host. Output rows are kept raw when
    the (n, k) buffer fits in ``row_buffer_bytes`` (one copy per write, reduced at the end);
    otherwise rows are reduced as they come (~10 bytes per example, a dozen more kernels).
    """

    def __init__(self, gold, task, n_classes, row_shape, dtype, device, row_buffer_bytes):
        gold = torch.from_numpy(np.array(gold))  # a copy: the engine's gold is read-only
        self.n, self.task, self.n_classes = gold.shape[0], task, n_classes
        self.row_shape, self.dtype, self.device = tuple(row_shape), dtype, device
        self.gold = torch.cat([gold, torch.zeros_like(gold[:1])]).to(device)
        self.count = torch.zeros(self.n + 1, dtype=torch.int32, device=device)
        self._one = torch.ones((), dtype=torch.int32, device=device)
        row_bytes = math.prod(self.row_shape) * dtype.itemsize
        self.keeps_rows = (self.n + 1) * row_bytes <= row_buffer_bytes
        shape = (self.n + 1, *self.row_shape)
        self.rows = torch.empty(shape, dtype=dtype, device=device) if self.keeps_rows else None
        self._slots = None  # Reduced of n + 1 slots, when rows are not kept
        self._staging = None  # pinned host buffers for the end-of-epoch copy (CUDA)
        self.logits = None  # this epoch's logits= (None: no batch logged yet)
        self.eps = 0.0
        self.n_batches = 0  # batches logged this epoch (written or still in the logger's chunk)

    def fits(self, row_shape, dtype, device) -> bool:
        return (tuple(row_shape), dtype, device) == (self.row_shape, self.dtype, self.device)

    def write(self, positions, x, keep_first: bool) -> None:
        """Record rows: ``positions`` (k,) int64 on the device, n for invalid ids."""
        target = positions
        if keep_first:  # distributed: padding repeats an example; its first output is kept
            target = torch.where(self.count[positions] == 0, positions, self.n)
        if self.keeps_rows:
            self.rows.index_copy_(0, target, x.to(self.dtype))
        else:
            self._write_reduced(
                target,
                reduce_outputs(
                    x, self.gold[positions], self.task, self.n_classes, self.logits, self.eps
                ),
            )
        self.count.scatter_add_(0, positions, self._one.expand(positions.shape[0]))

    def _write_reduced(self, target, part: Reduced) -> None:
        slots = self._slots
        if slots is None or (slots.margin is None) != (part.margin is None):
            slots = self._slots = Reduced(
                *(None if t is None else t.new_zeros((self.n + 1, *t.shape[1:])) for t in part)
            )
        for slot, values in zip(slots, part):
            if slot is not None:
                slot.index_copy_(0, target, values)

    def finish(self) -> Reduced:
        """The epoch reduced over the n examples (flags kept only for examples logged)."""
        n = self.n
        if self.keeps_rows:
            block = BLOCK_ELEMENTS.get(self.device.type, DEFAULT_BLOCK_ELEMENTS)
            step = max(1, block // max(1, math.prod(self.row_shape)))
            blocks = [
                reduce_outputs(
                    self.rows[s : min(s + step, n)],
                    self.gold[s : min(s + step, n)],
                    self.task,
                    self.n_classes,
                    self.logits,
                    self.eps,
                )
                for s in range(0, n, step)
            ]
            part = Reduced(*(None if b[0] is None else torch.cat(b) for b in zip(*blocks)))
        else:
            part = Reduced(*(None if t is None else t[:n] for t in self._slots))
        return part._replace(bad=torch.where(self.count[:n] > 0, part.bad, 0))

    def summary(self, bad) -> torch.Tensor:
        """(6,) int64 on the device: invalid ids, missing, repeated, then examples per flag."""
        seen = self.count[:-1]
        return torch.stack(
            [
                self.count[-1].long(),
                (seen == 0).sum(),
                (seen > 1).sum(),
                *(((bad & flag) > 0).sum() for flag in (NONFINITE, OUT_OF_RANGE, ROW_SUM)),
            ]
        )

    def to_host(self, tensors) -> list:
        """Fresh numpy copies of device tensors (None stays None), with one synchronisation."""
        present = [t for t in tensors if t is not None]
        if self.device.type == "cuda":
            shapes = [(t.shape, t.dtype) for t in present]
            if self._staging is None or [(s.shape, s.dtype) for s in self._staging] != shapes:
                self._staging = [torch.empty(s, dtype=d, pin_memory=True) for s, d in shapes]
            for host, t in zip(self._staging, present):
                host.copy_(t, non_blocking=True)
            torch.cuda.current_stream(self.device).synchronize()
            copies = iter([np.array(h.numpy()) for h in self._staging])
        else:
            copies = iter([np.array(t.cpu().numpy()) for t in present])
        return [None if t is None else next(copies) for t in tensors]

    def reset(self) -> None:
        self.count.zero_()
        self.logits = None
        self.eps = 0.0
        self.n_batches = 0


def epoch_problems(ids, *, bad, logits, positions, invalid=0, missing=None, repeated=None):
    """What keeps an epoch (or a batch) from being recorded, one sentence each; [] when fine.

    ``ids``: the map's ids by position; ``missing`` / ``repeated``: positions; ``bad``: (n,)
    flags by position; ``invalid``: how many ids were not the map's.
    """
    none = np.zeros(0, np.int64)
    missing = none if missing is None else missing
    repeated = none if repeated is None else repeated
    n = ids.shape[0]

    def some(rows):
        return ids[rows[:5]].tolist()

    problems = []
    if invalid:
        where = f" (positions must lie in 0..{n - 1})" if positions else ""
        problems.append(
            f"{invalid} ids logged this epoch are not among the map's {n} examples{where}; "
            "id tensors on the outputs' device are checked once per epoch, at end_epoch"
        )
    if repeated.size:
        problems.append(
            f"{repeated.size} examples were logged more than once this epoch (e.g. ids "
            f"{some(repeated)}); log each example once per epoch"
        )
    kind = "logits" if logits else "probabilities"
    for flag, text in (
        (NONFINITE, f"the {kind} of {{k}} examples contain NaN or inf (e.g. ids {{ids}})"),
        (
            OUT_OF_RANGE,
            "probabilities must lie in [0, 1]; those of {k} examples do not (e.g. ids {ids}). "
            "Pass logits=True if these are logits",
        ),
        (
            ROW_SUM,
            "each row of class probabilities must sum to 1; the rows of {k} examples do not "
            "(e.g. ids {ids}). Pass logits=True if these are logits, or apply softmax",
        ),
    ):
        rows = np.flatnonzero(bad & flag)
        if rows.size:
            problems.append(text.format(k=rows.size, ids=some(rows)))
    if missing.size:
        problems.append(
            f"epoch incomplete: {missing.size} of {n} examples were not logged (e.g. ids "
            f"{some(missing)})"
        )
    return problems


DROPPED = "The epoch was not recorded and its batches were dropped"
