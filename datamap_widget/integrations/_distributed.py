"""A DDP epoch merged with tensor collectives: every rank's device slots, first output wins.

Each rank holds the whole map's slots (``DeviceEpoch``: n examples, ~10 bytes each once reduced)
but fills only its shard. Rather than gathering world x n rows, one ``all_reduce(MIN)`` picks
each example's owner (the lowest rank that logged it: ``DistributedSampler`` and accelerate
pad the last batches with repeats, and rank order makes "first output wins" well defined),
every rank zeroes the slots it does not own, and ``reduce(SUM)`` on ``dst`` adds exactly one
non-zero value per example, which is exact. Every check ends in an all-reduced count, so every
rank raises the same error and none is left waiting in a collective.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist

from datamap_widget.integrations._device_epoch import (
    DROPPED,
    DeviceEpoch,
    Reduced,
    epoch_problems,
    pred_dtype,
)


def default_device(group) -> torch.device:
    if dist.get_backend(group) == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _empty(dynamics, logits: bool, device) -> Reduced:
    """Slots of a rank that logged nothing this epoch: it owns no example."""
    n = dynamics.n_examples
    shape = (n, dynamics.n_classes) if dynamics.task == "multilabel" else (n,)
    multiclass = dynamics.task == "multiclass"
    return Reduced(
        torch.zeros(shape, dtype=torch.float32, device=device),
        torch.zeros(n, dtype=pred_dtype(dynamics.n_classes), device=device) if multiclass else None,
        torch.zeros(shape, dtype=torch.float32, device=device) if logits else None,
        torch.zeros(n, dtype=torch.uint8, device=device),
    )


def check_same_map(dynamics, gold: np.ndarray, device, group) -> None:
    """Collective, once per run: every rank must hold the same map (ids and gold labels).

    Each rank reduces its own rows against its own gold labels, so a rank built from other data
    (a different split, labels drawn without a seed) would silently put wrong values on the map.
    """
    ids_hash = pd.util.hash_array(np.asarray(dynamics.ids)).view(np.int64)
    rows = np.column_stack([ids_hash, gold.reshape(gold.shape[0], -1).astype(np.int64)])
    local = torch.from_numpy(rows).to(device)
    low, high = local.clone(), local.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN, group=group)
    dist.all_reduce(high, op=dist.ReduceOp.MAX, group=group)
    differ = np.flatnonzero((low != high).any(dim=1).cpu().numpy())
    if differ.size:
        raise ValueError(
            f"the ranks' data maps differ in the ids or gold labels of {differ.size} examples "
            f"(e.g. positions {differ[:5].tolist()}); build the widget/TrainingDynamics from "
            "the same dataset, in the same order, on every rank"
        )


def gather_epoch(
    epoch: DeviceEpoch | None, dynamics, *, group, dst: int, positions: bool, local_error=None
):
    """Collective (every rank calls it): the epoch's (p_gold, pred, margin) numpy arrays on
    ``dst`` (None elsewhere); the same ValueError on every rank when it cannot be recorded.
    ``local_error``: this rank failed to write its last batches; every rank then raises."""
    rank, world = dist.get_rank(group), dist.get_world_size(group)
    dst_global = dst if group is None else dist.get_global_rank(group, dst)
    logged = epoch is not None and epoch.logits is not None
    device = epoch.device if epoch is not None else default_device(group)
    n = dynamics.n_examples
    count = epoch.count if logged else torch.zeros(n + 1, dtype=torch.int32, device=device)
    stats = torch.stack(
        [
            count[:-1].sum().long(),
            count[-1].long(),
            torch.tensor(int(logged and epoch.logits), device=device),
            torch.tensor(int(logged and not epoch.logits), device=device),
            torch.tensor(int(local_error is not None), device=device),
        ]
    )
    dist.all_reduce(stats, group=group)
    rows, invalid, with_logits, without_logits, failed = stats.tolist()
    if failed:
        if local_error is not None:
            raise local_error
        raise ValueError(
            f"{failed} other ranks could not log their batches this epoch (their errors say "
            f"why). {DROPPED}"
        )
    if rows + invalid == 0:
        raise ValueError(
            "no batches were logged on any rank since the last epoch; call log_batch() first"
        )
    if with_logits and without_logits:
        raise ValueError("ranks logged with different logits= settings; use the same on all")
    part = epoch.finish() if logged else _empty(dynamics, bool(with_logits), device)
    owner = torch.where(count[:-1] > 0, rank, world).int()
    dist.all_reduce(owner, op=dist.ReduceOp.MIN, group=group)
    mine = owner == rank
    part = Reduced(*(None if t is None else _only(mine, t) for t in part))
    flags = torch.stack([(owner == world).sum(), (part.bad > 0).sum()])
    dist.all_reduce(flags, group=group)
    missing, bad = flags.tolist()
    if invalid or missing or bad:
        dist.all_reduce(part.bad, group=group)  # one owner per example: the sum is its flags
        ids = np.asarray(dynamics.ids)
        problems = epoch_problems(
            ids,
            bad=part.bad.cpu().numpy(),
            logits=bool(with_logits),
            positions=positions,
            invalid=invalid,
            missing=np.flatnonzero(owner.cpu().numpy() == world),
        )
        raise ValueError("; ".join(problems) + ". " + DROPPED)
    values = [part.p_gold, part.pred, part.margin]
    for t in values:
        if t is not None:
            dist.reduce(t, dst=dst_global, group=group)
    if rank != dst:
        return None
    if epoch is None:
        return [None if t is None else t.cpu().numpy() for t in values]
    return epoch.to_host(values)


def _only(mine: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """``values`` where this rank owns the example, zero elsewhere (NaN in foreign slots too)."""
    return torch.where(mine.reshape(-1, *[1] * (values.ndim - 1)), values, 0).to(values.dtype)
