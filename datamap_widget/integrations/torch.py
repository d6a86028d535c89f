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
model's outputs where they belong (``datamap_widget.engine.crossfit``; tested in
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

import torch
import torch.distributed as dist

from datamap_widget.engine._sink import check_sink, dynamics_of, to_numpy
from datamap_widget.engine._validation import check_int, check_positive_int
from datamap_widget.integrations._device_path import CHUNK_BATCHES, DevicePath
from datamap_widget.integrations._host_path import HostPath
from datamap_widget.integrations._positions import PositionLookup

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


class DataMapLogger(HostPath, DevicePath):
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
        self._host_batch(ids, outputs, logits)

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
        self._end_host_epoch()
