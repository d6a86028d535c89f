"""Bad input raises a clear error and leaves the recorded state exactly as it was."""

import re

import numpy as np
import pandas as pd
import pytest

from datamap_widget import TrainingDynamics


def snapshot(td, label=None):
    return (
        td.n_epochs,
        td.n_pending,
        td.gold_probabilities(label=label).copy(),
        td.metrics(label=label).copy(),
    )


def assert_unchanged(td, before, label=None):
    after = snapshot(td, label)
    assert after[:2] == before[:2]
    np.testing.assert_array_equal(after[2], before[2])
    pd.testing.assert_frame_equal(after[3], before[3])


@pytest.fixture
def binary():
    td = TrainingDynamics([0, 1, 1, 0], ids=["a", "b", "c", "d"])
    td.log_epoch([0.2, 0.7, 0.4, 0.1])
    return td


@pytest.fixture
def multiclass():
    td = TrainingDynamics([0, 2, 1], label_names=["x", "y", "z"])
    td.log_epoch(np.full((3, 3), 1 / 3))
    return td


@pytest.mark.parametrize(
    "outputs, logits, error, words",
    [
        ([0.2, 0.7, 0.4], False, ValueError, "shape"),
        (np.zeros((4, 3)), False, ValueError, "shape"),
        ([0.2, np.nan, 0.4, 0.1], False, ValueError, "NaN"),
        ([0.2, np.inf, 0.4, 0.1], False, ValueError, "NaN or inf"),
        ([0.2, 1.5, 0.4, 0.1], False, ValueError, "[0, 1]"),
        ([0.2, -0.1, 0.4, 0.1], False, ValueError, "[0, 1]"),
        ([[0.2, 0.7]] * 4, False, ValueError, "sum to 1"),
        (["0.1", "a", "b", "c"], False, TypeError, "numeric"),
        ([0.2, 0.7, 0.4, 0.1], "yes", TypeError, "logits"),
        ([0.2, 0.7, 0.4, 0.1], True, ValueError, "logits=False"),  # kind must not change
    ],
)
def test_bad_binary_epoch(binary, outputs, logits, error, words):
    before = snapshot(binary)
    with pytest.raises(error, match=re.escape(words)):
        binary.log_epoch(outputs, logits=logits)
    assert_unchanged(binary, before)


def test_probability_noise_is_tolerated(binary):
    binary.log_epoch([1 + 1e-7, -1e-7, 0.5, 0.5])
    assert binary.gold_probabilities()[-1].max() <= 1.0


@pytest.mark.parametrize(
    "outputs, words",
    [
        (np.full((3, 2), 0.5), "shape"),
        (np.array([[0.5, 0.2, 0.2]] * 3), "sum to 1"),
        (np.array([[1.2, -0.1, -0.1]] * 3), "[0, 1]"),
    ],
)
def test_bad_multiclass_epoch(multiclass, outputs, words):
    before = snapshot(multiclass)
    with pytest.raises(ValueError, match=re.escape(words)):
        multiclass.log_epoch(outputs)
    assert_unchanged(multiclass, before)


def test_multilabel_rows_need_not_sum_to_one_but_must_be_probabilities():
    td = TrainingDynamics([[1, 0, 1], [0, 0, 1]])
    td.log_epoch([[0.9, 0.9, 0.9], [0.1, 0.1, 0.1]])
    before = snapshot(td, label=0)
    with pytest.raises(ValueError, match="outside|\\[0, 1\\]"):
        td.log_epoch([[0.9, 0.9, 1.9], [0.1, 0.1, 0.1]])
    with pytest.raises(ValueError, match="shape"):
        td.log_epoch([[0.9, 0.9], [0.1, 0.1]])
    assert_unchanged(td, before, label=0)
    with pytest.raises(ValueError, match="label="):
        td.metrics()
    with pytest.raises(ValueError, match="unknown label"):
        td.metrics(label="nope")
    with pytest.raises(ValueError, match="outside"):
        td.metrics(label=3)


@pytest.mark.parametrize(
    "labels, kwargs, error, words",
    [
        ([0, 3, 1], {"label_names": ["a", "b", "c"]}, ValueError, "only 3 classes"),
        ([0, -1, 1], {}, ValueError, ">= 0"),
        ([0, 2], {"task": "binary"}, ValueError, "0/1"),
        ([0, 1], {"task": "regression"}, ValueError, "task must be"),
        (["cat", "dog", "cow"], {"label_names": ["cat", "dog"]}, ValueError, "not in label_names"),
        (["cat", 1], {}, TypeError, "mix"),
        (["cat", None], {}, ValueError, "missing"),
        ([0.0, np.nan], {}, ValueError, "missing"),
        ([1, 2, 3], {}, ValueError, "never use class 0"),
        ([0, 1], {"label_names": {1: "a", 2: "b"}}, ValueError, "0..C-1"),
        ([0, 1, 0], {"ids": [1, "b", 2]}, TypeError, "mix strings"),
        ([0.5, 1.0], {}, TypeError, "integers"),
        ([], {}, ValueError, "empty"),
        ([[0, 2], [1, 0]], {}, ValueError, "multi-hot"),
        ([[0], [4]], {"task": "multilabel", "label_names": ["a", "b"]}, ValueError, "outside"),
        ([[0], [1, 0]], {}, ValueError, "label_names"),
        ([0, 1, 0], {"ids": [1, 2, 2]}, ValueError, "unique"),
        ([0, 1, 0], {"ids": [1, 2]}, ValueError, "one id per example"),
        ([0, 1, 0], {"ids": [1.5, 2.5, 3.5]}, TypeError, "ints or all strings"),
        ([0, 1], {"variability_threshold": 0.7}, ValueError, "variability_threshold"),
        ([0, 1], {"confidence_threshold": "high"}, TypeError, "confidence_threshold"),
        ([0, 1], {"label_names": ["a", "a"]}, ValueError, "unique"),
    ],
)
def test_bad_construction(labels, kwargs, error, words):
    with pytest.raises(error, match=words):
        TrainingDynamics(labels, **kwargs)


def test_unknown_keyword_rejected():
    with pytest.raises(TypeError):
        TrainingDynamics([0, 1], label_name=["a", "b"])


def test_bad_batches_are_dropped_whole_and_earlier_batches_kept(binary):
    binary.log_batch(["c", "a"], [0.5, 0.5])
    before = snapshot(binary)
    cases = [
        (["a2", "b"], [0.1, 0.2], ValueError, "unknown ids"),
        (["b", "b"], [0.1, 0.2], ValueError, "more than once"),
        (["a", "b"], [0.1, 0.2], ValueError, "already logged"),
        (["b", "d"], [0.1, 1.2], ValueError, "[0, 1]"),
        (["b", "d"], [0.1], ValueError, "shape"),
        (["b", "d"], [[0.1, 0.2], [0.3, 0.4]], ValueError, "sum to 1"),
    ]
    for ids, outputs, error, words in cases:
        with pytest.raises(error, match=re.escape(words)):
            binary.log_batch(ids, outputs)
        assert_unchanged(binary, before)
    with pytest.raises(ValueError, match="logits=False"):
        binary.log_batch(["b"], [0.3], logits=True)
    with pytest.raises(ValueError, match="pending"):
        binary.log_epoch([0.2, 0.7, 0.4, 0.1])
    assert_unchanged(binary, before)


def test_incomplete_epoch_reports_missing_and_keeps_batches(binary):
    binary.log_batch(["c", "a"], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"2 of 4 examples were not logged.*'b', 'd'"):
        binary.end_epoch()
    assert binary.n_epochs == 1 and binary.n_pending == 2
    binary.log_batch(["d", "b"], [0.3, 0.8])
    binary.end_epoch()
    assert binary.n_epochs == 2 and binary.n_pending == 0
    np.testing.assert_allclose(binary.gold_probabilities()[1], [0.5, 0.8, 0.5, 0.7], rtol=1e-6)


def test_discard_pending_restarts_epoch(binary):
    binary.log_batch(["c"], [0.5])
    binary.log_batch(["a"], [0.5])
    assert binary.discard_pending() == 2
    assert binary.n_pending == 0 and binary.n_epochs == 1
    with pytest.raises(ValueError, match="no batches"):
        binary.end_epoch()
    binary.log_batch(["a", "b", "c", "d"], [0.1, 0.2, 0.3, 0.4])
    binary.end_epoch()
    assert binary.n_epochs == 2


def test_bad_queries(binary):
    with pytest.raises(ValueError, match="unknown ids.*'zz'"):
        binary.index_of(["a", "zz"])
    with pytest.raises(ValueError, match="epochs must lie in 0..1"):
        binary.metrics(epochs=5)
    with pytest.raises(TypeError, match="epochs"):
        binary.metrics(epochs=1.5)
    with pytest.raises(ValueError, match="unknown ids"):
        binary.trajectory("nope")
    with pytest.raises(ValueError, match="logits=True"):
        binary.margins()
    with pytest.raises(ValueError, match="variability_threshold"):
        binary.variability_threshold = -1
    assert binary.variability_threshold == 0.2


def test_bad_multiclass_logits_name_the_rows():
    td = TrainingDynamics([0, 1, 2], n_classes=3)
    td.log_epoch(np.zeros((3, 3)), logits=True)
    before = snapshot(td)
    bad = np.zeros((3, 3))
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf in 1 rows \(first rows: \[2\]\)"):
        td.log_epoch(bad, logits=True)
    with pytest.raises(ValueError, match="logits=True"):
        td.log_epoch(np.full((3, 3), 1 / 3))
    assert_unchanged(td, before)
