"""The PyTorch cross-fitting recipe: K tiny models, one epoch each per map epoch, routed outputs."""

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset, TensorDataset

from datamap_widget import TrainingDynamics
from datamap_widget.engine.crossfit import CrossFitRouter, fold_assignments


def test_torch_loop_cross_fits_and_never_scores_training_rows_held_out():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(60, 4, generator=g)
    y = (x[:, 0] > 0).long()
    td = TrainingDynamics(y.numpy())
    router = CrossFitRouter(td, fold_assignments(y.numpy(), 3))
    torch.manual_seed(0)
    models = [torch.nn.Linear(4, 2) for _ in range(router.n_folds)]
    optims = [torch.optim.SGD(m.parameters(), lr=0.5) for m in models]
    data = TensorDataset(torch.arange(60), x, y)
    seen = [set() for _ in models]
    for _ in range(3):
        for k, (model, opt) in enumerate(zip(models, optims)):
            train = DataLoader(Subset(data, router.training_rows(k)), batch_size=16, shuffle=True)
            for ids, xb, yb in train:
                seen[k].update(ids.tolist())
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
            with torch.no_grad():
                for ids, xb, _ in DataLoader(Subset(data, router.rows_to_score(k)), batch_size=32):
                    router.log(k, ids, model(xb), logits=True)
        router.end_epoch()
    assert td.n_epochs == 3 and td.in_sample.n_epochs == 3
    folds = router.folds
    for k in range(3):  # the held-out scorer of fold k never trained on fold k
        assert not seen[k] & set(np.flatnonzero(folds == k).tolist())
    with torch.no_grad():  # the held-out map holds exactly what model fold(i) said about i
        p = np.stack([torch.softmax(models[k](x), 1)[:, 1].numpy() for k in range(3)])
    rows = np.arange(60)
    expected = np.where(y.numpy() == 1, p[folds, rows], 1 - p[folds, rows])
    np.testing.assert_allclose(td.gold_probabilities()[-1], expected, rtol=1e-5, atol=1e-6)
    scorer = (folds + 1) % 3
    inside = np.where(y.numpy() == 1, p[scorer, rows], 1 - p[scorer, rows])
    np.testing.assert_allclose(td.in_sample.gold_probabilities()[-1], inside, rtol=1e-5, atol=1e-6)
    assert td.label_issues().shape[0] == 60
