"""Output columns are matched to the map's classes by name, never guessed (issue 16, item 1).

scikit-learn's ``predict_proba`` columns follow ``clf.classes_`` (sorted); a map built from
string labels follows ``label_names`` (or a Categorical's categories). These tests train real
models whose answers are known and check that the map agrees with the model.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs

TEXTS = [
    "thank you so much!",
    "thanks, that helped",
    "this is wrong",
    "I disagree",
    "much appreciated",
    "no idea what you mean",
    "thanks a lot",
    "why would you",
    "grateful for this",
    "that's fine",
    "thanks for nothing",
    "cheers, mate",
]
GRATEFUL = np.array([1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1])
NAMED = np.array(["other", "gratitude"])[GRATEFUL]  # string labels, as in the issue


def fitted_binary():
    X = TfidfVectorizer().fit_transform(TEXTS)
    clf = SGDClassifier(loss="log_loss", random_state=0)
    for _ in range(10):
        clf.partial_fit(X, NAMED, classes=["other", "gratitude"])
    assert (clf.predict(X) == NAMED).all()  # a perfect model: every example easy
    return clf, X


def three_class_data():
    rng = np.random.default_rng(0)
    names = np.array(["pos", "neutral", "neg"])
    y = names[np.arange(90) % 3]
    centres = {"pos": [3, 0], "neutral": [0, 3], "neg": [-3, -3]}
    X = np.array([centres[v] for v in y]) + rng.normal(0, 0.3, (90, 2))
    return X, y, names


def test_readme_quickstart_with_string_labels_refuses_to_guess_then_maps_right():
    clf, X = fitted_binary()
    td = TrainingDynamics(NAMED, label_names=["other", "gratitude"])
    with pytest.raises(ValueError, match=r"classes=clf\.classes_") as err:
        td.log_epoch(clf.predict_proba(X))
    assert "['gratitude', 'other']" in str(err.value)  # the sorted order it would follow
    assert td.n_epochs == 0 and td.n_pending == 0
    for _ in range(3):
        td.log_epoch(clf.predict_proba(X), classes=clf.classes_)
    df = td.metrics()
    assert (df.region == "easy-to-learn").all() and (df.correctness == 1).all()
    assert (df.gold_label == df.predicted_label).all()
    # the inverted map the issue saw, for contrast: reading the columns in label_names order
    inverted = TrainingDynamics(GRATEFUL, label_names=["other", "gratitude"])
    inverted.log_epoch(clf.predict_proba(X))  # int labels: column i is class i, as told
    assert (inverted.metrics().region == "hard-to-learn").sum() == 12


@pytest.mark.parametrize("as_categorical", [False, True], ids=["label_names", "categorical"])
def test_three_classes_in_an_unsorted_order_match_the_model(as_categorical):
    X, y, names = three_class_data()
    clf = LogisticRegression().fit(X, y)
    assert clf.classes_.tolist() == ["neg", "neutral", "pos"] and clf.score(X, y) == 1.0
    if as_categorical:
        td = TrainingDynamics(pd.Series(pd.Categorical(y, categories=names)))
    else:
        td = TrainingDynamics(y, label_names=list(names))
    assert td.classes == ["pos", "neutral", "neg"]
    with pytest.raises(ValueError, match="not sorted"):
        td.log_epoch(clf.predict_proba(X))
    td.log_epoch(clf.predict_proba(X), classes=clf.classes_)
    assert td.correct()[0].mean() == clf.score(X, y) == 1.0
    np.testing.assert_allclose(
        td.gold_probabilities()[0], clf.predict_proba(X).max(axis=1), rtol=1e-6
    )
    w = DataMapWidget(labels=y, label_names=list(names))  # the widget forwards classes=
    w.log_epoch(clf.decision_function(X), logits=True, classes=clf.classes_)
    assert (w.to_dataframe().predicted_label.astype(str) == y).all()


def test_sorted_string_labels_need_no_classes_and_batches_take_them_too():
    X, y, _ = three_class_data()
    clf = LogisticRegression().fit(X, y)
    td = TrainingDynamics(y)  # classes sorted, like classes_: nothing to ask
    td.log_epoch(clf.predict_proba(X))
    assert td.correct()[0].all()
    named = TrainingDynamics(y, label_names=["pos", "neutral", "neg"])
    p = clf.predict_proba(X)
    named.log_batch(np.arange(0, 45), p[:45], classes=clf.classes_)
    with pytest.raises(ValueError, match="not sorted"):
        named.log_batch(np.arange(45, 90), p[45:])  # refused whole, earlier batch kept
    assert named.n_pending == 45
    named.log_batch(np.arange(45, 90), p[45:], classes=clf.classes_)
    named.end_epoch()
    assert named.correct()[0].all()


def test_output_classes_once_for_loggers_that_cannot_pass_classes():
    X, y, names = three_class_data()
    clf = LogisticRegression().fit(X, y)
    td = TrainingDynamics(y, label_names=list(names))
    td.output_classes = clf.classes_
    assert td.output_classes == ["neg", "neutral", "pos"]
    td.log_epoch(clf.predict_proba(X))
    assert td.correct()[0].all()
    td.output_classes = td.classes  # a model whose column i is class td.classes[i]
    reordered = clf.predict_proba(X)[:, [2, 1, 0]]
    td.log_epoch(reordered)
    assert td.correct()[1].all()
    with pytest.raises(ValueError, match="not classes of this run"):
        td.output_classes = ["pos", "neutral", "angry"]
    assert td.output_classes == ["pos", "neutral", "neg"]  # unchanged by the refused value


def test_binary_one_column_outputs_follow_classes():
    clf, X = fitted_binary()
    td = TrainingDynamics(NAMED, label_names=["other", "gratitude"])
    p_second = clf.predict_proba(X)[:, 1]  # p(clf.classes_[1]) = p("other")
    td.log_epoch(p_second, classes=clf.classes_)  # flipped: map class 1 is "gratitude"
    assert td.correct().all()
    scored = TrainingDynamics(NAMED, label_names=["other", "gratitude"])
    scored.log_epoch(clf.decision_function(X), logits=True, classes=clf.classes_)
    assert scored.correct().all()


def test_multilabel_label_names_order():
    lists = [["joy"], ["anger", "joy"], ["anger"], []]
    td = TrainingDynamics(lists, label_names=["joy", "anger"])  # names in lists, unsorted
    hot_sorted = np.array([[0, 1], [1, 1], [1, 0], [0, 0]], float)  # anger, joy (sorted)
    with pytest.raises(ValueError, match="not sorted"):
        td.log_epoch(hot_sorted * 0.8 + 0.1)
    td.log_epoch(hot_sorted * 0.8 + 0.1, classes=["anger", "joy"])
    assert td.correct(label="joy").all() and td.correct(label="anger").all()
    with pytest.raises(ValueError, match="one column per label"):
        td.log_epoch(hot_sorted[:, :1], classes=["joy"])
    hot = TrainingDynamics(np.array([[1, 0], [1, 1]]), label_names=["joy", "anger"])
    hot.log_epoch(np.array([[0.9, 0.1], [0.9, 0.9]]))  # multi-hot columns: order is given


@pytest.mark.parametrize(
    "classes,error,words",
    [
        (["pos", "neutral", "angry"], ValueError, "not classes of this run: ['angry']"),
        (["pos", "pos", "neg"], ValueError, "more than once"),
        ([0, 1, 5], ValueError, "outside 0..2"),
        ([[0, 1, 2]], ValueError, "1-D"),
        ([0.5, 1, 2], TypeError, "class names (strings) or class indexes"),
        (["neg", "neutral"], ValueError, "shape"),  # 2 columns named, 3 given
    ],
)
def test_bad_classes_are_refused_and_record_nothing(classes, error, words):
    _, y, names = three_class_data()
    td = TrainingDynamics(y, label_names=list(names))
    with pytest.raises(error, match=re.escape(words)):
        td.log_epoch(np.full((90, 3), 1 / 3), classes=classes)
    assert td.n_epochs == 0


def test_a_subset_of_integer_classes_gets_probability_zero_for_the_others():
    td = TrainingDynamics([0, 1, 3, 1], n_classes=4)
    p = np.array([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    td.log_epoch(p, classes=[0, 1, 3])  # a model that never saw class 2
    np.testing.assert_allclose(td.gold_probabilities()[0], [0.7, 0.6, 0.8, 0.4], rtol=1e-6)
    np.testing.assert_array_equal(td.predictions()[0], [0, 1, 3, 1])
    scored = TrainingDynamics([0, 1, 3, 1], n_classes=4)
    with pytest.raises(ValueError, match="logits for a subset"):
        scored.log_epoch(np.log(p), logits=True, classes=[0, 1, 3])
    assert scored.n_epochs == 0


def test_fit_epochs_matches_columns_and_refuses_labels_numbered_otherwise():
    X, y, names = three_class_data()
    td = TrainingDynamics(y, label_names=list(names))
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, y, td, epochs=3)
    assert td.correct()[-1].mean() > 0.9
    held = TrainingDynamics(y, label_names=list(names))
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, y, held, epochs=2, cv=3)
    assert held.correct()[-1].mean() > 0.9 and held.in_sample.correct()[-1].mean() > 0.9
    # integer labels from a LabelEncoder (sorted: neg=0) do not number the map's classes
    encoded = np.searchsorted(["neg", "neutral", "pos"], y)
    fresh = TrainingDynamics(y, label_names=list(names))
    with pytest.raises(ValueError, match=r"60 of 90 labels in y differ.*td\.classes"):
        fit_epochs(SGDClassifier(loss="log_loss"), X, encoded, fresh, epochs=1)
    assert fresh.n_epochs == 0
    fit_epochs(SGDClassifier(loss="log_loss"), X, fresh.gold(), fresh, epochs=1)  # the fix
    assert fresh.n_epochs == 1


def test_the_order_rule_survives_save_load_and_resume(tmp_path):
    X, y, names = three_class_data()
    clf = LogisticRegression().fit(X, y)
    td = TrainingDynamics(y, label_names=list(names), path=tmp_path / "run")
    td.log_epoch(clf.predict_proba(X), classes=clf.classes_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loaded-run warning is tested elsewhere
        for again in (TrainingDynamics.load(tmp_path / "run"), TrainingDynamics.resume(td.path)):
            with pytest.raises(ValueError, match="not sorted"):
                again.log_epoch(clf.predict_proba(X))
            again.log_epoch(clf.predict_proba(X), classes=clf.classes_)
            assert again.correct().all()
