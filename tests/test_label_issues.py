"""td.label_issues(): hand cases for the score, the three tasks, and bad input."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import average_precision_score

from datamap_widget import TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs


def test_hand_case_binary_class_prior_breaks_equal_evidence():
    # one epoch; class 1: 1 of 2 predicted otherwise -> rho = (1+1)/(2+2) = 0.5, prior 0.5;
    # class 0: 1 of 4 -> rho = 2/6, odds 0.5, shrunk sqrt(0.5) -> prior 0.7071/1.7071 = 0.4142
    y = np.array([1, 1, 0, 0, 0, 0])
    td = TrainingDynamics(y, label_names=["other", "thanks"])
    td.log_epoch(np.where(y == 1, [0.2, 0.9, 0, 0, 0, 0], 1 - np.array([0, 0, 0.9, 0.9, 0.9, 0.2])))
    df = td.label_issues()
    assert list(df.index) == [0, 5, 2, 3, 4, 1] or list(df.index[:2]) == [0, 5]
    prior0 = np.sqrt(0.5) / (1 + np.sqrt(0.5))
    assert df.loc[0, "score"] == pytest.approx(0.5 * 0.8 / (0.5 * 0.8 + 0.5 * 0.2))
    assert df.loc[5, "score"] == pytest.approx(prior0 * 0.8 / (prior0 * 0.8 + (1 - prior0) * 0.2))
    assert df.loc[0, "class_noise"] == pytest.approx(0.5)
    assert df["flagged"].tolist() == [True, True, False, False, False, False]
    assert df.loc[0, "gold_name"] == "thanks" and df.loc[0, "suggested_name"] == "other"
    assert df.loc[2, "suggested"] == 0 and df.loc[5, "suggested"] == 1
    assert set(df.index) == set(td.ids) and len(df) == 6


def test_epochs_far_below_the_best_are_left_out_of_the_evidence():
    y = np.zeros(100, np.int64)
    td = TrainingDynamics(y)
    early = np.full(100, 0.8)  # p(class 1) = 0.8: every example wrong, accuracy 0
    late = np.full(100, 0.3)  # accuracy 1 (se 0): only this epoch is kept
    late[0] = 0.9  # example 0 wrong at the end; accuracy 0.99, se ~0.01
    td.log_epoch(early)
    td.log_epoch(late)
    df = td.label_issues()
    assert df.loc[1, "p_gold"] == pytest.approx(0.7)  # the late epoch alone
    assert df.index[0] == 0 and df.loc[0, "p_gold"] == pytest.approx(0.1)
    td.log_epoch(np.where(np.arange(100) == 0, 0.7, 0.4))  # as good: both late epochs averaged
    assert td.label_issues().loc[0, "p_gold"] == pytest.approx(0.2)
    assert td.label_issues().loc[1, "p_gold"] == pytest.approx(0.65)


def test_in_sample_evidence_counts_as_much_as_the_model_did_not_memorise():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    held = TrainingDynamics(y)
    inside = TrainingDynamics(y)
    # held out: examples 0-3 wrong (p(class 1) 0.9 for gold 0); in-sample fits 0 and 1 of them
    held.log_epoch(np.array([0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8]))
    inside.log_epoch(np.array([0.1, 0.2, 0.7, 0.6, 0.9, 0.9, 0.9, 0.9]))
    df = held.label_issues(in_sample=inside)
    assert df.attrs["memorisation"] == pytest.approx(0.5)  # 2 of the 4 held-out errors fitted
    assert df.loc[0, "p_gold"] == pytest.approx(0.5 * 0.1 + 0.5 * 0.9)
    assert df.loc[3, "p_gold"] == pytest.approx(0.5 * 0.1 + 0.5 * 0.4)
    assert df.loc[4, "p_gold"] == pytest.approx(0.5 * 0.8 + 0.5 * 0.9)
    assert list(df.index[:2]) == [2, 3]  # not fitted in-sample either: the likeliest errors
    np.testing.assert_allclose(df.loc[[0, 3], "gap"], [0.8, 0.3], atol=1e-6)
    alone = held.label_issues()  # no in-sample map: held-out evidence only
    assert alone.attrs["memorisation"] is None and alone.loc[0, "p_gold"] == pytest.approx(0.1)


def test_examples_rejected_with_p_zero_tie_on_score_and_are_ordered_by_p():
    y = np.array([0, 1, 0, 1, 0, 1])
    td = TrainingDynamics(y)
    td.log_epoch(np.array([1.0, 0.0, 1 - 1e-30, 1e-30, 0.3, 0.8]))
    df = td.label_issues()
    assert (df["score"].iloc[:4] == 1.0).all()
    assert set(df.index[:2]) == {0, 1}  # p(gold) exactly 0 before 1e-30


def test_multiclass_suggests_the_held_out_prediction():
    y = np.array([0, 1, 2, 2])
    td = TrainingDynamics(y, label_names=["a", "b", "c"])
    td.log_epoch(np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.7, 0.2, 0.1]]))
    df = td.label_issues()
    assert df.index[0] in (0, 3)
    assert df.loc[0, "suggested_name"] == "b" and df.loc[3, "suggested_name"] == "a"
    assert df.loc[1, "suggested"] == 1 and not df.loc[1, "flagged"]
    assert df.loc[0, "flagged"] and df.loc[3, "flagged"]


def test_multiclass_pools_the_noise_prior_over_classes():
    # predicted otherwise: class 0 2 of 2, class 1 1 of 6 (per class the priors would differ);
    # pooled: 3 of 8 -> rho = (3+1)/(8+2) = 0.4, odds 2/3, shrunk sqrt -> one prior for all
    y = np.array([0, 0, 1, 1, 1, 1, 1, 1])
    td = TrainingDynamics(y, n_classes=3)
    td.log_epoch(
        np.array(
            [
                [0.3, 0.6, 0.1],
                [0.3, 0.1, 0.6],
                [0.1, 0.8, 0.1],
                [0.1, 0.7, 0.2],
                [0.3, 0.4, 0.3],
                [0.1, 0.9, 0.0],
                [0.2, 0.6, 0.2],
                [0.2, 0.3, 0.5],
            ]
        )
    )
    df = td.label_issues()
    odds = np.sqrt(0.4 / 0.6)
    prior = odds / (1 + odds)
    np.testing.assert_allclose(df["class_noise"], prior)
    assert df.loc[0, "score"] == pytest.approx(prior * 0.7 / (prior * 0.7 + (1 - prior) * 0.3))
    assert df.loc[7, "score"] == pytest.approx(df.loc[0, "score"])  # equal p(gold), equal score
    assert (np.diff(df["p_gold"].to_numpy()) >= 0).all()  # the order is p(gold)'s alone
    assert df.loc[[0, 1, 7], "flagged"].all() and not df.loc[4, "flagged"]


def test_multilabel_ranks_each_label():
    Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    td = TrainingDynamics(Y, label_names=["joy", "anger"])
    td.log_epoch(np.array([[0.9, 0.1], [0.1, 0.8], [0.2, 0.9], [0.1, 0.2]]))
    with pytest.raises(ValueError, match="pass label="):
        td.label_issues()
    joy = td.label_issues(label="joy")
    assert joy.index[0] == 1 and joy.loc[1, "gold_name"] == "joy"
    assert joy.loc[1, "suggested_name"] == "not joy"
    assert td.label_issues(label=1).loc[1, "gold"] == 1


def test_bad_input_is_a_clear_error_and_changes_nothing():
    y = np.array([0, 1, 0, 1])
    td = TrainingDynamics(y)
    with pytest.raises(ValueError, match="no epochs logged"):
        td.label_issues()
    td.log_epoch(np.array([0.2, 0.8, 0.3, 0.6]))
    with pytest.raises(ValueError, match="same examples"):
        td.label_issues(in_sample=TrainingDynamics(np.array([0, 1, 0])))
    with pytest.raises(TypeError, match="in_sample must be a TrainingDynamics"):
        td.label_issues(in_sample="no")
    assert td.n_epochs == 1 and td.in_sample is None


def noisy_problem(n_classes, rate=0.1, seed=0):
    X, y = make_classification(
        600,
        10,
        n_informative=6,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    flipped = rng.random(len(y)) < rate
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, n_classes, flipped.sum())) % n_classes
    return X, noisy, flipped


@pytest.mark.parametrize("n_classes", [2, 4])
def test_cross_fitted_ranking_finds_flipped_labels(n_classes):
    X, y, flipped = noisy_problem(n_classes)
    td = TrainingDynamics(y)
    fit_epochs(SGDClassifier(loss="log_loss", alpha=0.01, random_state=0), X, y, td, epochs=6, cv=5)
    df = td.label_issues()
    assert len(df) == len(y) and df.index.is_unique
    assert (np.diff(df["score"].to_numpy()) <= 0).all()
    score = df["score"].reindex(td.ids).to_numpy()
    assert average_precision_score(flipped, score) > 0.7
    flagged = df["flagged"].reindex(td.ids).to_numpy()
    assert flipped[flagged].mean() > 0.5 and flagged[flipped].mean() > 0.6
    assert {"in_sample_confidence", "gap"} <= set(df.columns)
    gap = df["in_sample_confidence"] - df["confidence"]
    np.testing.assert_allclose(df["gap"], gap)


def test_aum_column_when_logits_were_logged():
    y = np.array([0, 1, 2])
    td = TrainingDynamics(y)
    td.log_epoch(np.array([[2.0, 0, 0], [0, 1.0, 0], [3.0, 0, 0]]), logits=True)
    df = td.label_issues()
    assert df.loc[2, "aum"] == pytest.approx(-3.0) and df.index[0] == 2
