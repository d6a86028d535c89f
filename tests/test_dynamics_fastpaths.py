"""Per-batch id lookup, per-label multilabel accessors and low-precision outputs.

Each fast path is checked against an obviously correct reference (a dict of ids, a loop over
epochs of the full outputs, float32 copies of low-precision tensors).
"""

import copy
import pickle
import re

import numpy as np
import pytest

from datamap_widget import TrainingDynamics


def dict_positions(ids, query):
    where = {v: i for i, v in enumerate(ids.tolist())}
    return [where.get(q, -1) for q in query]


ID_SETS = {
    "default": None,
    "permuted ints": np.random.default_rng(1).permutation(60),
    "sparse ints": np.arange(60) * 7 - 100,
    "unsigned": np.arange(60, dtype=np.uint32)[::-1].copy(),
    "strings": np.array([f"ex{i:03d}" for i in range(60)])[::-1].copy(),
}


@pytest.mark.parametrize("name", list(ID_SETS))
def test_index_of_matches_a_dict(name):
    td = TrainingDynamics(np.zeros(60, int), ids=ID_SETS[name])
    ids = td.ids
    rng = np.random.default_rng(2)
    td.index_of(ids[:2])  # copies made after a lookup (sorted copy built) must still work
    for copy_of in (td, copy.deepcopy(td), pickle.loads(pickle.dumps(td))):
        query = ids[rng.permutation(60)[:25]]
        np.testing.assert_array_equal(copy_of.index_of(query), dict_positions(ids, query))
        np.testing.assert_array_equal(copy_of.index_of(list(query)), dict_positions(ids, query))
    same_kind = [-1, 60, 10**6] if ids.dtype.kind in "iu" else ["zz", "ex", "ex0000"]
    for stranger in same_kind:
        with pytest.raises(ValueError, match=r"^1 unknown ids"):
            td.index_of([ids[3], stranger])
    for stranger in [0, 5] if ids.dtype.kind == "U" else ["0", "5"]:  # right value, wrong type
        with pytest.raises(ValueError, match=r"^1 unknown ids"):
            td.index_of([stranger])
    query = ids[:3].astype(np.int64) if ids.dtype.kind in "iu" else ids[:3].copy()
    positions = td.index_of(query)
    positions[:] = -7  # the result is the caller's to change: neither query nor td is affected
    np.testing.assert_array_equal(query, ids[:3].astype(query.dtype))
    np.testing.assert_array_equal(td.index_of(query), [0, 1, 2])
    mixed = np.array([ids[5], "nope"], dtype=object)  # object arrays take the pandas route
    with pytest.raises(ValueError, match=r"1 unknown ids.*'nope'"):
        td.index_of(mixed)
    np.testing.assert_array_equal(td.index_of(np.array([ids[5]], dtype=object)), [5])


@pytest.mark.parametrize("name", ["default", "strings"])
def test_shuffled_small_batches_equal_log_epoch(name):
    n = 203
    ids = None if name == "default" else np.array([f"r{i}" for i in range(n)])
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 2, n)
    full, batched = TrainingDynamics(gold, ids=ids), TrainingDynamics(gold, ids=ids)
    for _ in range(3):
        p1 = rng.random(n).astype(np.float32)
        full.log_epoch(p1)
        perm = rng.permutation(n)
        for start in range(0, n, 32):
            part = perm[start : start + 32]
            batched.log_batch(batched.ids[part], p1[part])
        batched.end_epoch()
    np.testing.assert_array_equal(full.gold_probabilities(), batched.gold_probabilities())
    np.testing.assert_array_equal(full.predictions(), batched.predictions())


def test_default_id_batches_refuse_strangers_and_repeats_unchanged():
    td = TrainingDynamics([0, 1, 0, 1, 1])
    td.log_batch([4, 0], [0.2, 0.3])
    state = td._pending.p_gold.copy(), td._pending.seen.copy(), td._pending.n_batches
    cases = [
        (np.array([1, 5]), "unknown ids (e.g. [5])"),
        (np.array([-1, 1]), "unknown ids (e.g. [-1])"),
        (np.array([np.iinfo(np.uint64).max, 1], np.uint64), "unknown ids"),
        (np.array([1, 2, 3, 1]), "1 ids appear more than once in this batch (e.g. [1])"),
        (np.array([3, 2, 3, 2, 1]), "2 ids appear more than once in this batch (e.g. [2, 3])"),
        (np.array([2, 0]), "1 ids of this batch were already logged this epoch (e.g. [0])"),
    ]
    for ids, words in cases:
        with pytest.raises(ValueError, match=re.escape(words)):
            td.log_batch(ids, np.full(len(ids), 0.5))
        np.testing.assert_array_equal(td._pending.seen, state[1])
        np.testing.assert_array_equal(td._pending.p_gold[state[1]], state[0][state[1]])
        assert td._pending.n_batches == state[2] and td.n_epochs == 0
    td.log_batch([1, 2, 3], [0.6, 0.7, 0.8])
    td.end_epoch()
    np.testing.assert_allclose(td.gold_probabilities()[0], [0.7, 0.6, 0.3, 0.8, 0.2], rtol=1e-6)


def test_multilabel_per_label_accessors_match_a_loop():
    rng = np.random.default_rng(4)
    n, n_labels, epochs = 300, 6, 4
    gold = rng.random((n, n_labels)) < 0.3
    td = TrainingDynamics(gold.astype(int), label_names=list("abcdef"))
    outs = [rng.normal(size=(n, n_labels)) for _ in range(epochs)]
    for out in outs:
        td.log_epoch(out, logits=True)
    for label in range(n_labels):
        g = gold[:, label]
        p1 = [1 / (1 + np.exp(-o[:, label])) for o in outs]
        ref_pred = [np.where(g, p >= 0.5, p > 0.5).astype(int) for p in p1]
        ref_p_gold = [np.where(g, p, 1 - p) for p in p1]
        for key in (label, "abcdef"[label]):
            pred = td.predictions(key)
            assert pred.dtype == np.int64 and pred.shape == (epochs, n)
            np.testing.assert_array_equal(pred, ref_pred)
            np.testing.assert_array_equal(td.correct(key), np.equal(ref_pred, g))
            np.testing.assert_allclose(td.gold_probabilities(key), ref_p_gold, rtol=1e-6)
            np.testing.assert_allclose(
                td.margins(key), [np.where(g, o[:, label], -o[:, label]) for o in outs], rtol=1e-6
            )
        assert td.correct(label).mean() == pytest.approx(
            td.metrics(label=label)["correctness"].mean()
        )


def test_binary_and_multiclass_predictions_keep_int64():
    td = TrainingDynamics([0, 1, 1])
    td.log_epoch([0.5, 0.5, 0.2])  # a tie goes to gold
    assert td.predictions().dtype == np.int64
    np.testing.assert_array_equal(td.predictions(), [[0, 1, 0]])
    mc = TrainingDynamics([0, 2, 1], n_classes=3)
    mc.log_epoch(np.eye(3)[[1, 2, 1]])
    assert mc.predictions().dtype == np.int64
    np.testing.assert_array_equal(mc.predictions(), [[1, 2, 1]])
    np.testing.assert_array_equal(mc.correct(), [[False, True, True]])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_bfloat16_and_float16_torch_tensors():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    n, c = 400, 28
    gold = rng.integers(0, c, n)
    logits = torch.tensor(rng.normal(size=(n, c)) * 3, dtype=torch.float32, requires_grad=True)
    for dtype in (torch.bfloat16, torch.float16):
        low = (logits * 1).to(dtype)  # still attached to the graph
        probs = torch.softmax(low, dim=1)
        as_float = probs.detach().float().numpy()
        deviation = np.abs(as_float.astype(np.float64).sum(axis=1) - 1).max()
        if dtype == torch.bfloat16:
            assert deviation > 1e-3  # rows really are off by more than float32's tolerance
        td = TrainingDynamics(gold, n_classes=c)
        td.log_epoch(probs)
        np.testing.assert_allclose(
            td.gold_probabilities()[0], as_float[np.arange(n), gold], rtol=1e-6
        )
        np.testing.assert_array_equal(td.predictions()[0], as_float.argmax(axis=1))
        tl = TrainingDynamics(gold, n_classes=c)
        tl.log_epoch(low, logits=True)
        ref = softmax(low.detach().float().numpy().astype(np.float64))[np.arange(n), gold]
        np.testing.assert_allclose(tl.gold_probabilities()[0], ref, rtol=1e-5)
        bad = probs.detach().float() * 0.95  # not normalised: still refused
        with pytest.raises(ValueError, match="sum to 1"):
            td.log_epoch(bad.to(dtype))
        assert td.n_epochs == 1

    binary = TrainingDynamics(gold % 2, ids=[f"s{i}" for i in range(n)])
    p1 = torch.sigmoid(logits[:, 0] * 1).to(torch.bfloat16)
    ids = torch.arange(n)
    for start in range(0, n, 32):  # torch ids and bf16 outputs, as from a DataLoader loop
        binary.log_batch(
            np.asarray(binary.ids)[ids[start : start + 32].numpy()], p1[start : start + 32]
        )
    binary.end_epoch()
    ref = p1.detach().float().numpy()
    np.testing.assert_allclose(
        binary.gold_probabilities()[0], np.where(gold % 2 == 1, ref, 1 - ref), rtol=1e-6
    )
    default = TrainingDynamics(gold % 2)
    default.log_batch(ids.flip(0), p1.flip(0))
    default.end_epoch()
    np.testing.assert_array_equal(default.gold_probabilities(), binary.gold_probabilities())


def test_float16_and_ml_dtypes_bfloat16_arrays():
    rng = np.random.default_rng(6)
    n, c = 300, 28
    gold = rng.integers(0, c, n)
    probs = softmax(rng.normal(size=(n, c)) * 3)
    td = TrainingDynamics(gold, n_classes=c)
    half = probs.astype(np.float16)
    td.log_epoch(half)
    np.testing.assert_allclose(
        td.gold_probabilities()[0], half.astype(np.float32)[np.arange(n), gold], rtol=1e-6
    )
    ml_dtypes = pytest.importorskip("ml_dtypes")
    brain = probs.astype(ml_dtypes.bfloat16)
    td.log_epoch(brain)
    np.testing.assert_allclose(
        td.gold_probabilities()[1], brain.astype(np.float32)[np.arange(n), gold], rtol=1e-6
    )
    with pytest.raises(ValueError, match="sum to 1"):
        td.log_epoch((probs * 0.95).astype(ml_dtypes.bfloat16))
    assert td.n_epochs == 2
