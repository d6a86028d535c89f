"""DataMapLogger's device path, run on CPU tensors: the code a CUDA run executes, op for op.

Reference: the engine's host path (``td.log_batch`` of numpy copies + ``end_epoch``) fed the same
batches; every map must agree to float32 precision. No step may read device memory on the host:
checked with the profiler (no ``_local_scalar_dense``, ``nonzero``...) and by making ``item``,
``cpu``, ``tolist``, ``numpy`` and ``bool`` fail inside ``log_batch``.
"""

import contextlib

import numpy as np
import pytest
import torch

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.torch import DataMapLogger

N, C, L, EPOCHS, BATCH = 157, 4, 3, 3, 16  # 157: the last batch is short


def gold_for(task, rng):
    if task == "multiclass":
        return rng.integers(0, C, N)
    if task == "multilabel":
        gold = rng.integers(0, 2, (N, L))
        gold[:, 0] = 1 - gold[:, 1]  # every label has both classes
        return gold
    return rng.integers(0, 2, N)


def outputs_for(kind, rng, n):
    """One batch of outputs of a given kind: (task, column count, logits?)."""
    task, cols, logits = kind
    z = rng.normal(0, 2.5, (n, cols) if cols else n).astype(np.float32)
    if logits:
        return z
    if task == "multiclass" or (task == "binary" and cols == 2):
        e = np.exp(z - z.max(1, keepdims=True))
        return (e / e.sum(1, keepdims=True)).astype(np.float32)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


KINDS = {
    "binary p(class 1)": ("binary", 0, False),
    "binary logit": ("binary", 0, True),
    "binary (N, 1) logit": ("binary", 1, True),
    "binary (N, 2) probs": ("binary", 2, False),
    "binary (N, 2) logits": ("binary", 2, True),
    "multiclass probs": ("multiclass", C, False),
    "multiclass logits": ("multiclass", C, True),
    "multilabel probs": ("multilabel", L, False),
    "multilabel logits": ("multilabel", L, True),
}
ID_KINDS = ["0..N-1", "sparse ints", "strings", "positions of strings"]


def ids_for(id_kind):
    if id_kind == "0..N-1":
        return None
    if id_kind == "sparse ints":
        return np.random.default_rng(9).permutation(N) * 7 - 300  # not sorted, negatives too
    return np.array([f"ex{i:03d}" for i in range(N)])


def run_both(kind, id_kind, *, as_tensor_ids=True, row_buffer_bytes=256 << 20, dtype=None):
    """The same shuffled batches into the device path and into the engine's host path."""
    rng = np.random.default_rng(0)
    task = kind[0]
    gold, ids = gold_for(task, rng), ids_for(id_kind)
    device_td = TrainingDynamics(gold, ids=ids, task=task)
    host_td = TrainingDynamics(gold, ids=ids, task=task)
    positions = id_kind == "positions of strings"
    log = DataMapLogger(device_td, positions=positions, row_buffer_bytes=row_buffer_bytes)
    for _ in range(EPOCHS):
        order = rng.permutation(N)
        for start in range(0, N, BATCH):
            rows = order[start : start + BATCH]
            out = outputs_for(kind, rng, rows.size)
            tensor = torch.from_numpy(out)
            if dtype is not None:
                tensor = tensor.to(dtype)
                out = tensor.clone()  # the engine reads the same half-precision values
            keys = rows if positions else host_td.ids[rows]
            if as_tensor_ids and keys.dtype.kind in "iu":
                keys = torch.from_numpy(keys.astype(np.int64))
            log.log_batch(keys, tensor, logits=kind[2])
            host_td.log_batch(host_td.ids[rows], out, logits=kind[2])
        log.end_epoch()
        host_td.end_epoch()
    return device_td, host_td


def assert_same_maps(a, b):
    labels = [None] if a.task != "multilabel" else list(range(a.n_classes))
    assert a.n_epochs == b.n_epochs == EPOCHS
    for label in labels:
        np.testing.assert_allclose(
            a.gold_probabilities(label), b.gold_probabilities(label), rtol=2e-7, atol=1e-7
        )
        np.testing.assert_array_equal(a.predictions(label), b.predictions(label))
        np.testing.assert_array_equal(a.correct(label), b.correct(label))
        if b._history.has_margin:
            np.testing.assert_allclose(a.margins(label), b.margins(label), rtol=1e-6, atol=1e-6)
        ma, mb = a.metrics(label=label), b.metrics(label=label)
        assert list(ma.columns) == list(mb.columns) and ma.index.equals(mb.index)
        for column in ma.columns:
            if ma[column].dtype.kind == "f":
                np.testing.assert_allclose(ma[column], mb[column], rtol=1e-6, atol=1e-6)
            else:
                assert ma[column].equals(mb[column]), column


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("id_kind", ID_KINDS)
def test_device_path_gives_the_host_paths_maps(kind, id_kind):
    device_td, host_td = run_both(KINDS[kind], id_kind)
    assert_same_maps(device_td, host_td)


@pytest.mark.parametrize("kind", ["binary (N, 2) logits", "multiclass logits", "multilabel probs"])
def test_reduced_slots_and_host_ids_give_the_same_maps(kind):
    """Rows reduced per batch (the buffer would not fit) and ids looked up on the host."""
    device_td, host_td = run_both(KINDS[kind], "sparse ints", row_buffer_bytes=0)
    assert_same_maps(device_td, host_td)
    device_td, host_td = run_both(KINDS[kind], "sparse ints", as_tensor_ids=False)
    assert_same_maps(device_td, host_td)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float64])
def test_other_precisions_are_read_like_the_host_path(dtype):
    for kind in ("multiclass logits", "multiclass probs"):
        device_td, host_td = run_both(KINDS[kind], "0..N-1", dtype=dtype)
        assert_same_maps(device_td, host_td)


def test_a_widget_sink_and_a_real_training_loop():
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.normal(size=(N, 6)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, C, N))
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, C))
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    w = DataMapWidget(labels=y.numpy(), texts=[f"row {i}" for i in range(N)])
    log = DataMapLogger(w)
    seen = np.zeros((EPOCHS, N), np.float32)
    for epoch in range(EPOCHS):
        for ids in torch.randperm(N).split(BATCH):
            logits = model(x[ids])  # requires grad: the logger detaches
            loss = torch.nn.functional.cross_entropy(logits, y[ids])
            opt.zero_grad()
            loss.backward()
            opt.step()
            log.log_batch(ids, logits, logits=True)
            seen[epoch, ids.numpy()] = torch.softmax(logits.detach(), 1)[range(len(ids)), y[ids]]
        log.end_epoch()
    assert w.n_epochs == EPOCHS
    np.testing.assert_allclose(w.dynamics.gold_probabilities(), seen, rtol=1e-6, atol=1e-7)


SYNCING_OPS = (
    "aten::_local_scalar_dense",  # .item(), int(t), bool(t), float(t)
    "aten::nonzero",  # boolean-mask indexing, torch.where(cond) with one argument
    "aten::masked_select",
    "aten::unique",
    "aten::_unique2",
    "aten::unique_consecutive",
    "aten::bincount",
    "aten::repeat_interleave",
    "aten::equal",
    "aten::is_nonzero",
)


@contextlib.contextmanager
def host_reads_fail(monkeypatch):
    """Tensor methods that copy device memory to the host raise while the block runs."""

    def refuse(name):
        def method(*args, **kwargs):
            raise AssertionError(f"Tensor.{name} called inside log_batch")

        return method

    with monkeypatch.context() as patch:
        for name in ("item", "cpu", "tolist", "numpy", "__bool__", "__int__", "__float__"):
            patch.setattr(torch.Tensor, name, refuse(name))
        yield


@pytest.mark.parametrize("kind", ["binary logit", "multiclass logits", "multilabel probs"])
@pytest.mark.parametrize("id_kind", ["0..N-1", "sparse ints", "positions of strings"])
@pytest.mark.parametrize("row_buffer_bytes", [256 << 20, 0])
def test_log_batch_never_reads_the_device_on_the_host(kind, id_kind, row_buffer_bytes, monkeypatch):
    rng = np.random.default_rng(0)
    task = KINDS[kind][0]
    td = TrainingDynamics(gold_for(task, rng), ids=ids_for(id_kind), task=task)
    positions = id_kind == "positions of strings"
    log = DataMapLogger(td, positions=positions, row_buffer_bytes=row_buffer_bytes)
    keys = torch.arange(N) if positions else torch.from_numpy(td.ids.astype(np.int64))
    batches = [
        (keys[rows], torch.from_numpy(outputs_for(KINDS[kind], rng, len(rows))))
        for rows in torch.randperm(N).split(3)  # 53 batches: a chunk of 32 is written midway
    ]
    log.log_batch(*batches[0], logits=KINDS[kind][2])  # step 1 is checked on the host, once
    with host_reads_fail(monkeypatch):
        with pytest.raises(AssertionError, match="Tensor.item"):  # the guard itself works
            torch.ones(1).item()
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for ids, out in batches[1:]:
                log.log_batch(ids, out, logits=KINDS[kind][2])
            log._write_chunk()  # what end_epoch writes before its one synchronisation
    ops = {event.key for event in prof.key_averages()}
    writes = [e.count for e in prof.key_averages() if e.key == "aten::scatter_add_"]
    assert writes == [2]  # the profile saw both writes (one per chunk), and nothing else read
    assert not ops & set(SYNCING_OPS), ops & set(SYNCING_OPS)
    log.end_epoch()
    assert td.n_epochs == 1


def make_logger(**kwargs):
    rng = np.random.default_rng(0)
    td = TrainingDynamics(rng.integers(0, C, N), ids=np.arange(N) + 1000)
    return td, DataMapLogger(td, **kwargs), rng


def log_epoch_batches(log, td, rng, *, skip=(), spoil=None, extra=()):
    """Log every example once (minus ``skip``), with ``spoil(batch_outputs)`` on batch 2."""
    order = [i for i in rng.permutation(N) if i not in skip] + list(extra)
    for b, start in enumerate(range(0, len(order), BATCH)):
        rows = np.array(order[start : start + BATCH])
        out = torch.from_numpy(outputs_for(("multiclass", C, True), rng, rows.size))
        if b == 2 and spoil is not None:
            spoil(out)
        log.log_batch(torch.tensor(td.ids[rows]), out, logits=True)


def test_bad_values_after_step_1_are_reported_at_end_epoch_with_ids():
    td, log, rng = make_logger()
    log_epoch_batches(log, td, rng)
    log.end_epoch()
    spoiled = []

    def spoil(out):
        out[3, 1] = float("nan")
        out[5, 0] = float("inf")
        spoiled.append(out)

    log_epoch_batches(log, td, rng, spoil=spoil)
    with pytest.raises(ValueError, match=r"logits of 2 examples contain NaN or inf \(e\.g\. ids"):
        log.end_epoch()
    assert td.n_epochs == 1  # nothing recorded, and the epoch was dropped: a new one starts clean
    log_epoch_batches(log, td, rng)
    log.end_epoch()
    assert td.n_epochs == 2


def test_ids_that_are_not_the_maps_repeats_and_missing_examples():
    td, log, rng = make_logger()
    log_epoch_batches(log, td, rng)
    log.end_epoch()
    order = rng.permutation(N)
    log.log_batch(torch.tensor([5, 7]), torch.zeros(2, C), logits=True)  # not among 1000..
    for rows in np.array_split(order, 10):
        log.log_batch(torch.tensor(td.ids[rows]), torch.zeros(len(rows), C), logits=True)
    with pytest.raises(ValueError, match=r"^2 ids logged this epoch are not among the map's 157"):
        log.end_epoch()
    for rows in [*np.array_split(order, 10), order[:3]]:  # three examples twice
        log.log_batch(torch.tensor(td.ids[rows]), torch.zeros(len(rows), C), logits=True)
    with pytest.raises(ValueError, match=r"^3 examples were logged more than once") as err:
        log.end_epoch()
    assert str(td.ids[order[0]]) in str(err.value) and "dropped" in str(err.value)
    for rows in np.array_split(order, 10)[:-1]:  # the last batch is missing: it can be added
        log.log_batch(torch.tensor(td.ids[rows]), torch.zeros(len(rows), C), logits=True)
    with pytest.raises(ValueError, match=r"epoch incomplete: 15 of 157 .*call end_epoch\(\) again"):
        log.end_epoch()
    last = np.array_split(order, 10)[-1]
    log.log_batch(torch.tensor(td.ids[last]), torch.zeros(len(last), C), logits=True)
    log.end_epoch()
    assert td.n_epochs == 2
    with pytest.raises(ValueError, match="no batches were logged"):
        log.end_epoch()
    log.log_batch(torch.tensor([1000]), torch.zeros(1, C), logits=True)
    assert log.discard_pending() == 1
    with pytest.raises(ValueError, match="no batches were logged"):
        log.end_epoch()


def test_probability_checks_match_the_engine():
    td, log, _ = make_logger()
    rows = torch.tensor(td.ids[:4])
    p = torch.full((4, C), 1 / C)
    log.log_batch(rows, p, logits=False)
    log.log_batch(torch.tensor(td.ids[4:8]), torch.full((4, C), 0.5), logits=False)  # sum 2
    log.log_batch(torch.tensor(td.ids[8:]), torch.full((N - 8, C), 1 / C) * 1.0004)
    with pytest.raises(ValueError, match=r"rows of 4 examples do not .*e\.g\. ids \[1004"):
        log.end_epoch()
    bad = torch.full((4, C), 1 / C)
    bad[0] = torch.tensor([1.5, -0.5, 0, 0])
    log.log_batch(rows, torch.full((4, C), 1 / C), logits=False)
    log.log_batch(torch.tensor(td.ids[4:8]), bad, logits=False)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]; those of 1 examples.*\[1004\]"):
        log.end_epoch()
    assert td.n_epochs == 0


def test_step_1_errors_raise_at_once_and_record_nothing():
    td, _, _ = make_logger()
    with pytest.raises(ValueError, match=r"1 unknown ids"):
        DataMapLogger(td).log_batch(torch.tensor([5]), torch.zeros(1, C), logits=True)
    with pytest.raises(ValueError, match=r"NaN or inf \(e\.g\. ids \[1001\]"):
        DataMapLogger(td).log_batch(
            torch.tensor([1000, 1001]), torch.tensor([[0.0] * C, [float("nan")] * C]), logits=True
        )
    log = DataMapLogger(td)
    with pytest.raises(ValueError, match=r"2 ids but outputs of shape \(3, 4\)"):
        log.log_batch(torch.tensor([1000, 1001]), torch.zeros(3, C), logits=True)
    with pytest.raises(ValueError, match=r"expected \(2, 4\) for these 2 examples"):
        log.log_batch(torch.tensor([1000, 1001]), torch.zeros(2, C + 1), logits=True)
    with pytest.raises(TypeError, match="numeric"):
        log.log_batch(torch.tensor([1000]), torch.zeros(1, C, dtype=torch.bool), logits=True)
    with pytest.raises(TypeError, match="ids must be"):
        log.log_batch(torch.tensor([1000.0]), torch.zeros(1, C), logits=True)
    log.log_batch(torch.tensor([1000]), torch.zeros(1, C), logits=True)
    with pytest.raises(ValueError, match="logged with logits=True"):
        log.log_batch(torch.tensor([1001]), torch.full((1, C), 1 / C), logits=False)
    with pytest.raises(ValueError, match="positions must lie in 0..156"):
        DataMapLogger(td, positions=True).log_batch([3, N], torch.zeros(2, C), logits=True)
    assert td.n_epochs == 0 and td.n_pending == 0


def test_engine_hook_checks_what_it_is_given():
    td = TrainingDynamics([0, 2, 1, 2], ids=["a", "b", "c", "d"])
    p = np.array([0.5, 0.25, 0.25, 0.9], np.float32)
    with pytest.raises(ValueError, match="required for multiclass"):
        td.log_reduced_epoch(p)
    with pytest.raises(ValueError, match=r"p_gold must have shape \(4,\)"):
        td.log_reduced_epoch(p[:3], predicted=[0, 2, 1])
    with pytest.raises(ValueError, match=r"1 examples have p_gold outside \[0, 1\] .*\['b'\]"):
        td.log_reduced_epoch([0.5, np.nan, 0.2, 0.1], predicted=[0, 2, 1, 2])
    with pytest.raises(ValueError, match=r"predicted outside 0..2 \(e\.g\. ids \['d'\]"):
        td.log_reduced_epoch(p, predicted=[0, 2, 1, 3])
    with pytest.raises(ValueError, match=r"margin NaN or inf \(e\.g\. ids \['a'\]"):
        td.log_reduced_epoch(p, predicted=[0, 2, 1, 2], margin=[np.inf, 0, 0, 0])
    assert td.n_epochs == 0
    td.log_reduced_epoch(p, predicted=[0, 2, 0, 2], margin=[1.0, -0.5, -1, 2])
    with pytest.raises(ValueError, match="logged with logits=True"):
        td.log_reduced_epoch(p, predicted=[0, 2, 0, 2])
    m = td.metrics()
    assert m.loc["c", "predicted_label"] == 0 and m.loc["d", "aum"] == 2
    np.testing.assert_allclose(td.gold_probabilities()[0], p)
    binary = TrainingDynamics([0, 1])
    with pytest.raises(ValueError, match="only kept for multiclass"):
        binary.log_reduced_epoch([0.2, 0.7], predicted=[1, 1])


def test_host_ids_are_checked_when_their_chunk_is_written():
    """Ids given as lists or numpy are looked up per chunk: a bad batch is named and dropped."""
    td, log, rng = make_logger()
    chunks = np.array_split(rng.permutation(N), 10)
    zeros = [torch.zeros(len(c), C) for c in chunks]
    log.log_batch(td.ids[chunks[0]].tolist(), zeros[0], logits=True)  # step 1: checked at once
    bad = td.ids[chunks[1]].copy()
    bad[0] = 5
    log.log_batch(bad, zeros[1], logits=True)  # not looked up yet
    for chunk, z in zip(chunks[2:], zeros[2:]):
        log.log_batch(td.ids[chunk], z, logits=True)
    with pytest.raises(
        ValueError, match=r"1 unknown ids .*\[5\].* 1 of them were not recorded, the"
    ):
        log.end_epoch()
    log.log_batch(td.ids[chunks[1]], zeros[1], logits=True)  # the dropped batch, fixed
    log.end_epoch()
    assert td.n_epochs == 1


def test_an_epoch_reduced_in_many_blocks_is_the_same(monkeypatch):
    from datamap_widget.integrations import _device_epoch

    monkeypatch.setitem(_device_epoch.BLOCK_ELEMENTS, "cpu", 4 * C + 3)  # 10 rows per block
    for kind in ("multiclass logits", "multilabel probs", "binary logit"):
        device_td, host_td = run_both(KINDS[kind], "sparse ints")
        assert_same_maps(device_td, host_td)


def test_batches_logged_from_several_threads_all_arrive():
    """DataParallel replicas run the Trainer's forward hooks in threads of their own."""
    import sys
    import threading

    rng = np.random.default_rng(4)
    td = TrainingDynamics(gold_for("multiclass", rng))
    log = DataMapLogger(td)
    z = torch.from_numpy(outputs_for(("multiclass", C, True), rng, N))
    log.log_batch(torch.arange(1), z[:1], logits=True)  # step 1; then 4 threads, one row a batch
    shares = np.array_split(np.arange(1, N), 4)
    reference = TrainingDynamics(td.gold())

    def replica(rows):
        for row in rows:
            log.log_batch(torch.tensor([row]), z[row : row + 1], logits=True)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between any two bytecodes, as under load
    try:
        for epoch in range(10):
            if epoch:
                log.log_batch(torch.arange(1), z[:1], logits=True)
            threads = [threading.Thread(target=replica, args=(rows,)) for rows in shares]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            log.end_epoch()
            reference.log_epoch(z.numpy(), logits=True)
    finally:
        sys.setswitchinterval(interval)
    np.testing.assert_allclose(td.gold_probabilities(), reference.gold_probabilities(), rtol=2e-7)
