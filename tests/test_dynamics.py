"""Engine metrics against slow references written from the definitions, and hand-worked cases."""

import itertools
import math
import statistics

import numpy as np
import pandas as pd
import pytest

from datamap_widget import REGIONS, TrainingDynamics

# slow references


def ref_p_gold(row, gold, task, logits):
    """p(gold) for one example from its raw output row, by the textbook formulas."""
    row = [float(v) for v in np.atleast_1d(row)]
    if task == "binary" and len(row) == 1:
        z_or_p = row[0]
        p1 = 1 / (1 + math.exp(-z_or_p)) if logits else z_or_p
        return p1 if gold == 1 else 1 - p1
    if logits:
        top = max(row)
        exps = [math.exp(z - top) for z in row]
        return exps[gold] / sum(exps)
    return row[gold]


def ref_margin(row, gold, task):
    row = [float(v) for v in np.atleast_1d(row)]
    if task == "binary" and len(row) == 1:
        return row[0] if gold == 1 else -row[0]
    return row[gold] - max(z for c, z in enumerate(row) if c != gold)


def ref_correct(row, gold, task, p_gold):
    if task == "multiclass":
        return int(np.argmax(row)) == gold
    return p_gold >= 0.5


def ref_forgetfulness(correct_seq):
    if not any(correct_seq):
        return math.inf
    return sum(1 for a, b in itertools.pairwise(correct_seq) if a and not b)


def ref_metrics(outputs, gold, task, logits, vt=0.2, ct=0.5):
    """Per-example Python loop, like the reference code. outputs: list over epochs of (N, ...)
    arrays; for multilabel call it once per label with that label's column."""
    rows = []
    for i in range(len(gold)):
        p = [float(np.float32(ref_p_gold(o[i], gold[i], task, logits))) for o in outputs]
        c = [ref_correct(o[i], gold[i], task, pi) for o, pi in zip(outputs, p)]
        conf = statistics.fmean(p)
        var = statistics.pstdev(p)
        region = "ambiguous" if var >= vt else ("easy-to-learn" if conf >= ct else "hard-to-learn")
        row = {
            "confidence": conf,
            "variability": var,
            "correctness": sum(c) / len(c),
            "forgetfulness": ref_forgetfulness(c),
            "threshold_closeness": conf * (1 - conf),
            "region": region,
        }
        last = outputs[-1][i]  # the prediction column is the prediction after the last epoch
        if task == "multiclass":
            row["predicted_label"] = int(np.argmax(last))
        else:
            row["predicted_label"] = int(gold[i]) if c[-1] else 1 - int(gold[i])
        row["gold_label"] = int(gold[i])
        if logits:
            row["aum"] = statistics.fmean(ref_margin(o[i], gold[i], task) for o in outputs)
        rows.append(row)
    return pd.DataFrame(rows)


def assert_matches_reference(df, ref, ids):
    assert list(df.index) == list(ids) and df.index.name == "id"
    assert list(df["region"].cat.categories) == list(REGIONS)
    assert set(df.columns) == set(ref.columns)
    for col in ("confidence", "variability", "correctness", "threshold_closeness"):
        np.testing.assert_allclose(df[col].to_numpy(), ref[col].to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(df["forgetfulness"].to_numpy(), ref["forgetfulness"].to_numpy())
    assert list(df["region"].astype(str)) == list(ref["region"])
    for col in ("gold_label", "predicted_label"):  # Categoricals: their codes are the classes
        np.testing.assert_array_equal(df[col].cat.codes.to_numpy(), ref[col].to_numpy())
    if "aum" in ref:
        np.testing.assert_allclose(
            df["aum"].to_numpy(), ref["aum"].to_numpy(), rtol=1e-5, atol=1e-5
        )


# random data, all tasks

N, E = 120, 7


def _random_probs(rng, shape, task):
    if task == "multiclass" or (task == "binary" and len(shape) == 2):
        x = rng.gamma(0.5, size=shape)
        return x / x.sum(axis=1, keepdims=True)
    return rng.random(shape)


def _outputs(rng, task, logits, c):
    shape = {"binary": (N,), "binary2": (N, 2), "multiclass": (N, c), "multilabel": (N, c)}[task]
    base = "binary" if task.startswith("binary") else task
    if logits:
        return [rng.normal(scale=3, size=shape) for _ in range(E)], base
    return [_random_probs(rng, shape, base) for _ in range(E)], base


@pytest.mark.parametrize("task", ["binary", "binary2", "multiclass"])
@pytest.mark.parametrize("logits", [False, True])
def test_metrics_match_reference_single_label(task, logits):
    rng = np.random.default_rng([len(task), task.count("2"), int(logits)])
    c = 5
    gold = rng.integers(0, 2 if task.startswith("binary") else c, N)
    gold[:2] = [0, 1]
    outputs, base = _outputs(rng, task, logits, c)
    ids = [f"doc-{i}" for i in rng.permutation(N)]
    td = TrainingDynamics(gold, ids=ids, task=base, n_classes=None if base == "binary" else c)
    assert td.task == base
    for k, out in enumerate(outputs, start=1):
        td.log_epoch(out, logits=logits)
        assert_matches_reference(td.metrics(), ref_metrics(outputs[:k], gold, base, logits), ids)
    for k in range(1, E + 1):  # replayed maps equal the live maps of that time
        assert_matches_reference(
            td.metrics(epochs=k), ref_metrics(outputs[:k], gold, base, logits), ids
        )


@pytest.mark.parametrize("logits", [False, True])
def test_metrics_match_reference_multilabel(logits):
    rng = np.random.default_rng(7 + logits)
    n_labels = 4
    gold = rng.integers(0, 2, (N, n_labels))
    outputs, _ = _outputs(rng, "multilabel", logits, n_labels)
    names = ["anger", "joy", "gratitude", "fear"]
    td = TrainingDynamics(gold, label_names=names)
    assert td.task == "multilabel" and td.n_classes == n_labels
    for out in outputs:
        td.log_epoch(out, logits=logits)
    for j, name in enumerate(names):
        # one label's map is the binary map of that column
        cols = [o[:, j] for o in outputs]
        ref = ref_metrics(cols, gold[:, j], "binary", logits)
        assert_matches_reference(td.metrics(label=name), ref, range(N))
        assert_matches_reference(td.metrics(label=j), ref, range(N))
        ref3 = ref_metrics(cols[:3], gold[:, j], "binary", logits)
        assert_matches_reference(td.metrics(epochs=3, label=name), ref3, range(N))


def test_accessors_match_definitions():
    rng = np.random.default_rng(3)
    c = 4
    gold = rng.integers(0, c, 50)
    outputs = [rng.normal(size=(50, c)) for _ in range(3)]
    td = TrainingDynamics(gold, n_classes=c)
    for o in outputs:
        td.log_epoch(o, logits=True)
    p = td.gold_probabilities()
    assert p.shape == (3, 50) and p.dtype == np.float32
    ref_p = [[ref_p_gold(o[i], gold[i], "multiclass", True) for i in range(50)] for o in outputs]
    np.testing.assert_allclose(p, ref_p, rtol=1e-6)
    pred = td.predictions()
    np.testing.assert_array_equal(pred, [np.argmax(o, axis=1) for o in outputs])
    np.testing.assert_array_equal(td.correct(), pred == gold)
    np.testing.assert_array_equal(td.gold(), gold)
    ref_m = [[ref_margin(o[i], gold[i], "multiclass") for i in range(50)] for o in outputs]
    np.testing.assert_allclose(td.margins(), ref_m, rtol=1e-6)
    traj = td.trajectory(17)
    assert list(traj.index) == [1, 2, 3] and traj.index.name == "epoch"
    np.testing.assert_allclose(traj["p_gold"], p[:, 17])
    np.testing.assert_array_equal(traj["prediction"], pred[:, 17])
    np.testing.assert_array_equal(traj["correct"], pred[:, 17] == gold[17])
    np.testing.assert_array_equal(td.index_of([17, 3]), [17, 3])


def test_binary_predictions_follow_p_class1():
    td = TrainingDynamics([0, 1, 0, 1])
    td.log_epoch([0.2, 0.2, 0.7, 0.7])
    np.testing.assert_array_equal(td.predictions(), [[0, 0, 1, 1]])
    np.testing.assert_array_equal(td.correct(), [[True, False, False, True]])
    np.testing.assert_allclose(td.gold_probabilities(), [[0.8, 0.2, 0.3, 0.7]], rtol=1e-6)


# hand-worked cases

TUTORIAL = {  # p(gold) per epoch for gold = 1, so p(class 1) = p(gold)
    "learned then forgotten": [0.2, 0.8, 0.9, 0.3, 0.2],
    "learned late": [0.1, 0.1, 0.2, 0.3, 0.9],
    "flips every epoch": [0.9, 0.1, 0.9, 0.1, 0.9],
    "never learned": [0.1, 0.2, 0.1, 0.2, 0.1],
    "easy": [0.9, 0.95, 0.9, 0.95, 0.9],
}


def test_tutorial_trajectories_by_hand():
    names = list(TUTORIAL)
    td = TrainingDynamics(np.ones(len(names), int), ids=names)
    for e in range(5):
        td.log_epoch([TUTORIAL[n][e] for n in names])
    df = td.metrics()
    # worked out on paper: mean, sqrt(mean squared deviation), correct epochs / 5
    expected = {
        "learned then forgotten": (0.48, math.sqrt(0.468 / 5), 0.4, 1, "ambiguous"),
        "learned late": (0.32, math.sqrt(0.448 / 5), 0.2, 0, "ambiguous"),
        "flips every epoch": (0.58, math.sqrt(0.768 / 5), 0.6, 2, "ambiguous"),
        "never learned": (0.14, math.sqrt(0.012 / 5), 0.0, math.inf, "hard-to-learn"),
        "easy": (0.92, math.sqrt(0.003 / 5), 1.0, 0, "easy-to-learn"),
    }
    for name, (conf, var, corr, forget, region) in expected.items():
        row = df.loc[name]
        assert row.confidence == pytest.approx(conf, abs=1e-6)
        assert row.variability == pytest.approx(var, abs=1e-6)
        assert row.correctness == pytest.approx(corr)
        assert row.forgetfulness == forget
        assert row.threshold_closeness == pytest.approx(conf * (1 - conf), abs=1e-6)
        assert row.region == region
    # after 3 epochs "learned then forgotten" had not been forgotten yet
    early = td.metrics(epochs=3).loc["learned then forgotten"]
    assert early.forgetfulness == 0 and early.correctness == pytest.approx(2 / 3)


def test_aum_by_hand():
    td = TrainingDynamics([0, 2], n_classes=3)
    td.log_epoch([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]], logits=True)  # margins 1, 5
    td.log_epoch([[0.0, 3.0, 1.0], [4.0, 0.0, 1.0]], logits=True)  # margins -3, -3
    np.testing.assert_allclose(td.metrics()["aum"], [-1.0, 1.0])
    td_b = TrainingDynamics([1, 0])
    td_b.log_epoch([2.0, 2.0], logits=True)  # one logit column: margin z for gold 1, -z for 0
    np.testing.assert_allclose(td_b.metrics()["aum"], [2.0, -2.0])
    assert "aum" not in TrainingDynamics([1, 0]).metrics().columns


def test_regions_thresholds_and_ordering():
    td = TrainingDynamics(
        [1] * 6, ids=list("abcdef"), variability_threshold=0.1, confidence_threshold=0.6
    )
    traj = {
        "a": [0.9, 0.95],
        "b": [0.7, 0.7],
        "c": [0.55, 0.55],
        "d": [0.1, 0.1],
        "e": [0.3, 0.3],
        "f": [0.1, 0.9],
    }
    for e in range(2):
        td.log_epoch([traj[k][e] for k in "abcdef"])
    assert list(td.easy().index) == ["a", "b"]  # confidence descending
    assert list(td.hard().index) == ["d", "e", "c"]  # confidence ascending: mislabels first
    assert list(td.ambiguous().index) == ["f"]
    td.confidence_threshold = 0.5
    assert list(td.easy().index) == ["a", "b", "c"]
    parts = pd.concat([td.easy(), td.ambiguous(), td.hard()])
    assert sorted(parts.index) == sorted(td.ids)


def test_no_epochs_gives_empty_map():
    td = TrainingDynamics([0, 1, 1])
    df = td.metrics()
    assert len(df) == 3 and df["confidence"].isna().all() and df["region"].isna().all()
    assert td.gold_probabilities().shape == (0, 3)
    assert td.trajectory(1).empty


def test_log_batch_equals_log_epoch():
    rng = np.random.default_rng(11)
    gold = rng.integers(0, 3, 40)
    ids = np.array([f"x{i}" for i in range(40)])
    full = TrainingDynamics(gold, ids=ids)
    batched = TrainingDynamics(gold, ids=ids)
    for _ in range(3):
        out = rng.normal(size=(40, 3))
        full.log_epoch(out, logits=True)
        perm = rng.permutation(40)
        for part in np.array_split(perm, 6):
            batched.log_batch(ids[part], out[part], logits=True)
        assert batched.n_pending == 40
        batched.end_epoch()
    pd.testing.assert_frame_equal(full.metrics(), batched.metrics())
    np.testing.assert_array_equal(full.gold_probabilities(), batched.gold_probabilities())


def test_epoch_listeners():
    td = TrainingDynamics([0, 1])
    seen = []

    def listener(obj):
        seen.append(obj.n_epochs)

    def broken(obj):
        raise RuntimeError("view is gone")

    td.add_epoch_listener(listener)
    td.add_epoch_listener(broken)
    with pytest.warns(RuntimeWarning, match="view is gone"):
        td.log_epoch([0.3, 0.6])
    td.log_batch([1], [0.9])
    assert seen == [1]  # not before the epoch is finished
    with pytest.warns(RuntimeWarning):
        td.log_batch([0], [0.1])
        td.end_epoch()
    assert seen == [1, 2] and td.n_epochs == 2
    td.remove_epoch_listener(listener)
    td.remove_epoch_listener(broken)
    td.remove_epoch_listener(broken)  # removing twice is harmless
    td.log_epoch([0.3, 0.6])
    assert seen == [1, 2]
    with pytest.raises(TypeError):
        td.add_epoch_listener("not callable")


@pytest.mark.parametrize(
    "labels, kwargs, task, n_classes",
    [
        ([0, 1, 1], {}, "binary", 2),
        ([True, False], {}, "binary", 2),
        ([0, 2, 1], {}, "multiclass", 3),
        ([0, 1, 1], {"label_names": ["a", "b", "c"]}, "multiclass", 3),
        ([0, 1, 1], {"task": "multiclass"}, "multiclass", 2),
        ([[0, 1, 1], [1, 0, 0]], {}, "multilabel", 3),
        (
            [[2], [0, 1], []],
            {"task": "multilabel", "label_names": ["a", "b", "c"]},
            "multilabel",
            3,
        ),
        ([[2], [1], [0]], {"task": "multilabel", "label_names": ["a", "b", "c"]}, "multilabel", 3),
    ],
)
def test_task_inference(labels, kwargs, task, n_classes):
    td = TrainingDynamics(labels, **kwargs)
    assert (td.task, td.n_classes) == (task, n_classes)


def test_index_lists_become_multi_hot():
    td = TrainingDynamics([[2], [0, 1], []], task="multilabel", label_names=["a", "b", "c"])
    np.testing.assert_array_equal(td.gold(label="a"), [0, 1, 0])
    np.testing.assert_array_equal(td.gold(label="c"), [1, 0, 0])


def test_inputs_are_neither_mutated_nor_shared():
    rng = np.random.default_rng(2)
    gold = rng.integers(0, 3, 20)
    logits = rng.normal(size=(20, 3))
    keep_gold, keep_logits = gold.copy(), logits.copy()
    td = TrainingDynamics(gold, n_classes=3)
    td.log_epoch(logits, logits=True)
    np.testing.assert_array_equal(logits, keep_logits)
    gold[:] = 0  # the caller reusing its array must not rewrite the recorded gold labels
    np.testing.assert_array_equal(td.gold(), keep_gold)
    assert gold.flags.writeable


def test_multilabel_trajectory_and_accessors():
    gold = np.array([[1, 0], [0, 1], [1, 1]])
    td = TrainingDynamics(gold, ids=["u", "v", "w"], label_names=["joy", "gratitude"])
    td.log_epoch([[0.9, 0.2], [0.3, 0.4], [0.6, 0.7]])
    td.log_epoch([[0.4, 0.6], [0.1, 0.8], [0.8, 0.2]])
    traj = td.trajectory("v", label="gratitude")
    np.testing.assert_allclose(traj["p_gold"], [0.4, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(traj["prediction"], [0, 1])
    np.testing.assert_array_equal(traj["correct"], [False, True])
    np.testing.assert_array_equal(td.gold(label="gratitude"), [0, 1, 1])
    np.testing.assert_allclose(
        td.gold_probabilities(label=0), [[0.9, 0.7, 0.6], [0.4, 0.9, 0.8]], rtol=1e-6
    )
    np.testing.assert_array_equal(td.predictions(label="joy"), [[1, 0, 1], [0, 0, 1]])


def test_pickle_round_trip_drops_listeners():
    import pickle

    td = TrainingDynamics([0, 1, 1], ids=["a", "b", "c"])
    td.add_epoch_listener(lambda obj: None)  # lambdas cannot be pickled: must be dropped
    td.log_epoch([0.2, 0.9, 0.4])
    back = pickle.loads(pickle.dumps(td))
    pd.testing.assert_frame_equal(back.metrics(), td.metrics())
    back.log_epoch([0.1, 0.8, 0.6])
    assert (back.n_epochs, td.n_epochs) == (2, 1)


def test_exact_half_counts_as_correct():
    """p(gold) >= 0.5 is correct (binary and multilabel), so a 0.5 tie is correct for either gold."""
    td = TrainingDynamics([0, 1])
    td.log_epoch([0.5, 0.5])
    np.testing.assert_array_equal(td.correct(), [[True, True]])
    np.testing.assert_array_equal(td.predictions(), [[0, 1]])  # the tie resolves to gold
    assert list(td.metrics()["correctness"]) == [1.0, 1.0]
    ml = TrainingDynamics([[1, 0]], task="multilabel")
    ml.log_epoch([[0.5, 0.5]])
    assert ml.correct(label=0)[0, 0] and ml.correct(label=1)[0, 0]
