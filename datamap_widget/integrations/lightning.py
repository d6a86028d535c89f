"""PyTorch Lightning: the data map recorded from the training steps, one callback.

::

    class Model(L.LightningModule):
        def training_step(self, batch, batch_idx):
            ids, (x, y) = batch  # IndexedDataset yields (position, item)
            logits = self(x)
            loss = F.cross_entropy(logits, y)
            return {"loss": loss, "logits": logits}  # the logits reach the callback


    trainer = L.Trainer(max_epochs=10, callbacks=[DataMapCallback(w)])
    trainer.fit(model, DataLoader(IndexedDataset(train), batch_size=32, shuffle=True))

Mode (why): as with the Hugging Face callback, p(gold) comes from the outputs of the training
pass itself, like the paper's code: no second pass over the data. The step hands its logits over
by returning them (Lightning passes the step's output to ``on_train_batch_end``), which works
whatever the module's ``forward`` looks like. Recording goes through ``DataMapLogger``: device
slots, no host synchronisation per step, one transfer per epoch, and under DDP (Lightning's
``DistributedSampler``) tensor collectives that merge every rank's shard on rank 0.

Errors follow the other integrations: a setup mistake raises in the first epoch; later logging
failures, and the partial epoch of a run stopped or resumed mid-epoch, only warn and leave that
epoch out of the map, so training always completes.
"""

from __future__ import annotations

import lightning.pytorch as pl
import torch

from datamap_widget.integrations._sink import GuardedSink, check_sink, dynamics_of
from datamap_widget.integrations.torch import DataMapLogger

__all__ = ["DataMapCallback"]


def _positions_like(value) -> bool:
    """A 1-D integer tensor, as a DataLoader collates IndexedDataset's positions."""
    return (
        isinstance(value, torch.Tensor)
        and value.ndim == 1
        and not value.is_floating_point()
        and value.dtype != torch.bool
    )


class DataMapCallback(pl.Callback):
    """Records the data map of a ``Trainer.fit`` run into ``sink`` (widget or TrainingDynamics).

    Parameters
    ----------
    sink : DataMapWidget or TrainingDynamics whose examples are the training dataset's rows.
    output_key : the key of the training step's returned dict that holds the outputs.
    logits : True when those outputs are logits (softmax, or sigmoid for binary one-column and
        multilabel maps, is applied), False for probabilities.
    id_key : where the batch keeps each example's row position: None for ``(positions, item)``
        batches (``IndexedDataset(ds)``), a key for dict batches (``IndexedDataset(ds, key=...)``).
    """

    def __init__(self, sink, *, output_key="logits", logits=True, id_key=None):
        self.sink = check_sink(sink)
        self.output_key = output_key
        self.logits = bool(logits)
        self.id_key = id_key
        self._guard = None
        self._batches = 0

    def on_train_start(self, trainer, pl_module):
        td = dynamics_of(self.sink)
        loader = trainer.train_dataloader
        dataset = getattr(loader, "dataset", None)
        rows = len(dataset) if hasattr(dataset, "__len__") else None
        if td is not None and rows is not None and rows != td.n_examples:
            raise ValueError(
                f"the training dataset has {rows} rows but the data map has "
                f"{td.n_examples} examples; build the widget/TrainingDynamics from the "
                "training dataset"
            )
        if getattr(loader, "drop_last", False) or trainer.limit_train_batches not in (1, 1.0):
            raise ValueError(
                "drop_last=True or limit_train_batches leaves examples out of every epoch; the "
                "data map needs each training example once per epoch"
            )
        self._guard = GuardedSink(DataMapLogger(self.sink, positions=True), "DataMapCallback")

    def on_train_epoch_start(self, trainer, pl_module):
        self._batches = 0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self._batches += 1
        if self._guard.broken_epoch:
            return
        try:
            positions, values = self._positions(batch), self._outputs(outputs)
        except (KeyError, TypeError, ValueError) as exc:
            self._guard.fail(exc)
            return
        self._guard.log_batch(positions, values, logits=self.logits)

    def on_train_epoch_end(self, trainer, pl_module):
        # an epoch cut short (stopped, or resumed mid-epoch) is expected to be incomplete
        partial = self._batches != trainer.num_training_batches
        self._guard.end_epoch(lenient=partial or trainer.should_stop)

    def _positions(self, batch):
        if self.id_key is None:
            if isinstance(batch, (tuple, list)) and len(batch) == 2 and _positions_like(batch[0]):
                return batch[0]
            raise TypeError(
                "DataMapCallback: batches must be (positions, item) pairs, as a DataLoader over "
                "IndexedDataset(train) yields them; for dict batches pass id_key="
            )
        if not isinstance(batch, dict) or self.id_key not in batch:
            raise KeyError(
                f"DataMapCallback: the batch has no {self.id_key!r} entry; wrap the dataset in "
                f"IndexedDataset(train, key={self.id_key!r})"
            )
        return batch[self.id_key]

    def _outputs(self, outputs):
        values = outputs.get(self.output_key) if isinstance(outputs, dict) else None
        if not isinstance(values, torch.Tensor):
            raise TypeError(
                f"DataMapCallback needs each training step's outputs: return "
                f"{{'loss': loss, {self.output_key!r}: logits}} from training_step (got "
                f"{type(outputs).__name__})"
            )
        return values
