"""save/load, on-disk mode (durable append, crash and resume) and allenai/cartography files."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from datamap_widget import TrainingDynamics


def make_run(task, logits, ids=None, epochs=4, seed=0):
    rng = np.random.default_rng(seed)
    n = 30
    if task == "binary":
        td = TrainingDynamics(rng.integers(0, 2, n), ids=ids, label_names=["no", "yes"])
        outs = [rng.normal(size=n) if logits else rng.random(n) for _ in range(epochs)]
    elif task == "multiclass":
        td = TrainingDynamics(rng.integers(0, 3, n), ids=ids, n_classes=5)
        outs = [
            rng.normal(size=(n, 5)) if logits else rng.dirichlet(np.ones(5), n)
            for _ in range(epochs)
        ]
    else:
        td = TrainingDynamics(
            rng.integers(0, 2, (n, 3)),
            ids=ids,
            label_names=["a", "b", "c"],
            variability_threshold=0.15,
            confidence_threshold=0.4,
        )
        outs = [rng.normal(size=(n, 3)) if logits else rng.random((n, 3)) for _ in range(epochs)]
    for o in outs:
        td.log_epoch(o, logits=logits)
    return td


def assert_same_run(a, b):
    assert (a.task, a.n_examples, a.n_epochs, a.n_classes, a.label_names) == (
        b.task,
        b.n_examples,
        b.n_epochs,
        b.n_classes,
        b.label_names,
    )
    assert (a.variability_threshold, a.confidence_threshold) == (
        b.variability_threshold,
        b.confidence_threshold,
    )
    assert a.ids.dtype == b.ids.dtype
    np.testing.assert_array_equal(a.ids, b.ids)
    labels = [None] if a.task != "multilabel" else list(range(a.n_classes))
    for label in labels:
        for get in ("gold", "gold_probabilities", "correct", "predictions"):
            x, y = getattr(a, get)(label=label), getattr(b, get)(label=label)
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)
        pd.testing.assert_frame_equal(a.metrics(label=label), b.metrics(label=label))
        pd.testing.assert_frame_equal(
            a.metrics(epochs=2, label=label), b.metrics(epochs=2, label=label)
        )


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("logits", [False, True])
@pytest.mark.parametrize("ids", [None, "str", "int32"])
def test_save_load_round_trip_is_exact(tmp_path, task, logits, ids):
    ids = {
        None: None,
        "str": [f"ex-{i}" for i in range(30)],
        "int32": np.arange(100, 130, dtype=np.int32),
    }[ids]
    td = make_run(task, logits, ids=ids)
    td.save(tmp_path / "run")
    back = TrainingDynamics.load(tmp_path / "run")
    assert_same_run(td, back)
    if logits:
        for label in [None] if task != "multilabel" else [0, 2]:
            np.testing.assert_array_equal(td.margins(label=label), back.margins(label=label))
    assert back.path is None  # loaded runs are in memory


def test_save_refuses_a_non_empty_directory(tmp_path):
    td = make_run("binary", False)
    td.save(tmp_path / "run")
    with pytest.raises(FileExistsError, match="not empty"):
        td.save(tmp_path / "run")
    with pytest.raises(FileNotFoundError, match="no saved run"):
        TrainingDynamics.load(tmp_path / "missing")


def test_on_disk_mode_appends_each_epoch_and_resumes(tmp_path):
    path = tmp_path / "live"
    rng = np.random.default_rng(5)
    gold = rng.integers(0, 2, 25)
    outs = [rng.random(25) for _ in range(5)]
    td = TrainingDynamics(gold, path=path)
    assert td.path == path
    for k, o in enumerate(outs[:3], start=1):
        td.log_epoch(o)
        assert sorted(p.name for p in path.glob("epoch_*.npz"))[-1] == f"epoch_{k:05d}.npz"
    td.log_batch(np.arange(10), outs[3][:10])  # epoch in progress: lost on reopen
    reopened = TrainingDynamics(gold, path=path)
    assert reopened.n_epochs == 3 and reopened.n_pending == 0
    reference = TrainingDynamics(gold)
    for o in outs[:3]:
        reference.log_epoch(o)
    assert_same_run(reference, reopened)
    reopened.log_epoch(outs[3])
    reopened.log_epoch(outs[4])
    assert TrainingDynamics.load(path).n_epochs == 5
    assert not [p for p in path.iterdir() if ".tmp" in p.name]


def test_on_disk_mode_rejects_a_different_run(tmp_path):
    path = tmp_path / "live"
    TrainingDynamics([0, 1, 1], path=path).log_epoch([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="labels differ"):
        TrainingDynamics([1, 1, 1], path=path)
    with pytest.raises(ValueError, match="ids differ"):
        TrainingDynamics([0, 1, 1], ids=["a", "b", "c"], path=path)
    with pytest.raises(ValueError, match="task"):
        TrainingDynamics([0, 1, 1], task="multiclass", path=path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="holds no datamap-widget run"):
        TrainingDynamics([0, 1], path=tmp_path / "other")
    assert TrainingDynamics([0, 1, 1], path=path).n_epochs == 1  # untouched by the failures


def test_failed_write_records_nothing(tmp_path):
    path = tmp_path / "live"
    td = TrainingDynamics([0, 1], path=path)
    td.log_epoch([0.4, 0.6])
    os.chmod(path, 0o500)
    try:
        if os.access(path, os.W_OK):  # running as root: permissions do not bite
            (path / "epoch_00002.npz").mkdir()  # os.replace onto a directory fails
        with pytest.raises(OSError):
            td.log_epoch([0.5, 0.5])
    finally:
        os.chmod(path, 0o700)
    assert td.n_epochs == 1


CHILD = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from datamap_widget import TrainingDynamics
    path, n_done = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(42)
    gold = rng.integers(0, 4, 200)
    outs = [rng.normal(size=(200, 4)) for _ in range(n_done + 1)]
    td = TrainingDynamics(gold, n_classes=4, path=path)
    for o in outs[:n_done]:
        td.log_epoch(o, logits=True)
    perm = rng.permutation(200)
    td.log_batch(perm[:120], outs[n_done][perm[:120]], logits=True)
    # a temp file as left by a write interrupted half way
    open(os.path.join(path, f".epoch_{n_done + 1:05d}.npz.tmp-1"), "wb").write(b"PK\\x03")
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_killed_process_resumes_with_completed_epochs(tmp_path):
    path = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), "3"], capture_output=True, timeout=60
    )
    assert proc.returncode == -9, proc.stderr.decode()
    rng = np.random.default_rng(42)
    gold = rng.integers(0, 4, 200)
    outs = [rng.normal(size=(200, 4)) for _ in range(4)]
    resumed = TrainingDynamics(gold, n_classes=4, path=path)
    assert resumed.n_epochs == 3
    reference = TrainingDynamics(gold, n_classes=4)
    for o in outs[:3]:
        reference.log_epoch(o, logits=True)
    assert_same_run(reference, resumed)
    resumed.log_epoch(outs[3], logits=True)  # training goes on where it stopped
    assert TrainingDynamics.load(path).n_epochs == 4


# allenai/cartography files


def write_cartography(folder, epochs, order_seed=0):
    """Files as allenai/cartography writes them: shuffled order, one line per example."""
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(order_seed)
    for e, rows in enumerate(epochs):
        with open(folder / f"dynamics_epoch_{e}.jsonl", "w") as f:
            for guid, gold, logits in (rows[i] for i in rng.permutation(len(rows))):
                f.write(
                    json.dumps({"guid": guid, f"logits_epoch_{e}": logits, "gold": gold}) + "\n"
                )


def test_from_cartography_reads_shuffled_epochs(tmp_path):
    rng = np.random.default_rng(9)
    guids = [int(g) for g in rng.choice(10_000, 40, replace=False)]
    gold = [int(g) for g in rng.integers(0, 3, 40)]
    logits = [rng.normal(size=(40, 3)) for _ in range(3)]
    epochs = [[(g, y, z.tolist()) for g, y, z in zip(guids, gold, lg)] for lg in logits]
    write_cartography(tmp_path / "dyn", epochs)
    td = TrainingDynamics.from_cartography(tmp_path / "dyn")
    assert td.task == "multiclass" and td.n_epochs == 3
    reference = TrainingDynamics(gold, ids=guids, n_classes=3)
    for lg in logits:
        reference.log_epoch(lg, logits=True)
    order = td.index_of(guids)
    np.testing.assert_allclose(td.gold_probabilities()[:, order], reference.gold_probabilities())
    pd.testing.assert_frame_equal(td.metrics().loc[guids], reference.metrics())


def test_from_cartography_rejects_mismatched_epochs(tmp_path):
    rows = [(i, i % 2, [0.1, 0.2]) for i in range(5)]
    write_cartography(tmp_path / "a", [rows, [*rows[:4], (99, 1, [0.0, 1.0])]])
    with pytest.raises(ValueError, match=r"dynamics_epoch_1.jsonl holds different examples.*99"):
        TrainingDynamics.from_cartography(tmp_path / "a")
    write_cartography(tmp_path / "b", [rows, rows])
    os.rename(tmp_path / "b" / "dynamics_epoch_1.jsonl", tmp_path / "b" / "dynamics_epoch_2.jsonl")
    with pytest.raises(ValueError, match=r"epochs \[1\]"):
        TrainingDynamics.from_cartography(tmp_path / "b")
    write_cartography(tmp_path / "c", [rows, [(i, 1 - y, z) for i, y, z in rows]])
    with pytest.raises(ValueError, match="different gold"):
        TrainingDynamics.from_cartography(tmp_path / "c")
    write_cartography(tmp_path / "d", [[*rows, rows[0]]])
    with pytest.raises(ValueError, match="repeats guids"):
        TrainingDynamics.from_cartography(tmp_path / "d")
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "dynamics_epoch_0.jsonl").write_text('{"guid": 1, "gold": 0}\n')
    with pytest.raises(ValueError, match="line 1"):
        TrainingDynamics.from_cartography(tmp_path / "e")


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_cartography_round_trip(tmp_path, task):
    rng = np.random.default_rng(1)
    n, c = 300, (2 if task == "binary" else 6)
    gold = rng.integers(0, c, n)
    ids = [f"g{i}" for i in range(n)]
    td = TrainingDynamics(gold, ids=ids, task=task, n_classes=None if task == "binary" else c)
    for _ in range(4):
        if task == "binary":
            td.log_epoch(rng.random(n))
        else:  # peaked rows so that wrong predictions with p(gold) close behind happen too
            td.log_epoch(rng.dirichlet(np.full(c, 0.3), n))
    td.to_cartography(tmp_path / "out")
    lines = (tmp_path / "out" / "dynamics_epoch_3.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert set(first) == {"guid", "logits_epoch_3", "gold"} and len(first["logits_epoch_3"]) == c
    back = TrainingDynamics.from_cartography(tmp_path / "out")
    assert back.task == task and back.ids.tolist() == ids
    np.testing.assert_allclose(back.gold_probabilities(), td.gold_probabilities(), rtol=1e-6)
    np.testing.assert_array_equal(back.predictions(), td.predictions())
    for col in ("confidence", "variability", "correctness"):
        np.testing.assert_allclose(back.metrics()[col], td.metrics()[col], rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="one label per example"):
        make_run("multilabel", False).to_cartography(tmp_path / "ml")
