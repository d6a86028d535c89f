"""The host path of ``DataMapLogger``: batches handed to any sink's ``log_batch`` on the host.

Taken by sinks of the user's own, numpy outputs and ``device_slots=False``: the outputs of
``flush_rows`` rows are copied to the host and given to the sink at once; under DDP each rank's
shard is gathered (pickled) on the recording rank at ``end_epoch``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist

from datamap_widget.engine._sink import to_numpy


def _concat(parts) -> np.ndarray:
    if all(isinstance(p, torch.Tensor) for p in parts):
        return to_numpy(torch.cat(parts))  # one device-to-host copy per chunk
    return np.concatenate([to_numpy(p) for p in parts])


class HostPath:
    """``log_batch`` / ``end_epoch`` through the sink's own ``log_batch``."""

    def _host_batch(self, ids, outputs, logits) -> None:
        """The host path of ``log_batch``: a few attribute reads and two appends (~1 us)."""
        # Nested on purpose: the common case (same logits object) exits after one identity check.
        if logits is not self._logits and self._logits is not None:  # noqa: SIM102
            if bool(logits) != self._logits:
                raise ValueError(
                    f"this epoch's earlier batches were logged with logits="
                    f"{self._logits}; log every batch the same way"
                )
        if not isinstance(ids, torch.Tensor):
            ids = np.asarray(ids)
        outputs = outputs.detach() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)
        n = ids.shape[0] if ids.ndim else 1
        if outputs.ndim == 0 or outputs.shape[0] != n:
            raise ValueError(
                f"{n} ids but outputs of shape {tuple(outputs.shape)} in this batch; "
                "the batch was not recorded"
            )
        if not self._checked:  # full validation once, at the first batch
            self._check_first(ids, outputs, logits)
            if not self.distributed:
                return
        self._logits = logits
        self._ids.append(ids)
        self._outputs.append(outputs)
        self._rows += n
        if self._rows >= self.flush_rows and not self.distributed:
            self._flush()

    def _check_first(self, ids, outputs, logits):
        if self.distributed:  # the sink records on dst only: check the ids here
            td, ids = self.dynamics, self._ids_of(to_numpy(ids))
            if td is not None:
                td.index_of(ids)
        else:
            self.sink.log_batch(self._ids_of(to_numpy(ids)), to_numpy(outputs), logits=logits)
            self._sink_pending = True
        self._checked = True

    def _flush(self):
        ids, outputs, logits = self._take_shard()
        if ids:
            self.sink.log_batch(self._ids_of(_concat(ids)), _concat(outputs), logits=bool(logits))
            self._sink_pending = True

    def _ids_of(self, keys: np.ndarray) -> np.ndarray:
        """Example ids for the logged keys (positions -> ids when ``positions=True``)."""
        if not self.positions or self.dynamics is None:
            return keys
        if self._table is None:
            self._table = np.asarray(self.dynamics.ids)
        keys = keys.astype(np.int64, copy=False).reshape(-1)
        if keys.size and (keys.min() < 0 or keys.max() >= self._table.shape[0]):
            raise ValueError(
                f"positions must lie in 0..{self._table.shape[0] - 1} (the map's "
                f"examples), got values from {keys.min()} to {keys.max()}"
            )
        return self._table[keys]

    def _record_epoch(self, keys: np.ndarray, outputs: np.ndarray, logits) -> None:
        """Record one epoch of keyed rows: ``log_epoch`` in the map's order when they cover every
        example exactly once (about half the engine's cost of ``log_batch``), else ``log_batch``
        + ``end_epoch`` so that the engine explains what is missing or repeated."""
        td, logits = self.dynamics, bool(logits)
        if td is not None and keys.shape[0] == td.n_examples:
            try:
                ids = self._ids_of(keys)  # checks the range of positions
                positions = keys.astype(np.int64) if self.positions else td.index_of(ids)
            except ValueError:
                positions = None
            if positions is not None and np.bincount(positions, minlength=td.n_examples).max() == 1:
                ordered = np.empty_like(outputs)
                ordered[positions] = outputs
                self.sink.log_epoch(ordered, logits=logits)
                return
        self.sink.log_batch(self._ids_of(keys), outputs, logits=logits)
        self.sink.end_epoch()

    def _take_shard(self):
        shard = (self._ids, self._outputs, self._logits)
        self._ids, self._outputs, self._logits, self._rows = [], [], None, 0
        return shard

    def _end_host_epoch(self) -> None:
        """The host path of ``end_epoch``: the sink's epoch, or the ranks' shards gathered."""
        if not self.distributed:
            if self._sink_pending or not self._ids:
                self._flush()
                self._sink_pending = False
                self.sink.end_epoch()
            else:
                ids, outputs, logits = self._take_shard()
                self._record_epoch(_concat(ids), _concat(outputs), logits)
            return
        ids, outputs, logits = self._take_shard()
        shard = (_concat(ids) if ids else None, _concat(outputs) if ids else None, logits)
        rank = dist.get_rank(self.group)
        recorder = self.dst if self.group is None else dist.get_global_rank(self.group, self.dst)
        shards = [None] * dist.get_world_size(self.group) if rank == self.dst else None
        dist.gather_object(shard, shards, dst=recorder, group=self.group)
        error = [None]
        if rank == self.dst:
            try:
                self._record(shards)
            except Exception as exc:  # re-raised on every rank below
                error = [exc]
        dist.broadcast_object_list(error, src=recorder, group=self.group)
        if error[0] is not None:
            raise error[0]

    def _record(self, shards) -> None:
        shards = [s for s in shards if s[0] is not None]
        kinds = {bool(s[2]) for s in shards}
        if not kinds:
            raise ValueError(
                "no batches were logged on any rank since the last epoch; call log_batch() first"
            )
        if len(kinds) > 1:
            raise ValueError("ranks logged with different logits= settings; use the same on all")
        ids = np.concatenate([s[0] for s in shards])
        outputs = np.concatenate([s[1] for s in shards])
        _, first = np.unique(ids, return_index=True)  # drop sampler padding repeats
        if first.size != ids.size:
            first.sort()
            ids, outputs = ids[first], outputs[first]
        self._record_epoch(ids, outputs, kinds.pop())
