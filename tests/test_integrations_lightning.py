"""PyTorch Lightning callback on CPU: a tiny LightningModule trained by a real Trainer.

Reference: the module's own record of every training step (positions and the logits it returned);
p(gold) computed from those by hand must be what the map holds. DDP: two CPU processes (gloo)
launched by Lightning itself; rank 0's map must equal the union of both ranks' steps, rank 0's
output first for the example DistributedSampler repeats.
"""

import pickle
import textwrap
import warnings
from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import pytest
import torch
from _scripts import run_python
from torch.utils.data import DataLoader, TensorDataset

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.lightning import DataMapCallback
from datamap_widget.integrations.torch import IndexedDataset

REPO = Path(__file__).resolve().parents[1]
N, D, C, EPOCHS = 45, 5, 3, 3


class Classifier(pl.LightningModule):
    """Returns its logits from training_step; keeps what it returned, per epoch."""

    def __init__(self, classes=C, multilabel=False, dict_batches=False, returns="logits"):
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(D, 16), torch.nn.ReLU(), torch.nn.Linear(16, classes)
        )
        self.multilabel, self.dict_batches, self.returns = multilabel, dict_batches, returns
        self.steps = []  # (epoch, positions, logits)

    def training_step(self, batch, batch_idx):
        if self.dict_batches:
            ids, x, y = batch["idx"], batch["x"], batch["y"]
        elif len(batch) == 2 and batch[0].is_floating_point():  # a plain (x, y) batch
            (x, y), ids = batch, torch.zeros(0)
        else:
            ids, (x, y) = batch
        logits = self.net(x)
        if self.multilabel:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y.float())
        else:
            loss = torch.nn.functional.cross_entropy(logits, y)
        self.steps.append((self.current_epoch, ids.numpy().copy(), logits.detach().numpy()))
        if self.returns == "loss":
            return loss
        if self.returns == "probabilities":
            return {"loss": loss, "probs": torch.softmax(logits, 1)}
        return {"loss": loss, "logits": logits}

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.5)


class DictRows(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "y": self.y[i]}


def data(multilabel=False):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(N, D, generator=g)
    shape = (N, C) if multilabel else (N,)
    y = torch.randint(0, 2 if multilabel else C, shape, generator=g)
    return x, y


def trainer(**extra):
    options = dict(
        accelerator="cpu",
        max_epochs=EPOCHS,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    return pl.Trainer(**{**options, **extra})


def reference(module, gold_prob):
    out = np.full((EPOCHS, N), np.nan)
    for epoch, ids, logits in module.steps:
        out[epoch, ids] = gold_prob(ids, logits)
    assert not np.isnan(out).any()
    return out


def softmax_gold(y):
    def gold_prob(ids, z):
        e = np.exp(z - z.max(1, keepdims=True))
        return (e / e.sum(1, keepdims=True))[np.arange(len(ids)), y[ids]]

    return gold_prob


def test_one_line_callback_records_the_training_steps():
    x, y = data()
    w = DataMapWidget(labels=y.numpy(), texts=[f"row {i}" for i in range(N)])
    module = Classifier()
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8, shuffle=True)
    trainer(callbacks=[DataMapCallback(w)]).fit(module, loader)
    assert w.n_epochs == EPOCHS
    ref = reference(module, softmax_gold(y.numpy()))
    np.testing.assert_allclose(w.dynamics.gold_probabilities(), ref, rtol=1e-5, atol=1e-7)
    assert not np.allclose(ref[0], ref[-1])  # it did train
    assert "aum" in w.dynamics.metrics()  # logits were logged as logits


def test_dict_batches_probabilities_and_string_ids():
    x, y = data()
    td = TrainingDynamics(y.numpy(), ids=[f"ex{i}" for i in range(N)])
    module = Classifier(dict_batches=True, returns="probabilities")
    loader = DataLoader(IndexedDataset(DictRows(x, y), key="idx"), batch_size=8, shuffle=True)
    callback = DataMapCallback(td, output_key="probs", logits=False, id_key="idx")
    trainer(callbacks=[callback]).fit(module, loader)
    ref = reference(module, softmax_gold(y.numpy()))
    np.testing.assert_allclose(td.gold_probabilities(), ref, rtol=1e-5, atol=1e-6)
    assert "aum" not in td.metrics()


def test_multilabel_logits_take_a_sigmoid_per_label():
    x, y = data(multilabel=True)
    td = TrainingDynamics(y.numpy(), task="multilabel")
    module = Classifier(multilabel=True)
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8, shuffle=True)
    trainer(callbacks=[DataMapCallback(td)]).fit(module, loader)
    gold = y.numpy()
    for j in range(C):
        ref = reference(
            module,
            lambda ids, z, j=j: 1 / (1 + np.exp(-np.where(gold[ids, j] == 1, z[:, j], -z[:, j]))),
        )
        np.testing.assert_allclose(td.gold_probabilities(label=j), ref, rtol=1e-5, atol=1e-7)


def test_setup_mistakes_raise_before_or_at_the_first_step():
    x, y = data()
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8)
    td = TrainingDynamics(y.numpy())
    with pytest.raises(TypeError, match=r"return \{'loss': loss, 'logits': logits\}"):
        trainer(callbacks=[DataMapCallback(td)]).fit(Classifier(returns="loss"), loader)
    plain = DataLoader(TensorDataset(x, y), batch_size=8)
    with pytest.raises(Exception, match="IndexedDataset"):
        trainer(callbacks=[DataMapCallback(td)]).fit(Classifier(), plain)
    with pytest.raises(ValueError, match="45 rows but the data map has 44"):
        trainer(callbacks=[DataMapCallback(TrainingDynamics(y.numpy()[:-1]))]).fit(
            Classifier(), loader
        )
    dropping = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8, drop_last=True)
    with pytest.raises(ValueError, match="drop_last"):
        trainer(callbacks=[DataMapCallback(td)]).fit(Classifier(), dropping)
    with pytest.raises(ValueError, match="limit_train_batches"):
        trainer(callbacks=[DataMapCallback(td)], limit_train_batches=2).fit(Classifier(), loader)
    assert td.n_epochs == 0


def test_a_run_stopped_mid_epoch_keeps_whole_epochs_and_completes():
    x, y = data()
    td = TrainingDynamics(y.numpy())
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8)  # 6 steps per epoch
    fit = trainer(callbacks=[DataMapCallback(td)], max_steps=9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit.fit(Classifier(), loader)
    assert fit.global_step == 9 and td.n_epochs == 1
    assert any("left out of the data map" in str(c.message) for c in caught)


WORKER = textwrap.dedent(f"""
    import os, pickle, sys
    import lightning.pytorch as pl, numpy as np, torch
    from torch.utils.data import DataLoader, TensorDataset
    sys.path.insert(0, {str(REPO / "tests")!r})
    from test_integrations_lightning import Classifier, data, N
    from datamap_widget import TrainingDynamics
    from datamap_widget.integrations.lightning import DataMapCallback
    from datamap_widget.integrations.torch import IndexedDataset

    torch.set_num_threads(1)
    x, y = data()
    td = TrainingDynamics(y.numpy())
    module = Classifier()
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=4, shuffle=True)
    fit = pl.Trainer(accelerator="cpu", devices=2, strategy="ddp", max_epochs=2, logger=False,
                     callbacks=[DataMapCallback(td)],
                     enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False)
    fit.fit(module, loader)
    with open(os.path.join(sys.argv[1], f"rank{{fit.global_rank}}.pkl"), "wb") as f:
        pickle.dump(dict(steps=module.steps, p=td.gold_probabilities(), epochs=td.n_epochs), f)
""")


@pytest.mark.slow
def test_ddp_two_cpu_processes_rank_0_records_the_union(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    run = run_python([str(script), str(tmp_path)])
    assert run.returncode == 0, run.stderr[-3000:]
    r0, r1 = (pickle.loads((tmp_path / f"rank{r}.pkl").read_bytes()) for r in (0, 1))
    assert r0["epochs"] == 2 and r1["epochs"] == 0
    _, y = data()
    gold_prob = softmax_gold(y.numpy())
    ref = np.full((2, N), np.nan)
    for epoch, ids, logits in r0["steps"] + r1["steps"]:  # rank 0 first: its outputs win
        for i, p in zip(ids, gold_prob(ids, logits)):
            if np.isnan(ref[epoch, i]):
                ref[epoch, i] = p
    assert sum(len(ids) for e, ids, _ in r0["steps"] + r1["steps"] if e == 0) == N + 1
    np.testing.assert_allclose(r0["p"], ref, rtol=1e-5, atol=1e-7)
