"""scikit-learn helpers against hand-written loops over the same estimators."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.multioutput import MultiOutputClassifier

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations._sink import GuardedSink
from datamap_widget.integrations.sklearn import fit_epochs, log_staged


def data(n_classes=2, n=120, seed=0):
    return make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        flip_y=0.1,
        random_state=seed,
    )


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference_p_gold(estimator, X, y, epochs, score):
    """Plain loop: partial_fit, then score(estimator) -> (N, C) probabilities, p(gold) per epoch."""
    est, rows = clone(estimator), []
    for _ in range(epochs):
        est.partial_fit(X, y, classes=np.unique(y))
        p = score(est, X)
        rows.append([p[i, y[i]] for i in range(len(y))])
    return np.array(rows)


def test_fit_epochs_logs_predict_proba_each_epoch():
    X, y = data()
    est = SGDClassifier(loss="log_loss", random_state=0)
    td = TrainingDynamics(y)
    assert fit_epochs(est, X, y, td, epochs=4) == [est]  # one type with or without cv
    ref = reference_p_gold(est, X, y, 4, lambda e, X: e.predict_proba(X))
    assert td.n_epochs == 4
    np.testing.assert_allclose(td.gold_probabilities(), ref, rtol=1e-5, atol=1e-6)


def test_binary_decision_function_is_logged_as_logits_through_a_sigmoid():
    X, y = data()
    est = SGDClassifier(loss="hinge", random_state=0)
    td = TrainingDynamics(y)
    fit_epochs(est, X, y, td, epochs=3)

    def sigmoid_probs(e, X):
        p1 = 1 / (1 + np.exp(-e.decision_function(X)))
        return np.column_stack([1 - p1, p1])

    ref = reference_p_gold(est, X, y, 3, sigmoid_probs)
    np.testing.assert_allclose(td.gold_probabilities(), ref, rtol=1e-5, atol=1e-6)
    assert "aum" in td.metrics().columns  # logits were logged


def test_multiclass_decision_function_goes_through_softmax():
    X, y = data(n_classes=3)
    est = SGDClassifier(loss="hinge", random_state=0)
    td = TrainingDynamics(y)
    fit_epochs(est, X, y, td, epochs=2)
    ref = reference_p_gold(est, X, y, 2, lambda e, X: softmax(e.decision_function(X)))
    np.testing.assert_allclose(td.gold_probabilities(), ref, rtol=1e-5, atol=1e-6)


def test_string_classes_are_matched_to_label_names_by_name():
    X, y = data(n_classes=3)
    names = np.array(["zebra", "ant", "moth"])  # classes_ sorts them: ant, moth, zebra
    est = SGDClassifier(loss="log_loss", random_state=0)
    td = TrainingDynamics(y, label_names=list(names))
    fit_epochs(est, X, names[y], td, epochs=2)
    ref_est, rows = clone(est), []
    for _ in range(2):
        ref_est.partial_fit(X, names[y], classes=np.unique(names))
        p = ref_est.predict_proba(X)
        col = {c: i for i, c in enumerate(ref_est.classes_)}
        rows.append([p[i, col[names[y[i]]]] for i in range(len(y))])
    np.testing.assert_allclose(td.gold_probabilities(), rows, rtol=1e-5, atol=1e-6)


def test_ids_and_batches_place_rows_by_id():
    X, y = data()
    order = np.random.default_rng(1).permutation(len(y))
    ids = [f"ex{i}" for i in range(len(y))]
    td = TrainingDynamics(y, ids=ids)
    est = SGDClassifier(loss="log_loss", random_state=0)
    fit_epochs(est, X[order], y[order], td, epochs=2, ids=np.array(ids)[order], batch_size=50)
    p = est.predict_proba(X)  # the final model, rows in the map's order
    np.testing.assert_allclose(
        td.gold_probabilities()[-1], p[np.arange(len(y)), y], rtol=1e-5, atol=1e-6
    )


def test_multioutput_estimator_gives_a_multilabel_map():
    X, y = data()
    Y = np.column_stack([y, 1 - y, (X[:, 0] > 0).astype(int)])
    est = MultiOutputClassifier(SGDClassifier(loss="log_loss", random_state=0))
    td = TrainingDynamics(Y, label_names=["a", "b", "c"])
    fit_epochs(est, X, Y, td, epochs=2)
    p = np.column_stack([q[:, 1] for q in est.predict_proba(X)])
    np.testing.assert_allclose(
        td.gold_probabilities(label="c")[-1],
        np.where(Y[:, 2] == 1, p[:, 2], 1 - p[:, 2]),
        rtol=1e-5,
        atol=1e-6,
    )


def test_log_staged_logs_every_kth_stage():
    X, y = data(n_classes=3)
    gb = GradientBoostingClassifier(n_estimators=7, max_depth=2, random_state=0).fit(X, y)
    td = TrainingDynamics(y)
    assert log_staged(gb, X, td, every=2) == 3  # stages 2, 4, 6
    stages = list(gb.staged_predict_proba(X))
    ref = [stages[k][np.arange(len(y)), y] for k in (1, 3, 5)]
    np.testing.assert_allclose(td.gold_probabilities(), ref, rtol=1e-5, atol=1e-6)


def test_widget_is_a_valid_sink():
    X, y = data()
    w = DataMapWidget(labels=y, texts=[f"row {i}" for i in range(len(y))])
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, y, w, epochs=3)
    assert w.dynamics.n_epochs == 3
    assert len(w.to_dataframe()) == len(y)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda X, y, td: fit_epochs(GradientBoostingClassifier(), X, y, td), TypeError),
        (lambda X, y, td: fit_epochs(SGDClassifier(), X, y, object()), TypeError),
        (lambda X, y, td: fit_epochs(SGDClassifier(), X, y, td, epochs=0), ValueError),
        (lambda X, y, td: fit_epochs(SGDClassifier(), X, y, td, batch_size=0), ValueError),
        (lambda X, y, td: log_staged(SGDClassifier().fit(X, y), X, td), TypeError),
        (
            lambda X, y, td: log_staged(GradientBoostingClassifier().fit(X, y), X, td, every=0),
            ValueError,
        ),
    ],
)
def test_bad_arguments_raise_and_record_nothing(call, error):
    X, y = data()
    td = TrainingDynamics(y)
    with pytest.raises(error):
        call(X, y, td)
    assert td.n_epochs == 0


def test_an_estimator_that_knows_a_subset_of_the_classes():
    """The map has 4 classes, the data (and so classes_) only 3: probabilities of the missing
    class are 0; logits of a missing class cannot be made up, so they are a clear error."""
    X, y = data(n_classes=3)
    td = TrainingDynamics(y, n_classes=4)
    [est] = fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, y, td, epochs=1)
    assert est.classes_.tolist() == [0, 1, 2]
    expected = est.predict_proba(X)[np.arange(len(y)), y]
    np.testing.assert_allclose(td.gold_probabilities()[0], expected, rtol=1e-6, atol=1e-30)
    hinge = TrainingDynamics(y, n_classes=4)
    with pytest.raises(ValueError, match="logits for a subset cannot be completed"):
        fit_epochs(SGDClassifier(random_state=0), X, y, hinge, epochs=1)
    assert hinge.n_epochs == 0


class FlakySink:
    """A sink whose log_epoch fails on chosen calls (stands in for any logging failure)."""

    def __init__(self, td, fail_on):
        self.td, self.fail_on, self.calls = td, set(fail_on), 0

    def log_epoch(self, outputs, logits=False):
        self.calls += 1
        if self.calls in self.fail_on:
            raise RuntimeError("boom")
        self.td.log_epoch(outputs, logits=logits)

    def log_batch(self, ids, outputs, logits=False):
        self.td.log_batch(ids, outputs, logits=logits)

    def end_epoch(self):
        self.td.end_epoch()


def test_guard_raises_in_the_first_epoch_and_only_warns_later():
    y = np.array([0, 1, 1, 0])
    p = np.full(4, 0.7)
    with pytest.raises(RuntimeError, match="boom"):
        GuardedSink(FlakySink(TrainingDynamics(y), {1}), "test").log_epoch(p, logits=False)
    td = TrainingDynamics(y)
    guard = GuardedSink(FlakySink(td, {2}), "test")
    guard.log_epoch(p, logits=False)
    with pytest.warns(RuntimeWarning, match="left out of the data map.*boom"):
        guard.log_epoch(p, logits=False)
    guard.log_epoch(p, logits=False)
    assert td.n_epochs == 2


def test_guard_drops_a_broken_batch_epoch_and_keeps_going():
    y = np.array([0, 1, 1, 0])
    td = TrainingDynamics(y)
    guard = GuardedSink(td, "test")
    guard.log_batch([0, 1, 2, 3], np.full(4, 0.6), logits=False)
    guard.end_epoch()
    guard.log_batch([0, 1], np.full(2, 0.6), logits=False)
    with pytest.warns(RuntimeWarning, match="unknown|not"):
        guard.log_batch([7, 2], np.full(2, 0.6), logits=False)  # id 7 does not exist
    guard.log_batch([2, 3], np.full(2, 0.6), logits=False)  # skipped: epoch already broken
    guard.end_epoch()
    assert td.n_epochs == 1 and td.n_pending == 0
    guard.log_batch([3, 2, 1, 0], np.full(4, 0.9), logits=False)
    guard.end_epoch()
    assert td.n_epochs == 2
