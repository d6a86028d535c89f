"""PyTorch: example ids for datasets without them, and data maps of distributed (DDP) runs.

A plain loop::

    log = DataMapLogger(w)  # w: DataMapWidget or TrainingDynamics
    for ids, (x, y) in DataLoader(IndexedDataset(train), batch_size=32, shuffle=True):
        logits = model(x)
        ...
        log.log_batch(ids, logits, logits=True)
    log.end_epoch()

``w.log_batch`` works too, but converts every batch at once (about 0.1 ms); ``DataMapLogger``
only keeps a reference to the detached outputs (on their device, so no GPU sync per step) and
hands the sink whole chunks, which keeps the cost far below a training step.

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

import numpy as np
import torch
import torch.distributed as dist

from datamap_widget._validation import check_positive_int
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


def _concat(parts) -> np.ndarray:
    if all(isinstance(p, torch.Tensor) for p in parts):
        return to_numpy(torch.cat(parts))  # one device-to-host copy per chunk
    return np.concatenate([to_numpy(p) for p in parts])


class DataMapLogger:
    """A sink for PyTorch loops: cheap ``log_batch``, and DDP runs gathered on one rank.

    ``log_batch`` keeps the detached ids/outputs (the very first batch goes straight to the sink,
    so setup mistakes raise at step 1). In one process, chunks of ``flush_rows`` rows are handed
    to the sink as they fill and at ``end_epoch``. Under ``torch.distributed`` every rank buffers
    its shard and ``end_epoch`` is a collective: every rank must call it; shards are gathered on
    rank ``dst`` and only its sink records the epoch. An id seen twice in a distributed epoch
    (``DistributedSampler`` and accelerate pad the last batch with repeats) keeps its first
    output. Errors found on ``dst`` are re-raised on every rank, so no rank hangs in the next
    collective.

    ``positions=True``: the ids given to ``log_batch`` are row positions in the sink's example
    order (what ``IndexedDataset`` yields), e.g. when the map's ids are strings; they are turned
    into ids once per chunk, and tensors on a GPU stay there until then (no sync per step).
    """

    def __init__(self, sink, *, positions=False, group=None, dst=0, flush_rows=65_536):
        self.sink = check_sink(sink)
        self.positions = bool(positions)
        self._table = None  # the sink's ids by position (positions=True)
        self.group = group
        self.dst = dst
        self.flush_rows = check_positive_int(flush_rows, "flush_rows")
        self._ids, self._outputs, self._logits, self._rows = [], [], None, 0
        self._checked = False
        self._sink_pending = False  # the sink holds batches of this epoch

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
        # The hot path of a training loop: a few attribute reads and two appends (~1 us).
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

    def discard_pending(self) -> int:
        """Drop the unfinished epoch's batches (this rank's, and the sink's where it has them)."""
        dropped = len(self._take_shard()[0])
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
