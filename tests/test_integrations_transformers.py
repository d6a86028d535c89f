"""Hugging Face Trainer callback on a tiny randomly initialised BERT (the hub is unreachable).

Reference: the test's own hooks, registered before the callback's, see every training forward
(its example positions and logits); p(gold) computed from those by hand must be what was recorded.
"""

import warnings

import numpy as np
import pytest
import torch
from datasets import Dataset
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    Trainer,
    TrainingArguments,
    default_data_collator,
)

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.transformers import DataMapCallback, add_data_map

N, T, EPOCHS, BATCH = 30, 6, 3, 8


def tiny_model(num_labels, multilabel=False):
    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=100,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=num_labels,
        problem_type="multi_label_classification" if multilabel else None,
    )
    return BertForSequenceClassification(cfg)  # dropout stays on: outputs come from that pass


def token_dataset(labels):
    rng = np.random.default_rng(0)
    return Dataset.from_dict(
        {
            "input_ids": rng.integers(1, 100, (N, T)).tolist(),
            "attention_mask": [[1] * T] * N,
            "label": labels,
            "text": [f"example {i}" for i in range(N)],  # a column the model does not take
        }
    )


def make_trainer(model, ds, tmp_path, **extra):
    args = TrainingArguments(
        output_dir=str(tmp_path),
        num_train_epochs=EPOCHS,
        report_to=[],
        use_cpu=True,
        per_device_train_batch_size=BATCH,
        learning_rate=5e-3,
        save_strategy="no",
        logging_strategy="no",
        disable_tqdm=True,
        seed=0,
        **extra,
    )
    return Trainer(model=model, args=args, train_dataset=ds, data_collator=default_data_collator)


class Spy:
    """Records (positions, logits) of every training-mode forward, seen before the callback."""

    def __init__(self, model, column="datamap_id"):
        self.batches = []
        model.register_forward_pre_hook(self.pre, with_kwargs=True)
        model.register_forward_hook(self.post)
        self.column, self.positions = column, None

    def pre(self, module, args, kwargs):
        self.positions = kwargs.get(self.column)

    def post(self, module, args, output):
        if module.training:
            self.batches.append((self.positions.numpy().copy(), output.logits.detach().numpy()))

    def p_gold(self, gold_prob):
        """(EPOCHS, N) from the spied batches; each epoch holds every example once."""
        out, epoch, count = np.full((EPOCHS, N), np.nan), 0, 0
        for pos, logits in self.batches:
            out[epoch, pos] = gold_prob(pos, logits)
            count += len(pos)
            if count == N:
                epoch, count = epoch + 1, 0
        return out


class RowsDataset(torch.utils.data.Dataset):
    """A plain torch dataset of dict rows (add_data_map wraps it instead of adding a column)."""

    def __init__(self, ds):
        self.rows = [dict(row) for row in ds]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


@pytest.mark.parametrize("kind", ["datasets", "torch"])
def test_single_label_records_the_training_pass(tmp_path, kind):
    labels = np.random.default_rng(1).integers(0, 3, N)
    model = tiny_model(3)
    spy = Spy(model)
    td = TrainingDynamics(labels)
    ds = token_dataset(labels.tolist())
    if kind == "torch":
        ds = RowsDataset(ds)  # its "text" goes through the Trainer's RemoveColumnsCollator
    trainer = make_trainer(model, ds, tmp_path)
    callback = add_data_map(trainer, td)
    assert isinstance(callback, DataMapCallback)
    trainer.train()

    def p(pos, logits):
        z = np.exp(logits - logits.max(1, keepdims=True))
        return (z / z.sum(1, keepdims=True))[np.arange(len(pos)), labels[pos]]

    assert td.n_epochs == EPOCHS
    ref = spy.p_gold(p)
    assert not np.isnan(ref).any()
    np.testing.assert_allclose(td.gold_probabilities(), ref, rtol=1e-5, atol=1e-6)
    assert not np.allclose(ref[0], ref[-1])  # the model did train between epochs
    assert callback._hooks == []  # hooks are removed after training


def test_multilabel_head_into_a_widget(tmp_path):
    Y = np.random.default_rng(2).integers(0, 2, (N, 4))
    model = tiny_model(4, multilabel=True)
    spy = Spy(model)
    names = ["w", "x", "y", "z"]
    ds = token_dataset(Y.astype(np.float32).tolist())
    w = DataMapWidget(
        labels=Y,
        label_names=names,
        texts=ds["text"],
        task="multilabel",
        ids=[f"ex-{i}" for i in range(N)],
    )  # string ids: rows map by position
    trainer = make_trainer(model, ds, tmp_path)
    add_data_map(trainer, w)
    trainer.train()
    td = w.dynamics
    assert td.n_epochs == EPOCHS
    for j, name in enumerate(names):
        ref = spy.p_gold(
            lambda pos, z, j=j: np.where(
                Y[pos, j] == 1, 1 / (1 + np.exp(-z[:, j])), 1 / (1 + np.exp(z[:, j]))
            )
        )
        np.testing.assert_allclose(td.gold_probabilities(label=name), ref, rtol=1e-5, atol=1e-6)


def test_every_n_steps_snapshots_with_an_inference_pass(tmp_path):
    labels = np.random.default_rng(3).integers(0, 3, N)
    model = tiny_model(3)
    td = TrainingDynamics(labels)
    trainer = make_trainer(model, token_dataset(labels.tolist()), tmp_path)
    add_data_map(trainer, td, every_n_steps=4)
    trainer.train()  # 4 steps per epoch (30 rows / 8), 12 steps: snapshots at 4, 8, 12
    assert td.n_epochs == 3
    model.eval()
    ds = token_dataset(labels.tolist())
    with torch.no_grad():
        logits = model(
            input_ids=torch.tensor(ds["input_ids"]),
            attention_mask=torch.tensor(ds["attention_mask"]),
        ).logits
    p = torch.softmax(logits, 1)[torch.arange(N), torch.tensor(labels)].numpy()
    np.testing.assert_allclose(td.gold_probabilities()[-1], p, rtol=1e-4, atol=1e-6)


def test_callback_without_ids_fails_at_the_first_step(tmp_path):
    labels = np.zeros(N, int)
    td = TrainingDynamics(labels, n_classes=3)
    trainer = make_trainer(tiny_model(3), token_dataset(labels.tolist()), tmp_path)
    trainer.add_callback(DataMapCallback(td))
    with pytest.raises(ValueError, match="add_data_map"):
        trainer.train()
    assert trainer.state.global_step == 0 and td.n_epochs == 0


def test_size_mismatch_and_drop_last_are_refused_before_training(tmp_path):
    labels = np.random.default_rng(4).integers(0, 3, N)
    trainer = make_trainer(tiny_model(3), token_dataset(labels.tolist()), tmp_path)
    add_data_map(trainer, TrainingDynamics(labels[:-1]))
    with pytest.raises(ValueError, match="30 rows but the data map has 29"):
        trainer.train()
    trainer = make_trainer(
        tiny_model(3), token_dataset(labels.tolist()), tmp_path, dataloader_drop_last=True
    )
    add_data_map(trainer, TrainingDynamics(labels))
    with pytest.raises(ValueError, match="drop_last"):
        trainer.train()
    with pytest.raises(ValueError, match="every_n_steps"):
        DataMapCallback(TrainingDynamics(labels), every_n_steps=0)


class BreaksInEpoch2:
    """A sink whose 3rd log_batch fails: the callback hands it the first batch, then one chunk
    per epoch, so that is epoch 2 (like a transient problem)."""

    def __init__(self, td):
        self.td, self.batches = td, 0
        self.discard_pending = td.discard_pending

    def log_epoch(self, outputs, logits=False):
        self.td.log_epoch(outputs, logits=logits)

    def log_batch(self, ids, outputs, logits=False):
        self.batches += 1
        if self.batches == 3:
            raise RuntimeError("disk full")
        self.td.log_batch(ids, outputs, logits=logits)

    def end_epoch(self):
        self.td.end_epoch()


def test_a_later_logging_failure_warns_and_training_completes(tmp_path):
    labels = np.random.default_rng(5).integers(0, 3, N)
    td = TrainingDynamics(labels)
    trainer = make_trainer(tiny_model(3), token_dataset(labels.tolist()), tmp_path)
    add_data_map(trainer, BreaksInEpoch2(td))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer.train()
    assert trainer.state.epoch == EPOCHS
    assert td.n_epochs == 2  # epochs 1 and 3
    assert [str(c.message) for c in caught if "disk full" in str(c.message)]


@pytest.mark.parametrize("max_steps, epochs", [(6, 1), (2, 0)])
def test_run_stopped_mid_epoch_keeps_whole_epochs_and_finishes(tmp_path, max_steps, epochs):
    labels = np.random.default_rng(6).integers(0, 3, N)
    td = TrainingDynamics(labels)
    trainer = make_trainer(
        tiny_model(3), token_dataset(labels.tolist()), tmp_path, max_steps=max_steps
    )  # 4 steps per epoch
    add_data_map(trainer, td)
    with pytest.warns(RuntimeWarning, match="left out of the data map.*not logged"):
        trainer.train()
    assert trainer.state.global_step == max_steps
    assert td.n_epochs == epochs and td.n_pending == 0
