"""Data in the shapes people have, working or failing clearly (issue 16, items 3, 5, 7, 10)."""

import pydoc
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.crossfit import fold_assignments
from datamap_widget.integrations.sklearn import fit_epochs


def frame_data(n=120, seed=0):
    """Features as a DataFrame with a shuffled, non-default index (after a split or sample)."""
    X, y = make_classification(n, 6, n_informative=4, random_state=seed)
    index = np.random.default_rng(seed).permutation(np.arange(1000, 1000 + n))
    return pd.DataFrame(X, index=index, columns=[f"f{i}" for i in range(6)]), pd.Series(
        y, index=index, name="label"
    )


# --------------------------------------------------------------------------- item 3
@pytest.mark.parametrize("batch_size", [None, 25])
def test_fit_epochs_cross_fits_a_dataframe_of_features(batch_size):
    X, y = frame_data()
    td = TrainingDynamics(y)  # ids: y's index
    models = fit_epochs(
        SGDClassifier(loss="log_loss", random_state=0),
        X,
        y,
        td,
        epochs=3,
        cv=4,
        batch_size=batch_size,
    )
    assert len(models) == 4 and td.n_epochs == 3 and td.in_sample.n_epochs == 3
    as_array = TrainingDynamics(y)
    fit_epochs(
        SGDClassifier(loss="log_loss", random_state=0),
        X.to_numpy(),
        y.to_numpy(),
        as_array,
        epochs=3,
        cv=4,
        batch_size=batch_size,
    )
    np.testing.assert_array_equal(td.gold_probabilities(), as_array.gold_probabilities())
    assert list(td.hard().index) == list(as_array.hard().index)
    assert set(X.loc[td.hard().index].index) <= set(X.index)  # the user's rows, by id


def test_y_in_another_row_order_than_the_map_is_refused_before_training():
    X, y = frame_data()
    td = TrainingDynamics(y)
    shuffled = y.sample(frac=1, random_state=1)
    with pytest.raises(ValueError, match=r"labels in y differ.*or pass ids="):
        fit_epochs(SGDClassifier(loss="log_loss"), X.loc[shuffled.index], shuffled, td, cv=3)
    assert td.n_epochs == 0 and td.in_sample is None
    fit_epochs(  # rows in another order, named by id: fine
        SGDClassifier(loss="log_loss"),
        X.loc[shuffled.index],
        shuffled,
        td,
        epochs=2,
        cv=3,
        ids=shuffled.index,
    )
    assert td.n_epochs == 2


# --------------------------------------------------------------------------- item 5
def test_numpy_labels_with_pandas_texts_take_the_texts_index():
    df = pd.DataFrame({"text": [f"t{i}" for i in range(6)], "label": [0, 1, 0, 1, 1, 0]})
    shuffled = df.sample(frac=1, random_state=0)
    w = DataMapWidget(texts=shuffled.text, labels=shuffled.label.to_numpy())
    assert list(w.dynamics.ids) == list(shuffled.index)
    w.log_epoch(np.where(shuffled.label.to_numpy() == 1, 0.2, 0.8))  # every label doubted
    hard = w.hard()
    assert len(hard) == 6
    pd.testing.assert_series_equal(
        df.loc[hard.index, "text"], hard["text"], check_names=False
    )  # the README's df.loc[...hard().index] finds the right rows
    assert (df.loc[hard.index, "label"].to_numpy() == hard.gold_label.cat.codes).all()
    with pytest.raises(ValueError, match="different indexes"):
        DataMapWidget(texts=shuffled.text, labels=df.label)


def test_pandas_texts_beside_a_recorded_run_are_matched_by_id():
    df = pd.DataFrame({"text": list("abcdef"), "label": [0, 1, 0, 1, 1, 0]}, index=range(10, 16))
    td = TrainingDynamics(df.label)
    td.log_epoch(np.full(6, 0.5))
    w = DataMapWidget(dynamics=td, texts=df.text.sample(frac=1, random_state=2))
    assert list(w.metrics()["text"]) == list("abcdef")
    with pytest.raises(ValueError, match="not the run's ids"):
        DataMapWidget(dynamics=td, texts=df.text.set_axis(range(6)).rename(index=lambda i: i + 50))


# --------------------------------------------------------------------------- item 7
def test_the_widget_answers_what_its_run_answers_with_texts():
    X, y = make_classification(80, 5, random_state=3)
    texts = [f"text {i}" for i in range(80)]
    w = DataMapWidget(texts=texts, labels=y, ids=[f"r{i}" for i in range(80)])
    [model] = fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, y, w, epochs=3)
    assert hasattr(model, "coef_")
    td = w.dynamics
    for name in ("metrics", "easy", "ambiguous", "hard"):
        mine, engine = getattr(w, name)(), getattr(td, name)()
        assert list(mine.index) == list(engine.index)
        assert list(mine["text"]) == [f"text {i[1:]}" for i in engine.index]  # by id
        assert mine.gold_label.astype(str).tolist() == engine.gold_label.astype(str).tolist()
    pd.testing.assert_frame_equal(w.to_dataframe(), w.metrics())
    with pytest.warns(UserWarning, match="in-sample"):
        issues = w.label_issues()
    assert list(issues.index) == list(td.label_issues().index) and "text" in issues


def test_multilabel_widget_results_name_the_labels():
    w = DataMapWidget(labels=[["a"], ["a", "b"], []], label_names=["a", "b"])
    w.log_epoch(np.array([[0.9, 0.2], [0.8, 0.7], [0.1, 0.3]]))
    df = w.metrics(label="b")
    assert df.gold_label.tolist() == ["not b", "b", "not b"]
    assert df.gold_labels.tolist() == [["a"], ["a", "b"], []]


# --------------------------------------------------------------------------- item 10
def test_one_based_labels_with_as_many_names_get_the_fix():
    with pytest.raises(ValueError, match=r"run from 1 to 3: they look 1-based; pass labels - 1"):
        TrainingDynamics([1, 2, 3, 2], label_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="1-based"):
        TrainingDynamics([1, 2, 2, 1], label_names=["no", "yes"])
    TrainingDynamics(np.array([1, 2, 3, 2]) - 1, label_names=["a", "b", "c"])  # the fix works


def test_int_ids_queried_as_strings_get_a_hint():
    td = TrainingDynamics([0, 1, 0], ids=[10, 11, 12])
    with pytest.raises(ValueError, match=r"ids are ints, not strings: pass 11, not '11'"):
        td.trajectory("11")
    w = DataMapWidget(labels=[0, 1, 0], ids=["10", "11", "12"])
    with pytest.raises(ValueError, match=r"ids are strings, not ints: pass '11', not 11"):
        w.review(11, "correct")
    assert len(w.reviews) == 0


def test_groups_keep_each_group_in_one_fold():
    X, y = make_classification(90, 5, random_state=4)
    groups = np.repeat(np.arange(30), 3)  # e.g. three comments by each author
    folds = fold_assignments(y, 5, groups=groups)
    assert all(np.unique(folds[groups == g]).size == 1 for g in range(30))
    td = TrainingDynamics(y)
    fit_epochs(SGDClassifier(loss="log_loss"), X, y, td, epochs=2, cv=5, groups=groups)
    assert td.n_epochs == 2 and td.held_out
    with pytest.raises(ValueError, match="at least 5 distinct groups, got 3"):
        fit_epochs(SGDClassifier(), X, y, TrainingDynamics(y), cv=5, groups=np.arange(90) % 3)
    with pytest.raises(ValueError, match="one group per example"):
        fold_assignments(y, 5, groups=groups[:10])
    with pytest.raises(ValueError, match="only apply to cross-fitting"):
        fit_epochs(SGDClassifier(), X, y, TrainingDynamics(y), groups=groups)


def test_label_issues_warns_on_weak_runs():
    X, y = make_classification(60, 5, random_state=5)
    plain = TrainingDynamics(y)
    plain.log_epoch(np.full(60, 0.6))
    with pytest.warns(UserWarning, match=r"in-sample.*and it has a single epoch"):
        plain.label_issues()
    held = TrainingDynamics(y)
    fit_epochs(SGDClassifier(loss="log_loss"), X, y, held, epochs=3, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        held.label_issues()  # a cross-fitted run of several epochs: nothing to say


def test_help_leads_with_the_widget_docstring():
    text = pydoc.render_doc(DataMapWidget, renderer=pydoc.plaintext)
    assert "Public constructor" not in text and "avoid expensive ipywidgets" not in text
    assert text.index("Live Data Map") < text.index("Methods defined here")
    init = pydoc.getdoc(DataMapWidget.__init__)
    assert init.startswith("Check every argument")
