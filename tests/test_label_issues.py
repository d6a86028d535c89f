"""td.label_issues(): hand cases for the score, its calibration, the flags, and bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import average_precision_score

from datamap_widget import TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs


def in_row_order(td, df):
    return df.reindex(td.ids)


def rank_score(td, df):
    """The list's order as a score (first = highest): what a reviewer works through."""
    position = np.empty(len(df), np.int64)
    position[td.index_of(df.index.to_numpy())] = np.arange(len(df))
    return -position


def self_confidence_ap(td, flipped):
    """cleanlab's self-confidence ranking (1 - last held-out p(gold)), as a baseline."""
    return average_precision_score(flipped, 1.0 - td.gold_probabilities()[-1])


def cross_fitted(X, y, alpha=1e-3, sample_weight=None, seed=0):
    td = TrainingDynamics(y)
    model = SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed)
    fit_epochs(model, X, y, td, epochs=10, cv=5, sample_weight=sample_weight, random_state=seed)
    return td


def two_class_problem(n=4000, seed=0):
    X, y = make_classification(n, 20, n_informative=8, class_sep=1.5, flip_y=0.0, random_state=seed)
    return X, y


def test_biased_model_with_uniform_noise_flags_both_classes_alike():
    # The issue's minimal case: balanced classes, 10% uniform flips, sample_weight 3 on class 1
    # (a model biased towards class 1). The old per-class prior followed that bias and flagged
    # [1004, 79] by gold class against [195, 209] flips.
    X, y = two_class_problem()
    rng = np.random.default_rng(0)
    flipped = rng.random(len(y)) < 0.1
    noisy = np.where(flipped, 1 - y, y)
    td = cross_fitted(X, noisy, sample_weight=np.where(noisy == 1, 3.0, 1.0))
    df = in_row_order(td, td.label_issues())
    flags = df["flagged"].to_numpy()
    for c in (0, 1):
        in_class = noisy == c
        assert 0.5 <= flags[in_class].sum() / flipped[in_class].sum() <= 1.5
    assert df.attrs["one_sided"] is False
    ap = average_precision_score(flipped, rank_score(td, td.label_issues()))
    assert ap >= self_confidence_ap(td, flipped) - 0.01


def test_one_sided_noise_is_modelled_and_found():
    # Labels only ever missed: 30% of the positives read negative. Every flagged label is then a
    # negative one, and the flip rates say so.
    X, y = two_class_problem(seed=1)
    rng = np.random.default_rng(1)
    flipped = (y == 1) & (rng.random(len(y)) < 0.3)
    noisy = np.where(flipped, 0, y)
    td = cross_fitted(X, noisy)
    df = td.label_issues()
    assert df.attrs["one_sided"] is True
    missed_rate, false_rate = df.attrs["flip_rates"][1], df.attrs["flip_rates"][0]
    assert false_rate < 0.02 and 0.15 < missed_rate < 0.45
    flagged = df[df["flagged"]]
    assert (flagged["gold_label"] == 0).mean() > 0.95
    assert (flagged["suggested_label"] != flagged["gold_label"]).all()
    ap = average_precision_score(flipped, rank_score(td, df))
    assert ap > self_confidence_ap(td, flipped) + 0.05


def test_clean_labels_on_a_hard_task_get_few_flags():
    # No flips at all, but classes that overlap (the model is wrong on ~13% of examples): its
    # errors are not label errors, so little is flagged and the scores expect few flips.
    X, y = make_classification(
        4000, 20, n_informative=4, n_clusters_per_class=1, class_sep=1.0, flip_y=0.0, random_state=2
    )
    td = cross_fitted(X, y, alpha=1e-2)
    held_out_errors = (~td.correct()[-1]).sum()
    assert held_out_errors > 300
    df = td.label_issues()
    assert df["flagged"].sum() < 0.1 * held_out_errors
    assert df.attrs["expected_flips"] < 0.2 * held_out_errors


def test_two_class_scores_are_calibrated_when_the_noise_model_holds():
    # Clean P(y=1|x) = sigmoid(1.5 z), labels flipped with probability 0.15 either way, and a
    # "held-out model" whose logit follows the clean signal (0.8 z), as a linear model's does:
    # the labels stop following it at 15% and 85%, which is what the noise model reads. The
    # scores must count the flips and be reliable per bin.
    rng = np.random.default_rng(3)
    z = rng.normal(0.0, 2.0, 20_000)
    clean = rng.random(z.size) < expit(1.5 * z)
    flipped = rng.random(z.size) < 0.15
    labels = (clean ^ flipped).astype(int)
    td = TrainingDynamics(labels)
    td.log_epoch(expit(0.8 * z))
    df = in_row_order(td, td.label_issues())
    score = df["score"].to_numpy()
    assert score.sum() == pytest.approx(flipped.sum(), rel=0.1)
    bins = np.minimum((score * 10).astype(int), 9)
    for b in np.unique(bins):
        inside = bins == b
        if inside.sum() >= 200:
            assert abs(score[inside].mean() - flipped[inside].mean()) < 0.1
    assert df.attrs["flip_rates"] == pytest.approx((0.15, 0.15), abs=0.03)


def test_multiclass_scores_count_uniform_flips_from_the_anchors():
    # Four classes, a model that outputs the noisy posterior of 10% uniform flips: its surest
    # predictions top out at 0.9, which is where the flip rate is read.
    rng = np.random.default_rng(4)
    n, c, rate = 8000, 4, 0.1
    true = rng.integers(0, c, n)
    clean = np.full((n, c), 0.0)
    clean[np.arange(n), true] = 1.0
    flipped = rng.random(n) < rate
    noisy = np.where(flipped, (true + rng.integers(1, c, n)) % c, true)
    q = (1 - rate) * clean + rate / (c - 1) * (1 - clean)
    td = TrainingDynamics(noisy, n_classes=c)
    td.log_epoch(q)
    df = in_row_order(td, td.label_issues())
    assert df.attrs["flip_rate"] == pytest.approx(rate, abs=1e-6)
    assert df["score"].sum() == pytest.approx(flipped.sum(), rel=0.05)
    assert (df["flagged"].to_numpy() == flipped).all()  # the prediction says which
    assert (df["suggested_label"].cat.codes.to_numpy()[flipped] == true[flipped]).all()


def test_multiclass_class_conditional_confusion_is_found_in_every_class():
    # A fixed confusion: 20% of every class c is labelled c + 1. Flags come from every class
    # alike, the scores count the flips, and the suggestion is mostly the true class.
    X, y = make_classification(
        4000, 20, n_informative=8, n_classes=4, class_sep=1.5, flip_y=0.0, random_state=6
    )
    flipped = np.random.default_rng(6).random(len(y)) < 0.2
    noisy = np.where(flipped, (y + 1) % 4, y)
    td = TrainingDynamics(noisy, n_classes=4)
    model = SGDClassifier(loss="log_loss", alpha=1e-3, random_state=0)
    fit_epochs(model, X, noisy, td, epochs=10, cv=5)
    issues = td.label_issues()
    df = in_row_order(td, issues)
    flags = df["flagged"].to_numpy()
    per_class = np.bincount(noisy[flags], minlength=4) / np.bincount(noisy[flipped], minlength=4)
    assert (per_class > 0.5).all() and (per_class < 1.5).all()
    assert df["score"].sum() == pytest.approx(flipped.sum(), rel=0.25)
    found = flags & flipped
    assert (df["suggested_label"].cat.codes.to_numpy()[found] == y[found]).mean() > 0.6
    ap = average_precision_score(flipped, rank_score(td, issues))
    assert ap >= self_confidence_ap(td, flipped) - 0.01


def retrained_accuracy(X, labels, X_test, y_test, keep=None, alpha=1e-3):
    keep = np.ones(len(labels), bool) if keep is None else keep
    model = SGDClassifier(loss="log_loss", alpha=alpha, random_state=0)
    for _ in range(10):
        model.partial_fit(X[keep], labels[keep], classes=np.unique(labels))
    return float((model.predict(X_test) == y_test).mean())


def corrected_by_action(td, noisy):
    """Labels and rows kept after following the ``action`` column (what accept_suggestions
    records and apply_corrections applies)."""
    df = in_row_order(td, td.label_issues())
    action = df["action"].to_numpy()
    labels = np.where(action == "relabel", df["suggested_label"].cat.codes.to_numpy(), noisy)
    return labels, action != "remove"


def test_retraining_after_the_actions_recovers_what_the_noise_cost():
    # Missed labels (30% of the positives read negative) shift a linear model's boundary: the
    # noisy model loses ~0.1 test accuracy; following the actions recovers at least half.
    X, y = make_classification(8000, 20, n_informative=5, class_sep=1.5, flip_y=0.0, random_state=0)
    X_train, y_train, X_test, y_test = X[:4000], y[:4000], X[4000:], y[4000:]
    flipped = (y_train == 1) & (np.random.default_rng(0).random(4000) < 0.3)
    noisy = np.where(flipped, 0, y_train)
    td = cross_fitted(X_train, noisy)
    clean = retrained_accuracy(X_train, y_train, X_test, y_test)
    before = retrained_accuracy(X_train, noisy, X_test, y_test)
    assert clean - before > 0.05
    labels, keep = corrected_by_action(td, noisy)
    after = retrained_accuracy(X_train, labels, X_test, y_test, keep)
    assert after - before >= 0.5 * (clean - before)


def test_where_fixing_would_hurt_few_actions_and_no_harm():
    # Clean labels, overlapping classes (80/20): the held-out models reject 195 labels, all of
    # them right. Removing those hurts the retrained model; the actions touch far fewer and
    # leave its test accuracy where it was.
    X, y = make_classification(
        8000,
        20,
        n_informative=4,
        n_clusters_per_class=1,
        class_sep=1.0,
        flip_y=0.0,
        weights=[0.8],
        random_state=3,
    )
    X_train, y_train, X_test, y_test = X[:4000], y[:4000], X[4000:], y[4000:]
    td = cross_fitted(X_train, y_train, alpha=1e-2)
    rejected = td.gold_probabilities()[-1] < 0.5
    before = retrained_accuracy(X_train, y_train, X_test, y_test, alpha=1e-2)
    naive = retrained_accuracy(X_train, y_train, X_test, y_test, ~rejected, alpha=1e-2)
    assert naive < before - 0.004  # fixing every rejected label hurts here
    labels, keep = corrected_by_action(td, y_train)
    assert (~keep | (labels != y_train)).sum() < 0.5 * rejected.sum()
    after = retrained_accuracy(X_train, labels, X_test, y_test, keep, alpha=1e-2)
    assert after >= before - 0.002


def test_binary_never_flags_what_the_held_out_models_favour():
    X, y = two_class_problem(seed=5)
    rng = np.random.default_rng(5)
    noisy = np.where(rng.random(len(y)) < 0.2, 1 - y, y)
    td = cross_fitted(X, noisy)
    df = td.label_issues()
    held = td.gold_probabilities()
    keep = td.correct().mean(axis=1) >= 0  # every epoch
    assert keep.all()
    flagged = df.index[df["flagged"]]
    from datamap_widget.engine.label_issues import selected_confidence

    p = pd.Series(selected_confidence(held, td.correct()), index=td.ids)
    assert (p.loc[flagged] < 0.5).all()
    assert (df.loc[~df["flagged"], "action"] == "keep").all()


def test_epochs_far_below_the_best_are_left_out_of_the_evidence():
    y = np.zeros(100, np.int64)
    y[:50] = 1
    td = TrainingDynamics(y)
    early = np.where(y == 1, 0.2, 0.8)  # p(class 1): every example wrong, accuracy 0
    late = np.where(y == 1, 0.7, 0.3)  # accuracy 1 (se 0): only this epoch is kept
    late[0] = 0.1  # example 0 (class 1) wrong at the end; accuracy 0.99, se ~0.01
    td.log_epoch(early)
    td.log_epoch(late)
    df = td.label_issues()
    assert df.loc[1, "p_gold"] == pytest.approx(0.7)  # the late epoch alone
    assert df.index[0] == 0 and df.loc[0, "p_gold"] == pytest.approx(0.1)
    td.log_epoch(np.where(np.arange(100) == 0, 0.3, late))  # as good: both late epochs averaged
    assert td.label_issues().loc[0, "p_gold"] == pytest.approx(0.2)


def test_columns_follow_the_metrics_vocabulary():
    y = np.array([0, 1, 2, 2, 1, 0])
    td = TrainingDynamics(y, label_names=["a", "b", "c"])
    probs = np.full((6, 3), 0.1)
    probs[np.arange(6), [0, 1, 2, 0, 1, 1]] = 0.8
    td.log_epoch(probs)
    df = td.label_issues()
    gold_dtype = td.metrics()["gold_label"].dtype
    assert df["gold_label"].dtype == gold_dtype and df["suggested_label"].dtype == gold_dtype
    assert list(df["action"].cat.categories) == ["relabel", "remove", "keep"]
    assert df.loc[3, "suggested_label"] == "a" and df.loc[5, "suggested_label"] == "b"
    assert df.loc[3, "gold_label"] == "c"
    assert not {"gold", "gold_name", "suggested", "suggested_name"} & set(df.columns)
    assert df["flagged"].dtype == bool and set(df.index) == set(td.ids)
    assert not df.loc[[0, 1, 2, 4], "flagged"].any()  # predicted as labelled: nothing to fix


def test_without_names_the_labels_are_class_indexes():
    td = TrainingDynamics(np.array([0, 1, 1, 0]))
    td.log_epoch(np.array([0.9, 0.8, 0.1, 0.2]))
    df = td.label_issues()
    assert list(df["gold_label"].cat.categories) == [0, 1]
    assert df.loc[0, "suggested_label"] == 1 and df.loc[1, "suggested_label"] == 1


def test_in_sample_map_adds_gap_columns():
    X, y = two_class_problem(n=600, seed=6)
    td = cross_fitted(X, y)
    df = td.label_issues()
    assert {"in_sample_confidence", "gap"} <= set(df.columns)
    np.testing.assert_allclose(df["gap"], df["in_sample_confidence"] - df["confidence"])
    assert df.attrs["memorisation"] is not None
    alone = td.label_issues(in_sample=False)
    assert "gap" not in alone.columns and alone.attrs["memorisation"] is None


def test_examples_rejected_with_p_zero_tie_on_score_and_are_ordered_by_p():
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    td = TrainingDynamics(y)
    td.log_epoch(np.array([1.0, 0.0, 1 - 1e-30, 1e-30, 0.3, 0.8, 0.2, 0.9]))
    df = td.label_issues()
    assert set(df.index[:2]) == {0, 1}  # p(gold) exactly 0 before 1e-30
    assert (np.diff(df["score"].to_numpy()) <= 0).all()


def test_multilabel_ranks_each_label():
    Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
    td = TrainingDynamics(Y, label_names=["joy", "anger"])
    td.log_epoch(np.array([[0.9, 0.1], [0.1, 0.8], [0.2, 0.9], [0.1, 0.2], [0.8, 0.3], [0.3, 0.7]]))
    with pytest.raises(ValueError, match="pass label="):
        td.label_issues()
    joy = td.label_issues(label="joy")
    assert joy.index[0] == 1 and joy.loc[1, "gold_label"] == "joy"
    assert joy.loc[1, "suggested_label"] == "not joy"
    assert list(td.label_issues(label=1)["gold_label"].cat.categories) == ["not anger", "anger"]


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


def test_aum_column_when_logits_were_logged():
    y = np.array([0, 1, 2])
    td = TrainingDynamics(y)
    td.log_epoch(np.array([[2.0, 0, 0], [0, 1.0, 0], [3.0, 0, 0]]), logits=True)
    df = td.label_issues()
    assert df.loc[2, "aum"] == pytest.approx(-3.0) and df.index[0] == 2


def test_scoring_43k_examples_stays_cheap():
    # The widget recomputes the score after every epoch (README: 30-70 ms at 43k x 10); a
    # generous bound that still catches an accidental O(N^2) or per-example Python loop.
    import time

    rng = np.random.default_rng(7)
    n = 43_410
    y = (rng.random(n) < 0.06).astype(int)
    td = TrainingDynamics(y)
    for _ in range(10):
        td.log_epoch(np.clip(np.where(y == 1, 0.7, 0.2) + rng.normal(0, 0.15, n), 0, 1))
    td.label_issues()
    started = time.process_time()
    td.label_issues()
    assert time.process_time() - started < 1.0
