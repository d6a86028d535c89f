"""Example ids -> row positions of the map, on the device the outputs live on.

Ids that arrive as a tensor on that device (positions sliced from a permutation on the GPU, the
column a Hugging Face ``Trainer`` moved there) are looked up there: no host round trip, so no
synchronisation; an id that is not among the map's examples becomes position ``n`` (the spare
slot of ``DeviceEpoch``), counted and reported at ``end_epoch``. Ids anywhere else (a
DataLoader's CPU tensor, a list, numpy, strings) are looked up on the host, where a bad id raises
at once, and the positions are copied over without blocking.
"""

from __future__ import annotations

import numpy as np
import torch

from datamap_widget.integrations._sink import to_numpy


def _on_a_device(ids, device) -> bool:
    """Ids to look up where they are: on the outputs' device, or on another accelerator (a
    DataParallel replica's), never read back by the host."""
    return isinstance(ids, torch.Tensor) and (ids.device == device or ids.device.type != "cpu")


class PositionLookup:
    """``positions=True``: the ids are row positions already (what ``IndexedDataset`` yields)."""

    def __init__(self, dynamics, positions: bool):
        self.dynamics = dynamics
        self.n = dynamics.n_examples
        ids = np.asarray(dynamics.ids)
        self.positions = positions
        self._identity = positions or (
            ids.dtype.kind in "iu" and bool((ids == np.arange(self.n)).all())
        )
        self._int_ids = ids.dtype.kind in "iu"
        self._sorted = {}  # device -> (sorted ids, their positions), built on first use

    def many(self, batches: list, device: torch.device) -> torch.Tensor:
        """Positions of the ids of several batches, concatenated, on ``device``."""
        if all(_on_a_device(ids, device) for ids in batches):
            parts = [ids.reshape(-1).to(device, non_blocking=True) for ids in batches]
            return self.on_device(parts[0] if len(parts) == 1 else torch.cat(parts))
        keys = np.concatenate([np.asarray(to_numpy(ids)).reshape(-1) for ids in batches])
        return torch.from_numpy(self.on_host(keys)).to(device, non_blocking=True)

    def on_host(self, keys: np.ndarray) -> np.ndarray:
        """int64 positions; ValueError naming ids that are not the map's."""
        keys = np.asarray(keys).reshape(-1)
        if not self.positions:
            return self.dynamics.index_of(keys)
        if keys.dtype.kind not in "iu":
            raise TypeError(f"positions must be integers, got dtype {keys.dtype}")
        if keys.size and (keys.min() < 0 or keys.max() >= self.n):
            raise ValueError(
                f"positions must lie in 0..{self.n - 1} (the map's examples), got values "
                f"from {keys.min()} to {keys.max()}"
            )
        return keys.astype(np.int64)

    def on_device(self, ids: torch.Tensor) -> torch.Tensor:
        """int64 positions on ids' device, ``n`` for ids that are not the map's (no sync)."""
        if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
            raise TypeError(f"ids must be integers, got dtype {ids.dtype}")
        query = ids.reshape(-1).long()
        if self._identity:
            return torch.where((query >= 0) & (query < self.n), query, self.n)
        if not self._int_ids:
            raise TypeError(
                "the map's ids are not integers, so integer id tensors cannot be looked up; "
                "log row positions (IndexedDataset) with DataMapLogger(..., positions=True)"
            )
        if ids.device not in self._sorted:
            ids_np = np.asarray(self.dynamics.ids).astype(np.int64)
            order = np.argsort(ids_np, kind="stable")
            self._sorted[ids.device] = (
                torch.from_numpy(ids_np[order]).to(ids.device),
                torch.from_numpy(order).to(ids.device),
            )
        keys, order = self._sorted[ids.device]
        at = torch.searchsorted(keys, query).clamp_(max=self.n - 1)
        return torch.where(keys[at] == query, order[at], self.n)
