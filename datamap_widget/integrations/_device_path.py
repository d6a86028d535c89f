"""The device path of ``DataMapLogger``: batches written into slots on the outputs' device.

No host synchronisation per step: tensor metadata is checked, batches are written 32 at a time
(``DeviceEpoch``), and ``end_epoch`` reduces the epoch on the device and moves it to the host
once; under DDP tensor collectives merge the shards (``_distributed``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist

from datamap_widget.engine._sink import to_numpy
from datamap_widget.engine._validation import check_bool
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

CHUNK_BATCHES = 32  # batches written to the device slots at once


def gold_matrix(td) -> np.ndarray:
    """(N,) gold classes, or (N, L) bools for a multilabel map."""
    if td.task != "multilabel":
        return td.gold()
    return np.stack([td.gold(label=i) for i in range(td.n_classes)], axis=1).astype(bool)


def _buffer_dtype(x: torch.Tensor) -> torch.dtype:
    """float64 outputs keep their precision; anything else is kept as float32."""
    return torch.float64 if x.dtype == torch.float64 else torch.float32


class DevicePath:
    """``log_batch`` / ``end_epoch`` into ``DeviceEpoch`` slots, recorded by ``log_reduced_epoch``."""

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
