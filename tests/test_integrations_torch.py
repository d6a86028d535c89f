"""PyTorch: shuffled loops keyed by IndexedDataset ids, and DDP gathering to rank 0 (gloo, CPU)."""

import os
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.torch import DataMapLogger, IndexedDataset

N, D, C = 45, 6, 3  # N odd: DistributedSampler pads one rank with a repeated example


def make_data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, D, generator=g)
    y = torch.randint(0, C, (N,), generator=g)
    return x, y


def model_for_epoch(epoch):
    """Weights depend only on the epoch, so every rank computes the same outputs per example."""
    torch.manual_seed(100 + epoch)
    return torch.nn.Linear(D, C)


def reference_p_gold(x, y, epochs):
    rows = []
    for epoch in range(epochs):
        with torch.no_grad():
            p = torch.softmax(model_for_epoch(epoch)(x), dim=1)
        rows.append(p[torch.arange(N), y].numpy())
    return np.array(rows)


def test_indexed_dataset_yields_positions_with_items():
    x, y = make_data()
    ds = IndexedDataset(TensorDataset(x, y))
    i, (xi, yi) = ds[7]
    assert i == 7 and torch.equal(xi, x[7]) and yi == y[7] and len(ds) == N
    dict_ds = IndexedDataset([{"a": 1}, {"a": 2}], key="idx")
    assert dict_ds[1] == {"a": 2, "idx": 1}
    with pytest.raises(TypeError, match="dict items"):
        IndexedDataset(TensorDataset(x, y), key="idx")[0]
    with pytest.raises(ValueError, match="already have"):
        IndexedDataset([{"idx": 1}], key="idx")[0]
    with pytest.raises(TypeError, match="map-style"):
        IndexedDataset(iter([1, 2]))


def test_plain_shuffled_loop_with_training_logs_what_the_model_gave():
    """A real training loop: p(gold) must equal the logits seen in that very batch."""
    x, y = make_data()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(D, 16), torch.nn.ReLU(), torch.nn.Linear(16, C))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    w = DataMapWidget(labels=y.numpy(), texts=[f"row {i}" for i in range(N)])
    seen = np.zeros((3, N))
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8, shuffle=True)
    for epoch in range(3):
        for ids, (xb, yb) in loader:
            logits = model(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            w.log_batch(ids, logits, logits=True)  # tensors that require grad are fine
            p = torch.softmax(logits.detach(), 1)[torch.arange(len(yb)), yb]
            seen[epoch, ids.numpy()] = p.numpy()
        w.end_epoch()
    np.testing.assert_allclose(w.dynamics.gold_probabilities(), seen, rtol=1e-5, atol=1e-6)


def test_logger_on_one_process_checks_the_first_batch_then_buffers():
    x, y = make_data()
    td = TrainingDynamics(y.numpy())
    with pytest.raises(ValueError):  # the first batch is validated at once by the sink
        DataMapLogger(td).log_batch([N + 5], torch.zeros(1, C), logits=True)
    assert td.n_pending == 0
    log = DataMapLogger(td, flush_rows=20)
    assert not log.distributed and log.is_recorder and log.dynamics is td
    with pytest.raises(ValueError, match="2 ids but outputs"):
        log.log_batch([0, 1], torch.zeros(3, C), logits=True)
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=10, shuffle=True)
    for epoch in range(2):
        model = model_for_epoch(epoch)
        pending = []
        for ids, (xb, _) in loader:
            log.log_batch(ids, model(xb), logits=True)
            pending.append(td.n_pending)
        log.end_epoch()
        # epoch 1: first batch straight through, then chunks of >= 20 rows; epoch 2: chunks only
        assert pending == ([10, 10, 30, 30, 30] if epoch == 0 else [0, 20, 20, 40, 40])
    np.testing.assert_allclose(td.gold_probabilities(), reference_p_gold(x, y, 2), rtol=1e-5)
    with pytest.raises(ValueError, match="logits=True"):
        log.log_batch([0], torch.zeros(1, C), logits=True)
        log.log_batch([1], torch.zeros(1, C), logits=False)
    assert log.discard_pending() >= 1 and td.n_pending == 0


def test_whole_epochs_in_one_chunk_and_incomplete_epochs_are_refused():
    x, y = make_data()
    ids = [f"id{i}" for i in range(N)]
    td = TrainingDynamics(y.numpy(), ids=ids)
    log = DataMapLogger(td)  # default flush_rows: an epoch is handed over whole
    order = np.random.default_rng(5).permutation(N)
    for epoch in range(3):
        model = model_for_epoch(epoch)
        for chunk in np.array_split(order, 4):
            log.log_batch([ids[i] for i in chunk], model(x[chunk]), logits=True)
            assert td.n_pending == (len(np.array_split(order, 4)[0]) if epoch == 0 else 0)
        log.end_epoch()
    np.testing.assert_allclose(td.gold_probabilities(), reference_p_gold(x, y, 3), rtol=1e-5)
    for chunk in np.array_split(order, 4)[:3]:  # the last batch is missing
        log.log_batch([ids[i] for i in chunk], model(x[chunk]), logits=True)
    with pytest.raises(ValueError, match="not logged"):
        log.end_epoch()
    assert td.n_epochs == 3


def test_positions_mode_maps_row_positions_to_string_ids():
    x, y = make_data()
    ids = [f"go{i:03d}" for i in range(N)]
    td = TrainingDynamics(y.numpy(), ids=ids)
    log = DataMapLogger(td, positions=True)
    loader = DataLoader(IndexedDataset(TensorDataset(x, y)), batch_size=8, shuffle=True)
    for epoch in range(2):
        model = model_for_epoch(epoch)
        for pos, (xb, _) in loader:  # IndexedDataset yields positions, the map knows strings
            log.log_batch(pos, model(xb), logits=True)
        log.end_epoch()
    np.testing.assert_allclose(td.gold_probabilities(), reference_p_gold(x, y, 2), rtol=1e-5)
    assert td.trajectory("go007").shape[0] == 2
    with pytest.raises(ValueError, match="positions must lie in 0..44"):
        DataMapLogger(td, positions=True).log_batch([3, N], torch.zeros(2, C), logits=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ddp_worker(rank, world, port, out_dir):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        x, y = make_data()
        td = TrainingDynamics(y.numpy())
        sink = DataMapLogger(td)
        dataset = IndexedDataset(TensorDataset(x, y))
        sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=3)
        loader = DataLoader(dataset, batch_size=4, sampler=sampler)
        shard_sizes = []
        for epoch in range(3):
            sampler.set_epoch(epoch)
            model = model_for_epoch(epoch)
            n = 0
            for ids, (xb, _) in loader:
                with torch.no_grad():
                    sink.log_batch(ids, model(xb), logits=True)
                n += len(ids)
            shard_sizes.append(n)
            sink.end_epoch()
        # a rank logging an unknown id: rank 0 finds it, every rank raises the same error
        sink.log_batch(torch.tensor([N + rank]), torch.zeros(1, C), logits=True)
        try:
            sink.end_epoch()
            error = ""
        except ValueError as exc:
            error = str(exc)
        np.savez(
            os.path.join(out_dir, f"rank{rank}.npz"),
            p=td.gold_probabilities(),
            epochs=td.n_epochs,
            recorder=sink.is_recorder,
            shard=shard_sizes,
            error=error,
        )
    finally:
        dist.destroy_process_group()


def test_ddp_two_ranks_gather_by_id_on_rank_0(tmp_path):
    mp.spawn(ddp_worker, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True)
    r0, r1 = (np.load(tmp_path / f"rank{r}.npz") for r in (0, 1))
    x, y = make_data()
    assert bool(r0["recorder"]) and not bool(r1["recorder"])
    assert list(r0["shard"]) == [23] * 3 and list(r1["shard"]) == [23] * 3  # 46 = 45 + 1 repeat
    assert int(r0["epochs"]) == 3 and int(r1["epochs"]) == 0
    np.testing.assert_allclose(r0["p"], reference_p_gold(x, y, 3), rtol=1e-5, atol=1e-7)
    for r in (r0, r1):
        assert "unknown" in str(r["error"]).lower() or "not" in str(r["error"]).lower()
        assert str(r["error"]) == str(r0["error"]) and str(r["error"])
