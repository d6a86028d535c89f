"""PyTorch: example ids for datasets without them, and data maps of distributed (DDP) runs.

A plain loop::

    log = DataMapLogger(w)  # w: DataMapWidget or TrainingDynamics
    for ids, (x, y) in DataLoader(IndexedDataset(train), batch_size=32, shuffle=True):
        logits = model(x)
        ...
        log.log_batch(ids, logits, logits=True)
    log.end_epoch()

``w.log_batch`` works too, but converts every batch on the host at once, which makes the host
wait for the GPU at every step. ``DataMapLogger`` writes each batch into slots preallocated on
the outputs' device (no host synchronisation per step) and moves the epoch to the host once, at
``end_epoch``; see ``DataMapLogger`` and ``_device_epoch``.

Cross-fitted (held-out) maps: train K models side by side and let ``CrossFitRouter`` send each
model's outputs where they belong (``datamap_widget.crossfit``; tested in
``tests/test_crossfit_torch.py``)::

    router = CrossFitRouter(td, fold_assignments(labels, 5))  # td.in_sample is made for you
    data = TensorDataset(torch.arange(n), x, y)  # positions in the map's order
    for epoch in range(epochs):
        for k, (model, opt) in enumerate(zip(models, optimizers)):
            for pos, xb, yb in DataLoader(Subset(data, router.training_rows(k)), shuffle=True):
                ...  # one training step
            with torch.no_grad():
                for pos, xb, _ in DataLoader(Subset(data, router.rows_to_score(k))):
                    router.log(k, pos, model(xb), logits=True)
        router.end_epoch()
    td.label_issues()
"""

from __future__ import annotations

import threading

import numpy as np
import torch
import torch.distributed as dist

from datamap_widget._validation import check_bool, check_int, check_positive_int
from datamap_widget.integrations._device_epoch import (
    DROPPED,
    DeviceEpoch,
    epoch_problems,
    precision_eps,
    reduce_outputs,
)
from datamap_widget.integrations._distributed import (
    check_same_map,
    default_device,
    gather_epoch,
)
from datamap_widget.integrations._positions import PositionLookup
from datamap_widget.integrations._sink import check_sink, dynamics_of, to_numpy

__all__ = ["DataMapLogger", "IndexedDataset"]


class IndexedDataset(torch.utils.data.Dataset):
    """Wraps a map-style dataset so each item comes with its position (its example id).

    ``key=None`` yields ``(index, item)``; with ``key="idx"`` dict items get the index added
    under that key instead (for collators and Trainers that work on dicts).
    """

    def __init__(self, dataset, key=None):
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                f"IndexedDataset needs a map-style dataset (__getitem__ and __len__), "
                f"got {type(dataset).__name__}"
            )
        self.dataset = dataset
        self.key = key

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        item = self.dataset[index]
        if self.key is None:
            return index, item
        if not isinstance(item, dict):
            raise TypeError(
                f"IndexedDataset(key={self.key!r}) needs dict items, got "
                f"{type(item).__name__}; use key=None to get (index, item) pairs"
            )
        if self.key in item:
            raise ValueError(f"items already have a {self.key!r} entry; choose another key")
        return {**item, self.key: index}


CHUNK_BATCHES = 32  # batches written to the device slots at once


def gold_matrix(td) -> np.ndarray:
    """(N,) gold classes, or (N, L) bools for a multilabel map."""
    if td.task != "multilabel":
        return td.gold()
    return np.stack([td.gold(label=i) for i in range(td.n_classes)], axis=1).astype(bool)


def _buffer_dtype(x: torch.Tensor) -> torch.dtype:
    """float64 outputs keep their precision; anything else is kept as float32."""
    return torch.float64 if x.dtype == torch.float64 else torch.float32


def _concat(parts) -> np.ndarray:
    if all(isinstance(p, torch.Tensor) for p in parts):
        return to_numpy(torch.cat(parts))  # one device-to-host copy per chunk
    return np.concatenate([to_numpy(p) for p in parts])


class DataMapLogger:
    """A sink for PyTorch loops: no host synchronisation per step, DDP runs gathered on one rank.

    Tensor outputs go to per-example slots preallocated on their device (``DeviceEpoch``):
    ``log_batch`` checks tensor metadata and keeps the batch; every 32 batches one indexed copy
    writes their rows and one atomic add counts each example, with no ``.item()``, ``.cpu()`` or
    Python-side growth; ``end_epoch`` reduces the epoch to p(gold) / prediction / margin on the
    device, moves it to the host once (non-blocking, into pinned memory) and records it. The
    very first batch is also checked on the host (one synchronisation per run), so setup
    mistakes raise at step 1; later bad values (NaN, ids that are not the map's) are reported at
    ``end_epoch`` (ids given as lists or numpy: when their batch is written) with example ids,
    and the epoch is not recorded. Slots are reused every epoch: raw rows when the (N, C) buffer
    fits in ``row_buffer_bytes``, else batches reduced as they are written.

    The logger holds the outputs of up to 32 batches until it writes them: log
    ``outputs.clone()`` if your loop overwrites them in place (the CUDA graphs of
    ``torch.compile(mode="reduce-overhead")`` reuse their output memory).

    Under ``torch.distributed`` every rank fills its own slots and ``end_epoch`` is a collective:
    every rank must call it; tensor collectives (``all_reduce`` / ``reduce``, about 10 bytes per
    example) merge the shards on rank ``dst``, whose sink records the epoch. An id seen twice in a
    distributed epoch (``DistributedSampler`` and accelerate pad the last batch with repeats)
    keeps its first output (lowest rank, then earliest batch). Errors are raised on every rank,
    so no rank hangs in the next collective.

    Parameters
    ----------
    sink : TrainingDynamics, DataMapWidget, or any object with ``log_epoch``, ``log_batch`` and
        ``end_epoch`` (such sinks, and numpy outputs, take the host path: the outputs are
        handed to the sink's ``log_batch`` in chunks of ``flush_rows`` rows).
    positions : True when the ids given to ``log_batch`` are row positions in the sink's
        example order (what ``IndexedDataset`` yields), e.g. when the map's ids are strings.
    group, dst : the process group and the rank (in it) whose sink records, under DDP.
    flush_rows : host path: rows per hand-over; device path: at most this many rows wait in a
        chunk before they are written.
    row_buffer_bytes : raw output rows are kept on the device when the epoch's (N, C) buffer
        fits in this many bytes; else batches are reduced as they are written.
    device_slots : False takes the host path even for tensor outputs and a TrainingDynamics or
        widget sink (what every run did before: a synchronisation and a host conversion per
        ``flush_rows`` rows).
    """

    def __init__(
        self,
        sink,
        *,
        positions=False,
        group=None,
        dst=0,
        flush_rows=65_536,
        row_buffer_bytes=256 << 20,
        device_slots=True,
    ):
        self.sink = check_sink(sink)
        self.positions = bool(positions)
        self._table = None  # the sink's ids by position (positions=True)
        self.group = group
        self.dst = dst
        self.flush_rows = check_positive_int(flush_rows, "flush_rows")
        self.row_buffer_bytes = check_int(row_buffer_bytes, "row_buffer_bytes", minimum=0)
        self._ids, self._outputs, self._logits, self._rows = [], [], None, 0
        self._checked = False
        self._sink_pending = False  # the sink holds batches of this epoch
        td = self.dynamics
        self._on_device = (
            bool(device_slots)
            and callable(getattr(sink, "log_reduced_epoch", None))
            and td is not None
        )
        self._lookup = PositionLookup(td, self.positions) if self._on_device else None
        self._epoch = None  # DeviceEpoch: this logger's slots on the outputs' device
        self._keep_first = False  # distributed: a repeated example keeps its first output
        self._same_map_checked = False  # distributed: every rank holds the same ids and labels
        self._chunk_ids, self._chunk_x = [None] * CHUNK_BATCHES, [None] * CHUNK_BATCHES
        self._chunk_size = self._chunk_rows = 0  # batches held until the next write
        self._seen = None  # (shape, dtype, device) of the last batch checked: the fast path's key
        self._lock = threading.Lock()
        self._squeeze = False  # binary (k, 1) outputs are read as (k,)
        if self._on_device:
            self._binary = td.task == "binary"
            self._row_shapes = [(), (2,)] if self._binary else [(td.n_classes,)]

    @property
    def dynamics(self):
        """The TrainingDynamics of the wrapped sink (complete on ``dst`` only)."""
        return dynamics_of(self.sink)

    @property
    def distributed(self) -> bool:
        return dist.is_available() and dist.is_initialized() and dist.get_world_size(self.group) > 1

    @property
    def is_recorder(self) -> bool:
        """True on the rank whose sink records the epochs."""
        return not self.distributed or dist.get_rank(self.group) == self.dst

    def log_epoch(self, outputs, logits=False):
        """A full pass already assembled on every rank: recorded on ``dst`` only."""
        if self.is_recorder:
            self.sink.log_epoch(to_numpy(outputs), logits=logits)

    def log_batch(self, ids, outputs, logits=False):
        """Record one batch: ``ids`` (k,) example ids (or positions), ``outputs`` (k, ...)."""
        if self._on_device:
            with self._lock:  # DataParallel replicas log from several threads at once
                self._device_batch(ids, outputs, logits)
            return
        # The host path: a few attribute reads and two appends (~1 us).
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

    def _device_batch(self, ids, outputs, logits) -> None:
        """The device path of ``log_batch``: checks of tensor metadata and two list stores.

        The batch is written with the others of its chunk (``CHUNK_BATCHES``): one
        concatenation, lookup, write and count on the device per chunk, so most steps launch
        no device operation at all.
        """
        if logits is not True and logits is not False:
            logits = check_bool(logits, "logits")
        epoch = self._epoch
        if epoch is not None and epoch.logits is not None and logits != epoch.logits:
            raise ValueError(
                f"this epoch's earlier batches were logged with logits={epoch.logits}; "
                "log every batch the same way"
            )
        x = outputs.detach() if isinstance(outputs, torch.Tensor) else torch.as_tensor(outputs)
        shape = x.shape
        k = ids.numel() if isinstance(ids, torch.Tensor) else np.size(ids)
        if not shape or shape[0] != k:
            raise ValueError(
                f"{k} ids but outputs of shape {tuple(shape)} in this batch; "
                "the batch was not recorded"
            )
        key = (shape, x.dtype, x.device)  # whole shapes: cheaper to compare than slices
        if key != self._seen or epoch.logits is None:  # a new epoch, shape, dtype or device
            x = self._prepare(ids, self._rows_of(x), logits)
            self._seen = key
            epoch = self._epoch
        elif self._squeeze:
            x = x.reshape(-1)
        epoch.n_batches += 1
        k = self._chunk_size
        self._chunk_ids[k], self._chunk_x[k] = ids, x
        self._chunk_size = k + 1
        self._chunk_rows += x.shape[0]
        if k + 1 == CHUNK_BATCHES or self._chunk_rows >= self.flush_rows:
            self._write_chunk()

    def _prepare(self, ids, x, logits) -> torch.Tensor:
        """Slots that fit ``x`` (allocated between epochs, or ``x`` moved to them mid-epoch)."""
        epoch = self._epoch
        if epoch is None or not epoch.fits(x.shape[1:], _buffer_dtype(x), x.device):
            if epoch is None or epoch.logits is None:  # between epochs: (re)allocate the slots
                epoch = self._epoch = self._new_epoch(x)
            else:
                x = x.to(epoch.device, non_blocking=True)  # DataParallel replicas: one device
                if not epoch.fits(x.shape[1:], _buffer_dtype(x), x.device):
                    raise ValueError(
                        f"outputs rows of shape {tuple(x.shape[1:])} and dtype {x.dtype}, but "
                        f"this epoch's earlier batches had {epoch.row_shape} and {epoch.dtype}; "
                        "the batch was not recorded"
                    )
        if not self._checked:
            self._check_first_on_host(ids, x, logits, epoch)
        if epoch.logits is None:  # the epoch's first batch
            epoch.logits = logits
            self._keep_first = self.distributed
        epoch.eps = max(epoch.eps, precision_eps(x.dtype))
        return x

    def _write_chunk(self) -> None:
        """Write the pending batches into the epoch's slots (device work, no host sync)."""
        k, epoch = self._chunk_size, self._epoch
        if k == 0:
            return
        ids, xs = self._chunk_ids[:k], self._chunk_x[:k]
        self._chunk_ids[:k] = self._chunk_x[:k] = [None] * k  # the lists never grow
        self._chunk_size = self._chunk_rows = 0
        x = xs[0] if k == 1 else torch.cat(xs)
        try:
            positions = self._lookup.many(ids, epoch.device)
        except (TypeError, ValueError) as exc:  # host ids: record the good batches, name the bad
            bad = 0
            for one, rows in zip(ids, xs):
                try:
                    epoch.write(self._lookup.many([one], epoch.device), rows, self._keep_first)
                except (TypeError, ValueError):
                    bad += 1
                    epoch.n_batches -= 1
            raise type(exc)(
                f"{exc} (found when the last {k} batches were written: {bad} of them were not "
                "recorded, the others were)"
            ) from None
        epoch.write(positions, x, self._keep_first)

    def _rows_of(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs as (k, *row) with the row shape the map's task expects, or an error."""
        if x.dtype == torch.bool or x.is_complex():
            raise TypeError(
                f"outputs must be numeric (float probabilities or logits), got dtype {x.dtype}"
            )
        self._squeeze = self._binary and x.ndim == 2 and x.shape[1] == 1
        rows = x.reshape(-1) if self._squeeze else x
        if rows.shape[1:] not in self._row_shapes:
            k = x.shape[0]
            expected = " or ".join(str((k, *row)) for row in self._row_shapes)
            raise ValueError(
                f"outputs have shape {tuple(x.shape)}; expected {expected} for these {k} "
                f"examples of a {self.dynamics.task} map; the batch was not recorded"
            )
        return rows

    def _new_epoch(self, x) -> DeviceEpoch:
        td = self.dynamics
        return DeviceEpoch(
            gold_matrix(td),
            td.task,
            td.n_classes,
            x.shape[1:],
            _buffer_dtype(x),
            x.device,
            self.row_buffer_bytes,
        )

    def _check_first_on_host(self, ids, x, logits, epoch) -> None:
        """Step 1 of the run: ids and values checked at once (the one synchronisation)."""
        positions = self._lookup.on_host(to_numpy(ids))
        gold = epoch.gold[torch.from_numpy(positions).to(epoch.device)]
        bad = (
            reduce_outputs(x, gold, epoch.task, epoch.n_classes, logits, precision_eps(x.dtype))
            .bad.cpu()
            .numpy()
        )
        problems = epoch_problems(
            np.asarray(self.dynamics.ids)[positions],
            bad=bad,
            logits=logits,
            positions=self.positions,
        )
        if problems:
            raise ValueError("; ".join(problems) + ". The batch was not recorded")
        self._checked = True

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

    def discard_pending(self) -> int:
        """Drop the unfinished epoch's batches (this rank's, and the sink's where it has them)."""
        dropped = len(self._take_shard()[0])
        if self._epoch is not None:
            dropped += self._epoch.n_batches
            self._chunk_ids = [None] * CHUNK_BATCHES
            self._chunk_x = [None] * CHUNK_BATCHES
            self._chunk_size = self._chunk_rows = 0
            self._epoch.reset()
        self._sink_pending = False
        discard = getattr(self.sink, "discard_pending", None)
        if discard is None:
            discard = getattr(self.dynamics, "discard_pending", None)
        return dropped + (discard() if callable(discard) else 0)

    def _take_shard(self):
        shard = (self._ids, self._outputs, self._logits)
        self._ids, self._outputs, self._logits, self._rows = [], [], None, 0
        return shard

    def end_epoch(self):
        """Record the epoch logged since the last one (a collective under ``torch.distributed``).

        Raises a ValueError naming examples that are missing, repeated, not the map's, or whose
        outputs are NaN / out of range; the epoch is then not recorded. When examples are only
        missing (one process), the batches are kept: log the missing ones and call it again.
        """
        if self._on_device:
            if self.distributed:
                self._end_distributed_device_epoch()
            else:
                self._write_chunk()
                self._end_device_epoch()
            return
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

    def _end_device_epoch(self) -> None:
        epoch = self._epoch
        if epoch is None or epoch.logits is None:
            raise ValueError(
                "no batches were logged since the last epoch; call log_batch() first "
                "(or log_epoch() for a full pass)"
            )
        part = epoch.finish()
        summary, p_gold, pred, margin = epoch.to_host([epoch.summary(part.bad), *part[:3]])
        if summary.any():  # the error path may synchronise as it likes
            seen = epoch.count[:-1].cpu().numpy()
            missing = np.flatnonzero(seen == 0)
            problems = epoch_problems(
                np.asarray(self.dynamics.ids),
                bad=part.bad.cpu().numpy(),
                logits=epoch.logits,
                positions=self.positions,
                invalid=int(summary[0]),
                missing=missing,
                repeated=np.flatnonzero(seen > 1),
            )
            if len(problems) == 1 and missing.size:  # the user can log the missing ones
                end = (
                    "Log them with log_batch() and call end_epoch() again, or call "
                    "discard_pending() to start the epoch over"
                )
            else:
                end = DROPPED
                epoch.reset()
            raise ValueError("; ".join(problems) + ". " + end)
        epoch.reset()
        self.sink.log_reduced_epoch(p_gold, predicted=pred, margin=margin)

    def _end_distributed_device_epoch(self) -> None:
        local_error = None
        try:  # a rank must never skip the collectives below: the others would wait forever
            self._write_chunk()
        except (TypeError, ValueError) as exc:
            local_error = exc
        epoch, td = self._epoch, self.dynamics
        device = epoch.device if epoch is not None else default_device(self.group)
        if not self._same_map_checked:
            check_same_map(td, gold_matrix(td), device, self.group)
            self._same_map_checked = True
        try:
            arrays = gather_epoch(
                epoch,
                td,
                group=self.group,
                dst=self.dst,
                positions=self.positions,
                local_error=local_error,
            )
        finally:
            if epoch is not None:
                epoch.reset()
        error = None
        if arrays is not None:  # dst
            try:
                self.sink.log_reduced_epoch(arrays[0], predicted=arrays[1], margin=arrays[2])
            except Exception as exc:  # re-raised on every rank below
                error = exc
        recorder = self.dst if self.group is None else dist.get_global_rank(self.group, self.dst)
        failed = torch.tensor([error is not None], dtype=torch.uint8, device=device)
        dist.broadcast(failed, src=recorder, group=self.group)
        if failed.item():  # one flag per epoch; the exception itself only when there is one
            box = [error]
            dist.broadcast_object_list(box, src=recorder, group=self.group)
            raise box[0]

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
