"""Hugging Face ``Trainer``: the data map recorded from the training pass itself.

Mode (why): like the paper's code, p(gold) is taken from the logits the model computes in the
training forward pass, so the map costs no extra pass over the data (a second ``predict`` over
the training set each epoch would add roughly a third of an epoch's compute). The price is that
an epoch's outputs come from a model that changes during the epoch, exactly as in Swayamdipta et
al. (2020). Two forward hooks on the model do the work: a pre-hook takes the example-position
column out of the inputs (the model never sees it) and a hook reads ``output.logits``.

``every_n_steps=k`` instead records a snapshot every k optimizer steps with an inference pass
(model in eval mode) over the training set: needed for runs of about one epoch, costs that pass.

The position column must survive the Trainer's removal of unused columns: ``add_data_map`` adds
it and registers it with the Trainer; with ``DataMapCallback`` alone, add it yourself and set
``remove_unused_columns=False``.

Errors: a setup mistake (no ids, size mismatch, wrong head for the map's task) raises in the first
epoch; later logging failures, and the partial epoch of a run stopped (``max_steps``) or resumed
mid-epoch, only warn and leave that epoch out of the map: the training run always completes.
"""

from __future__ import annotations

import threading

import numpy as np
import torch
import torch.distributed as dist
from transformers import TrainerCallback

from datamap_widget.engine._sink import GuardedSink, check_sink, dynamics_of
from datamap_widget.engine._validation import check_positive_int
from datamap_widget.integrations.torch import DataMapLogger, IndexedDataset

__all__ = ["DataMapCallback", "add_data_map"]

ID_COLUMN = "datamap_id"


def _logits_of(output):
    if isinstance(output, dict):  # ModelOutput is a dict
        logits = output.get("logits")
    elif hasattr(output, "logits"):
        logits = output.logits
    elif isinstance(
        output, (tuple, list)
    ):  # return_dict=False: (loss, logits, ...) or (logits, ...)
        logits = output[1] if output[0].ndim == 0 and len(output) > 1 else output[0]
    else:
        logits = output
    if logits is None or not hasattr(logits, "detach"):
        raise TypeError(
            f"cannot find classification logits in the model output "
            f"({type(output).__name__}); the data map needs a classification head"
        )
    return logits


class DataMapCallback(TrainerCallback):
    """Records the data map of a ``Trainer`` run into ``sink`` (widget or TrainingDynamics).

    Each training batch must carry ``id_column``: the row position of each example in the
    training dataset (= the sink's example order). Single-label heads are logged with softmax,
    multilabel heads (``problem_type="multi_label_classification"``) with sigmoid; which one
    follows the sink's task. Works under DDP: each rank logs its shard, rank 0 records.
    """

    def __init__(self, sink, *, id_column=ID_COLUMN, every_n_steps=None):
        check_sink(sink)
        self.sink = sink
        self.id_column = id_column
        self.every_n_steps = check_positive_int(every_n_steps, "every_n_steps", allow_none=True)
        self._guard = None
        self._hooks = []
        self._local = threading.local()  # ids between pre-hook and hook, per thread (DataParallel)
        self._snapshotting = False

    def _pre_hook(self, module, args, kwargs):
        positions = kwargs.pop(self.id_column, None)
        self._local.ids = None
        if self._recording(module):
            if positions is None:
                self._guard.fail(
                    ValueError(
                        f"DataMapCallback: the training batch has no {self.id_column!r} column, so "
                        "its examples cannot be placed on the map. Use add_data_map(trainer, sink) "
                        "before trainer.train(), or add the column and set "
                        "TrainingArguments(remove_unused_columns=False)"
                    )
                )
            else:
                self._local.ids = positions
        return args, kwargs

    def _hook(self, module, args, output):
        positions, self._local.ids = getattr(self._local, "ids", None), None
        if positions is None or not self._recording(module):
            return
        # tensors stay on their device: the logger moves a whole epoch to the host at its end
        self._guard.log_batch(positions.reshape(-1), _logits_of(output), logits=True)

    def _recording(self, module) -> bool:
        return self._snapshotting if self.every_n_steps else module.training

    def on_train_begin(self, args, state, control, model=None, train_dataloader=None, **kwargs):
        self._guard = GuardedSink(DataMapLogger(self.sink, positions=True), "DataMapCallback")
        self._resumed = state.global_step > 0  # its first epoch may be partial
        td = dynamics_of(self.sink)
        dataset = getattr(train_dataloader, "dataset", None)
        if (
            td is not None
            and dataset is not None
            and hasattr(dataset, "__len__")
            and len(dataset) != td.n_examples
        ):
            raise ValueError(
                f"the training dataset has {len(dataset)} rows but the data map "
                f"has {td.n_examples} examples; build the widget/TrainingDynamics "
                "from the training dataset"
            )
        if args.dataloader_drop_last and not self.every_n_steps:
            raise ValueError(
                "dataloader_drop_last=True leaves examples out of every epoch; the "
                "data map needs each example once per epoch (or use every_n_steps)"
            )
        self._remove_hooks()
        self._hooks = [
            model.register_forward_pre_hook(self._pre_hook, with_kwargs=True),
            model.register_forward_hook(self._hook),
        ]

    def on_step_end(self, args, state, control, model=None, train_dataloader=None, **kwargs):
        if self.every_n_steps and state.global_step % self.every_n_steps == 0:
            self._snapshot(args, model, train_dataloader)

    def on_epoch_end(self, args, state, control, **kwargs):
        if not self.every_n_steps:
            # a run resumed or stopped (max_steps) mid-epoch has a partial epoch: warn, not raise
            self._guard.end_epoch(lenient=self._resumed or control.should_training_stop)
            self._resumed = False

    def on_train_end(self, args, state, control, **kwargs):
        self._remove_hooks()

    def _remove_hooks(self):
        for handle in self._hooks:
            handle.remove()
        self._hooks = []

    def _snapshot(self, args, model, loader):
        """Inference pass over this rank's share of the training rows, in eval mode."""
        dataset = loader.dataset
        rank, world = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
        share = torch.utils.data.Subset(dataset, range(rank, len(dataset), world))
        batches = torch.utils.data.DataLoader(
            share, batch_size=args.per_device_eval_batch_size, collate_fn=loader.collate_fn
        )
        was_training = model.training
        model.eval()
        self._snapshotting = True
        try:
            with torch.no_grad():
                for batch in batches:
                    model(
                        **{
                            k: v.to(args.device) if hasattr(v, "to") else v
                            for k, v in batch.items()
                        }
                    )
        finally:
            self._snapshotting = False
            model.train(was_training)
        self._guard.end_epoch()


def _keep_column(trainer, column) -> None:
    """Make the Trainer keep ``column`` when it drops columns the model does not accept."""
    if not trainer.args.remove_unused_columns:
        return
    try:
        trainer._set_signature_columns_if_needed()
        kept = trainer._signature_columns
    except AttributeError:
        raise RuntimeError(
            "this transformers version does not expose the columns it keeps; "
            "set TrainingArguments(remove_unused_columns=False) and keep only "
            f"model inputs and {column!r} in the dataset"
        ) from None
    if column not in kept:
        kept.append(column)


def add_data_map(trainer, sink, *, id_column=ID_COLUMN, every_n_steps=None):
    """One line: give ``trainer``'s training rows their positions and record the map into sink.

    The sink's examples must be the training dataset's rows in order (build the widget from the
    same dataset). Returns the added ``DataMapCallback``.
    """
    dataset = trainer.train_dataset
    if (
        dataset is None
        or isinstance(dataset, torch.utils.data.IterableDataset)
        or not hasattr(dataset, "__len__")
    ):
        raise TypeError(
            "add_data_map needs a map-style train_dataset with a length (an "
            "IterableDataset has no stable example positions)"
        )
    if hasattr(dataset, "column_names") and hasattr(dataset, "add_column"):  # datasets.Dataset
        if id_column in dataset.column_names:
            raise ValueError(
                f"the training dataset already has a {id_column!r} column; pass another id_column="
            )
        dataset = dataset.add_column(id_column, np.arange(len(dataset)))
    else:
        dataset = IndexedDataset(dataset, key=id_column)
    callback = DataMapCallback(sink, id_column=id_column, every_n_steps=every_n_steps)
    _keep_column(trainer, id_column)
    trainer.train_dataset = dataset
    trainer.add_callback(callback)
    return callback
