"""Cross-fitted dynamics: no example is ever scored by a model that trained on it."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold

from datamap_widget import TrainingDynamics
from datamap_widget.crossfit import CrossFitRouter, fold_assignments, in_sample_scorer
from datamap_widget.integrations.sklearn import fit_epochs


class Memoriser(ClassifierMixin, BaseEstimator):
    """partial_fit stores the rows it trains on; predict_proba gives p=1 to the stored label of a
    row it has seen and p=1 to class 0 otherwise. Any score of a training row is unmistakable."""

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        self.classes_ = np.asarray(classes)
        self.seen_ = getattr(self, "seen_", {})
        self.weights_ = getattr(self, "weights_", [])
        self.weights_.append(None if sample_weight is None else np.asarray(sample_weight))
        for row, label in zip(np.asarray(X), np.asarray(y)):
            self.seen_[row.tobytes()] = label
        return self

    def predict_proba(self, X):
        out = np.zeros((len(X), len(self.classes_)))
        for i, row in enumerate(np.asarray(X)):
            label = self.seen_.get(row.tobytes())
            out[i, 0 if label is None else int(np.flatnonzero(self.classes_ == label)[0])] = 1
        return out


def distinct_rows(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 3))


def test_held_out_scores_never_come_from_a_model_that_saw_the_example():
    X = distinct_rows(60)
    y = np.repeat([1, 2, 3], 20)  # class 0 never occurs: only a memorised row gets p(gold) = 1
    td = TrainingDynamics(y, n_classes=4)
    models = fit_epochs(Memoriser(), X, y, td, epochs=3, cv=4, classes=np.arange(4))
    assert len(models) == 4 and td.n_epochs == 3
    # held out: the scoring model never stored the row, so it says class 0 -> p(gold) = 0
    assert (td.gold_probabilities() == 0).all()
    # in-sample map of the same run: the scorer did train on the row -> p(gold) = 1
    assert td.in_sample.n_epochs == 3 and (td.in_sample.gold_probabilities() == 1).all()
    folds = fold_assignments(y, 4)
    for k, model in enumerate(models):  # each model trained exactly on the other folds
        stored = {row.tobytes() for row in X[folds != k]}
        assert set(model.seen_) == stored


def test_folds_are_stratified_seeded_and_a_partition():
    y = np.repeat([0, 1, 2], [30, 12, 9])
    folds = fold_assignments(y, 3)
    assert np.array_equal(folds, fold_assignments(y, 3))  # default seed: reproducible
    assert not np.array_equal(folds, fold_assignments(y, 3, random_state=5))
    for k in range(3):
        assert np.array_equal(np.bincount(y[folds == k]), [10, 4, 3])
    scorer = in_sample_scorer(folds)
    assert (scorer != folds).all() and np.array_equal(scorer, (folds + 1) % 3)


def test_a_splitter_can_choose_the_folds():
    X, y = make_classification(90, 5, random_state=0)
    folds = fold_assignments(y, KFold(3), X=X)
    assert np.array_equal(folds, np.repeat([0, 1, 2], 30))


@pytest.mark.parametrize(
    "cv, match",
    [
        (1, "at least 2 folds"),
        (0, "at least 2 folds"),
        (True, "must be an int"),
        (6, r"at least 6 examples of every class.*class.*counts: \{0: 20, 1: 5\}.*cv=5"),
        (KFold(2), "training set of fold 0.*no example of classes \\[1\\]"),
    ],
)
def test_bad_folds_are_clear_errors_and_record_nothing(cv, match):
    X = distinct_rows(25)
    y = np.array([0] * 20 + [1] * 5)  # KFold(2) unshuffled: fold 0 training set has no class 1
    y_sorted = np.sort(y)[::-1] if isinstance(cv, KFold) else y
    td = TrainingDynamics(y_sorted)
    with pytest.raises((ValueError, TypeError), match=match):
        fit_epochs(SGDClassifier(loss="log_loss"), X, y_sorted, td, epochs=2, cv=cv)
    assert td.n_epochs == 0 and td.n_pending == 0 and td.in_sample is None


def test_splitter_that_is_not_a_partition_is_refused():
    class Overlap:
        def split(self, X, y=None, groups=None):
            n = len(X)
            yield np.arange(n // 2, n), np.arange(0, n // 2 + 2)
            yield np.arange(0, n // 2), np.arange(n // 2, n)

    y = np.tile([0, 1], 10)
    with pytest.raises(ValueError, match="exactly one test fold.*2 test rows repeat"):
        fold_assignments(y, Overlap())


def test_sample_weight_reaches_every_partial_fit_call():
    X = distinct_rows(40)
    y = np.tile([0, 1], 20)
    w = np.linspace(0.5, 2.0, 40)
    [plain] = fit_epochs(
        Memoriser(), X, y, TrainingDynamics(y), epochs=2, sample_weight=w, batch_size=15
    )
    assert [len(x) for x in plain.weights_] == [15, 15, 10, 15, 15, 10]
    np.testing.assert_array_equal(np.concatenate(plain.weights_[:3]), w)
    models = fit_epochs(Memoriser(), X, y, TrainingDynamics(y), epochs=2, sample_weight=w, cv=4)
    folds = fold_assignments(y, 4)
    for k, model in enumerate(models):
        assert len(model.weights_) == 2
        np.testing.assert_array_equal(model.weights_[0], w[folds != k])


def test_sample_weight_changes_what_sgd_learns_like_a_hand_loop():
    X, y = make_classification(200, 6, weights=[0.85], random_state=0)
    w = np.where(y == 1, 5.0, 1.0)
    td = TrainingDynamics(y)
    [est] = fit_epochs(
        SGDClassifier(loss="log_loss", random_state=0), X, y, td, epochs=3, sample_weight=w
    )
    ref = SGDClassifier(loss="log_loss", random_state=0)
    for _ in range(3):
        ref.partial_fit(X, y, classes=[0, 1], sample_weight=w)
    np.testing.assert_allclose(est.coef_, ref.coef_)
    with pytest.raises(ValueError, match="one weight per row"):
        fit_epochs(SGDClassifier(), X, y, TrainingDynamics(y), sample_weight=w[:10])


def test_ids_in_another_order_still_cross_fit_by_example():
    X = distinct_rows(30)
    y = np.tile([1, 2], 15)
    ids = [f"ex{i}" for i in range(30)]
    order = np.random.default_rng(0).permutation(30)
    td = TrainingDynamics(y, ids=ids, n_classes=3)
    fit_epochs(
        Memoriser(),
        X[order],
        y[order],
        td,
        epochs=2,
        cv=3,
        classes=np.arange(3),
        ids=np.array(ids)[order],
    )
    assert (td.gold_probabilities() == 0).all() and (td.in_sample.gold_probabilities() == 1).all()


def test_multilabel_cross_fit():
    from sklearn.multioutput import MultiOutputClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.3]).astype(int)
    td = TrainingDynamics(Y, label_names=["a", "b"])
    fit_epochs(
        MultiOutputClassifier(SGDClassifier(loss="log_loss", random_state=0)),
        X,
        Y,
        td,
        epochs=3,
        cv=4,
    )
    assert td.n_epochs == 3 and td.in_sample.n_epochs == 3
    assert td.metrics(label="a")["confidence"].mean() > 0.6


def test_router_refuses_rows_a_fold_model_trained_on():
    y = np.tile([0, 1], 6)
    folds = fold_assignments(y, 3)
    td = TrainingDynamics(y)
    router = CrossFitRouter(td, folds)
    trained_on = router.training_rows(0)
    not_scored = np.setdiff1d(trained_on, router.rows_to_score(0))
    with pytest.raises(ValueError, match="neither holds out nor scores in-sample"):
        router.log(0, not_scored[:2], np.full(2, 0.5))
    assert td.n_pending == 0


def test_in_sample_false_records_only_the_held_out_map():
    X, y = make_classification(60, 5, random_state=0)
    td = TrainingDynamics(y)
    fit_epochs(
        SGDClassifier(loss="log_loss", random_state=0), X, y, td, epochs=2, cv=3, in_sample=False
    )
    assert td.n_epochs == 2 and td.in_sample is None
    mine = TrainingDynamics(y)
    td2 = TrainingDynamics(y)
    fit_epochs(
        SGDClassifier(loss="log_loss", random_state=0), X, y, td2, epochs=2, cv=3, in_sample=mine
    )
    assert td2.in_sample is mine and mine.n_epochs == 2


def test_router_refuses_repeats_and_end_epoch_names_missing_examples():
    y = np.tile([0, 1], 6)
    folds = fold_assignments(y, 3)
    td = TrainingDynamics(y)
    router = CrossFitRouter(td, folds, in_sample=False)
    rows = router.rows_to_score(0)
    router.log(0, rows, np.full(rows.size, 0.5))
    with pytest.raises(ValueError, match="already scored this epoch"):
        router.log(0, rows[:1], np.full(1, 0.5))
    with pytest.raises(ValueError, match=r"epoch incomplete: 8 of 12 examples"):
        router.end_epoch()  # folds 1 and 2 were never scored
    assert td.n_epochs == 0 and td.n_pending == 0
    for k in range(3):
        router.log(k, router.rows_to_score(k), np.full(4, 0.7))
    router.end_epoch()
    assert td.n_epochs == 1


def test_cross_fit_options_need_cv_and_a_failed_first_epoch_leaves_no_in_sample_map():
    X, y = make_classification(60, 5, n_classes=3, n_informative=3, random_state=0)
    td = TrainingDynamics(y)
    with pytest.raises(ValueError, match="only apply to cross-fitting"):
        fit_epochs(SGDClassifier(), X, y, td, random_state=1)
    wrong = TrainingDynamics(y, n_classes=4)  # the estimator will know 3 classes, the map 4
    with pytest.raises(ValueError, match="logits for a subset"):  # hinge loss: logits
        fit_epochs(SGDClassifier(), X, y, wrong, epochs=2, cv=3)
    assert wrong.n_epochs == 0 and wrong.n_pending == 0 and wrong.in_sample is None


def test_a_widget_sink_shows_the_held_out_map_and_keeps_the_in_sample_one():
    from datamap_widget import DataMapWidget

    X = distinct_rows(40)
    y = np.tile([1, 2], 20)
    w = DataMapWidget(labels=y, label_names=["zero", "one", "two"])
    fit_epochs(Memoriser(), X, y, w, epochs=2, cv=4, classes=np.arange(3))
    assert w.dynamics.n_epochs == 2 and (w.dynamics.gold_probabilities() == 0).all()
    assert (w.dynamics.in_sample.gold_probabilities() == 1).all()
    assert len(w.dynamics.label_issues()) == 40


def test_log_scored_takes_outputs_for_rows_to_score_in_order():
    y = np.tile([0, 1], 6)
    folds = fold_assignments(y, 3)
    td = TrainingDynamics(y)
    router = CrossFitRouter(td, folds)
    with pytest.raises(ValueError, match=r"model 0 scores 8 rows"):
        router.log_scored(0, np.full(3, 0.5))
    for k in range(3):
        rows = router.rows_to_score(k)
        router.log_scored(k, (rows + 1) / 100.0)  # p(class 1) encodes the position scored
    router.end_epoch()
    p1 = (np.arange(12) + 1) / 100.0
    expected = np.where(y == 1, p1, 1 - p1)
    np.testing.assert_allclose(td.gold_probabilities()[0], expected, rtol=1e-6)
    np.testing.assert_allclose(td.in_sample.gold_probabilities()[0], expected, rtol=1e-6)
