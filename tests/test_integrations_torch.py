"""PyTorch: shuffled loops keyed by IndexedDataset ids, and DDP gathering to rank 0 (gloo, CPU)."""

import os
import pickle
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


def test_host_path_checks_the_first_batch_then_hands_over_chunks():
    x, y = make_data()
    td = TrainingDynamics(y.numpy())
    with pytest.raises(ValueError):  # the first batch is validated at once by the sink
        DataMapLogger(td, device_slots=False).log_batch([N + 5], torch.zeros(1, C), logits=True)
    assert td.n_pending == 0
    log = DataMapLogger(td, flush_rows=20, device_slots=False)
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


@pytest.mark.parametrize("host", [False, True])
def test_whole_epochs_in_one_chunk_and_incomplete_epochs_are_refused(host):
    x, y = make_data()
    ids = [f"id{i}" for i in range(N)]
    td = TrainingDynamics(y.numpy(), ids=ids)
    log = DataMapLogger(td, device_slots=not host)  # an epoch is handed over whole
    order = np.random.default_rng(5).permutation(N)
    for epoch in range(3):
        model = model_for_epoch(epoch)
        for chunk in np.array_split(order, 4):
            log.log_batch([ids[i] for i in chunk], model(x[chunk]), logits=True)
            first = len(np.array_split(order, 4)[0]) if host and epoch == 0 else 0
            assert td.n_pending == first  # the device path leaves the engine alone until the end
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


def refuse_pickled_collectives(*args, **kwargs):
    raise AssertionError("the device path gathers with tensor collectives, not pickled objects")


def ddp_worker(rank, world, port, out_dir, host):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    if not host:
        dist.gather_object = dist.broadcast_object_list = refuse_pickled_collectives
    try:
        x, y = make_data()
        td = TrainingDynamics(y.numpy())
        sink = DataMapLogger(td, device_slots=not host)
        dataset = IndexedDataset(TensorDataset(x, y))
        sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=3)
        loader = DataLoader(dataset, batch_size=4, sampler=sampler)
        logged = []  # (epoch, ids, logits) as this rank logged them
        for epoch in range(3):
            sampler.set_epoch(epoch)
            model = model_for_epoch(epoch)
            for ids, (xb, _) in loader:
                with torch.no_grad():
                    logits = model(xb) * (1 + 0.5 * rank)  # a repeated example differs by rank
                sink.log_batch(ids, logits, logits=True)
                logged.append((epoch, ids.numpy(), logits.numpy()))
            sink.end_epoch()
        errors = []
        # a rank logging an unknown id: every rank raises the same error
        sink.log_batch(torch.tensor([N + rank]), torch.zeros(1, C), logits=True)
        # a NaN on rank 1 only, found after the epoch: the same error on every rank again
        spoilt = torch.zeros(len(sampler), C)
        spoilt[1, 2] = float("nan") if rank == 1 else 0.0
        one_bad_id = [N + 7] if rank == 1 else [0]  # a list: looked up when the batch is written
        for attempt in (
            lambda: None,
            lambda: sink.log_batch(list(sampler), spoilt, logits=True),
            lambda: sink.log_batch(one_bad_id, torch.zeros(1, C), logits=True),
        ):
            attempt()
            try:
                sink.end_epoch()
                errors.append("")
            except ValueError as exc:
                errors.append(str(exc))
        if not host:  # rank 1 built its map from other labels: found before anything is merged
            other = DataMapLogger(TrainingDynamics((y.numpy() + rank) % C))
            other.log_batch(list(sampler), torch.zeros(len(sampler), C), logits=True)
            try:
                other.end_epoch()
            except ValueError as exc:
                errors.append(str(exc))
        with open(os.path.join(out_dir, f"rank{rank}.pkl"), "wb") as f:
            pickle.dump(
                dict(
                    p=td.gold_probabilities(),
                    epochs=td.n_epochs,
                    recorder=sink.is_recorder,
                    logged=logged,
                    errors=errors,
                    nan_id=list(sampler)[1],
                ),
                f,
            )
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("host", [False, True], ids=["device", "host"])
def test_ddp_two_ranks_gather_by_id_on_rank_0(tmp_path, host):
    mp.spawn(ddp_worker, args=(2, free_port(), str(tmp_path), host), nprocs=2, join=True)
    r0, r1 = (pickle.loads((tmp_path / f"rank{r}.pkl").read_bytes()) for r in (0, 1))
    _, y = make_data()
    assert r0["recorder"] and not r1["recorder"]
    assert r0["epochs"] == 3 and r1["epochs"] == 0
    ref = np.full((3, N), np.nan)
    for epoch, ids, logits in r0["logged"] + r1["logged"]:  # rank 0 first: its outputs win
        p = torch.softmax(torch.from_numpy(logits), 1).numpy()
        for i, row in zip(ids, p):
            if np.isnan(ref[epoch, i]):
                ref[epoch, i] = row[y[i]]
    rows = [sum(len(ids) for e, ids, _ in r0["logged"] + r1["logged"] if e == 0)]
    assert rows == [N + 1]  # 46 = 45 + the repeat DistributedSampler pads with
    np.testing.assert_allclose(r0["p"], ref, rtol=1e-6, atol=1e-7)
    invalid, nan, bad_list_id, *other_labels = r0["errors"]
    assert r1["errors"][:2] == r0["errors"][:2]
    assert f"[{N + 7}]" in r1["errors"][2]  # every rank raises, the one at fault says why
    assert bad_list_id and (host or bad_list_id.startswith("1 other ranks could not log"))
    assert "not among the map's" in invalid or "unknown" in invalid
    assert not host or str(N) in invalid
    if not host:
        assert f"NaN or inf (e.g. ids [{r1['nan_id']}])" in nan
        assert r1["errors"][3] == other_labels[0]
        assert other_labels[0].startswith(
            f"the ranks' data maps differ in the ids or gold labels of {N}"
        )
