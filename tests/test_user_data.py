"""The user's data as it comes: pandas indexes, string and categorical labels, Hugging Face label
names, one-hot and 1-based labels, hard predictions, saved runs; each works, or fails with an
error saying what to do while nothing is recorded."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import traitlets

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs


def shuffled_frame(n=40, seed=0):
    """What train_test_split or sample gives: an index that is not 0..N-1."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"text": [f"text {i}" for i in range(n)], "label": rng.integers(0, 2, n)},
        index=np.arange(1000, 1000 + n),
    )
    return frame.sample(frac=1.0, random_state=seed)


def p_class1(labels, seed=1):
    """Probabilities of class 1 that favour the gold label for most examples."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    return np.clip(np.where(labels == 1, 0.7, 0.3) + rng.normal(0, 0.25, labels.shape), 0, 1)


# ----------------------------------------------------------------------- 1. the pandas index
def test_series_index_becomes_the_ids_so_loc_finds_the_right_rows():
    df = shuffled_frame()
    td = TrainingDynamics(df.label)
    for seed in range(3):
        td.log_epoch(p_class1(df.label, seed))
    hard = td.hard()
    assert len(hard) > 0
    assert list(td.metrics().index) == list(df.index) and td.metrics().index.name == "id"
    # the rows that df.loc finds are the ones whose labels the map judged
    np.testing.assert_array_equal(
        df.loc[hard.index, "label"].to_numpy(), hard["gold_label"].cat.codes.to_numpy()
    )


def test_widget_takes_the_dataframe_index_or_the_id_column():
    df = shuffled_frame()
    w = DataMapWidget(df)
    assert list(w.dynamics.ids) == list(df.index)
    w.log_epoch(p_class1(df.label))
    frame = w.to_dataframe()
    assert list(frame.index) == list(df.index)
    assert (frame["text"] == df.loc[frame.index, "text"]).all()
    offsets = np.frombuffer(w._id_offsets, "<u4")
    assert w._ids[offsets[0] : offsets[1]].decode() == str(df.index[0])  # the panel shows it too
    keyed = DataMapWidget(df.assign(key=[f"k{i}" for i in df.index]), id_column="key")
    assert list(keyed.dynamics.ids) == [f"k{i}" for i in df.index]


def test_a_plain_range_index_keeps_default_ids():
    df = shuffled_frame().reset_index(drop=True)
    w = DataMapWidget(df)
    assert w._ids == b"" and list(w.dynamics.ids) == list(range(len(df)))


@pytest.mark.parametrize(
    "index, error, words",
    [
        (pd.MultiIndex.from_arrays([[0, 0, 1], ["a", "b", "a"]]), ValueError, "MultiIndex"),
        (pd.Index([5, 5, 6]), ValueError, "reset_index"),
        (pd.Index([0.5, 1.5, 2.5]), TypeError, "reset_index"),
    ],
)
def test_an_index_that_cannot_be_ids_is_a_clear_error(index, error, words):
    labels = pd.Series([0, 1, 0], index=index)
    with pytest.raises(error, match=words):
        TrainingDynamics(labels)
    with pytest.raises(error, match=words):
        DataMapWidget(labels=labels)
    assert TrainingDynamics(labels, ids=["a", "b", "c"]).n_examples == 3  # the named fix works


def test_texts_and_labels_with_different_indexes_are_refused():
    df = shuffled_frame()
    with pytest.raises(ValueError, match="different indexes"):
        DataMapWidget(texts=df.text.sort_index(), labels=df.label)


# ----------------------------------------------------------------------- 2. string labels
@pytest.mark.parametrize(
    "make",
    [
        lambda v: list(v),
        lambda v: pd.Series(v),
        lambda v: pd.Series(v, dtype="string"),
        lambda v: np.array(v),
    ],
)
def test_string_labels_become_classes_in_sorted_order(make):
    values = ["pos", "neg", "pos", "neg", "pos"]
    td = TrainingDynamics(make(values))
    assert (td.task, td.label_names) == ("binary", ["neg", "pos"])
    np.testing.assert_array_equal(td.gold(), [1, 0, 1, 0, 1])
    three = TrainingDynamics(make([*values[:4], "mixed"]))
    assert (three.task, three.label_names) == ("multiclass", ["mixed", "neg", "pos"])


def test_categorical_labels_keep_their_categories_and_label_names_win():
    cat = pd.Series(pd.Categorical(["b", "a", "b"], categories=["b", "a", "unused"]))
    td = TrainingDynamics(cat)
    assert (td.task, td.label_names, td.n_classes) == ("multiclass", ["b", "a", "unused"], 3)
    np.testing.assert_array_equal(td.gold(), [0, 1, 0])
    named = TrainingDynamics(["yes", "no", "yes"], label_names=["yes", "no"])
    np.testing.assert_array_equal(named.gold(), [0, 1, 0])


def test_widget_class_names_follow_string_labels():
    w = DataMapWidget(texts=["a", "b", "c"], labels=["spam", "ham", "spam"])
    assert w._meta["class_names"] == ["ham", "spam"]
    w.log_epoch([0.9, 0.2, 0.4])  # p(class 1) = p("spam")
    assert list(w.to_dataframe()["gold_label"]) == ["spam", "ham", "spam"]
    assert list(w.to_dataframe()["predicted_label"]) == ["spam", "ham", "ham"]


def test_hugging_face_string_column():
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": ["x", "y", "z"], "label": ["neg", "pos", "neg"]})
    w = DataMapWidget(ds)
    assert (w.dynamics.task, w.dynamics.label_names) == ("binary", ["neg", "pos"])


# --------------------------------------------------------- 3. label names the data carries
def test_class_label_feature_names_are_read():
    datasets = pytest.importorskip("datasets")
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "label": datasets.ClassLabel(names=["sad", "ok", "happy"]),
        }
    )
    ds = datasets.Dataset.from_dict(
        {"text": ["a", "b", "c"], "label": [0, 2, 1]}, features=features
    )
    w = DataMapWidget(ds)
    assert w.dynamics.label_names == ["sad", "ok", "happy"]
    assert w._meta["class_names"] == ["sad", "ok", "happy"]
    assert TrainingDynamics(ds["label"]).label_names == ["sad", "ok", "happy"]


def test_the_readme_go_emotions_recipe_reads_sequence_class_label_names():
    datasets = pytest.importorskip("datasets")
    names = ["admiration", "gratitude", "neutral"]
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "labels": datasets.Sequence(datasets.ClassLabel(names=names)),
        }
    )
    ds = datasets.Dataset.from_dict(
        {"text": ["wow", "thanks", "ok", "thanks, wow"], "labels": [[0], [1], [2], [1, 0]]},
        features=features,
    )
    w = DataMapWidget(ds, label_column="labels", task="multilabel", label="gratitude")
    assert w.label == "gratitude" and w.dynamics.label_names == names
    np.testing.assert_array_equal(w.dynamics.gold(label="gratitude"), [0, 1, 0, 1])
    assert DataMapWidget(ds, label_column="labels").dynamics.task == "multilabel"


def test_id2label_dict_is_read_in_index_order():
    id2label = {1: "POSITIVE", 0: "NEGATIVE"}  # as model.config.id2label, in any order
    td = TrainingDynamics([0, 1, 1], label_names=id2label)
    assert td.label_names == ["NEGATIVE", "POSITIVE"]
    assert TrainingDynamics([0, 1], label_names={"0": "n", "1": "p"}).label_names == ["n", "p"]
    w = DataMapWidget(labels=[0, 1, 1], label_names=id2label)
    assert w._meta["class_names"] == ["NEGATIVE", "POSITIVE"]


# ---------------------------------------------------- 4. multilabel without label names
@pytest.mark.parametrize("label", [None, 0, 1, "label 1"])
def test_multilabel_widget_without_label_names(label):
    gold = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    w = DataMapWidget(labels=gold, label=label)
    w.log_epoch(np.full((4, 2), 0.6))
    assert w.n_epochs == 1
    w.label = "label 0"
    assert list(w.to_dataframe()["gold_label"].astype(str)) == [
        "label 0",
        "not label 0",
        "label 0",
        "not label 0",
    ]
    td = TrainingDynamics(gold)
    on_td = DataMapWidget(dynamics=td, label=1)
    td.log_epoch(np.full((4, 2), 0.3))
    assert on_td.n_epochs == 1 and on_td.label == "label 1"


# ----------------------------------------------------------------- 5. task inference
def test_one_hot_labels_are_read_as_one_class_per_example_with_a_warning():
    one_hot = np.eye(3, dtype=int)[[0, 2, 1, 2]]
    with pytest.warns(UserWarning, match="one-hot"):
        td = TrainingDynamics(one_hot)
    assert (td.task, td.n_classes) == ("multiclass", 3)
    np.testing.assert_array_equal(td.gold(), [0, 2, 1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert TrainingDynamics(one_hot, task="multilabel").task == "multilabel"


def test_a_one_column_frame_is_one_label_per_example():
    df = shuffled_frame()
    td = TrainingDynamics(df[["label"]])
    assert td.task == "binary" and list(td.ids) == list(df.index)


def test_a_multi_hot_frame_names_the_labels_and_a_whole_frame_is_refused():
    hot = pd.DataFrame({"joy": [1, 0, 1], "anger": [0, 1, 1]}, index=["a", "b", "c"])
    td = TrainingDynamics(hot)
    assert (td.task, td.label_names, list(td.ids)) == (
        "multilabel",
        ["joy", "anger"],
        ["a", "b", "c"],
    )
    with pytest.raises(TypeError, match=r"df\['label'\]"):
        TrainingDynamics(pd.DataFrame({"text": ["x", "y"], "label": [0, 1]}))


def test_one_based_labels_are_refused_with_both_fixes():
    labels = np.array([1, 2, 3, 2, 1])
    with pytest.raises(ValueError, match=r"labels - 1.*n_classes"):
        TrainingDynamics(labels)
    td = TrainingDynamics(labels - 1)
    assert td.n_classes == 3
    X = np.eye(5)[:, :3] + np.arange(5)[:, None]
    from sklearn.linear_model import SGDClassifier

    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, labels - 1, td, epochs=2)
    assert td.n_epochs == 2


# ----------------------------------------------------------------- 6. hard predictions
def test_hard_predictions_warn_and_probabilities_do_not():
    td = TrainingDynamics([0, 1, 1, 0])
    with pytest.warns(UserWarning, match="predict_proba"):
        td.log_epoch(np.array([0, 1, 0, 0]))
    assert td.n_epochs == 1  # still recorded: the warning explains, it does not refuse
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        td.log_epoch(np.array([0.1, 0.9, 0.4, 0.2]))


# ----------------------------------------------------------------- 7. consistency
def test_label_on_a_single_label_task_is_an_error_everywhere():
    td = TrainingDynamics([0, 1, 1])
    td.log_epoch([0.2, 0.7, 0.6])
    for call in (
        lambda: td.metrics(label="x"),
        lambda: td.gold(label=0),
        lambda: DataMapWidget(labels=[0, 1, 1], label="x"),
    ):
        with pytest.raises(TypeError, match="only applies to multilabel"):
            call()


def test_to_dataframe_takes_label():
    gold = np.array([[1, 0], [0, 1], [1, 1]])
    w = DataMapWidget(labels=gold, label_names=["joy", "anger"])
    w.log_epoch(np.array([[0.9, 0.2], [0.3, 0.8], [0.6, 0.1]]))
    anger = w.to_dataframe(label="anger")
    pd.testing.assert_series_equal(anger["confidence"], w.dynamics.metrics(label=1)["confidence"])
    assert w.label == "joy"  # asking for another label's table does not switch the map


def test_mixed_int_and_string_ids_are_refused():
    with pytest.raises(TypeError, match="mix strings"):
        TrainingDynamics([0, 1], ids=[1, "b"])
    td = TrainingDynamics([0, 1], ids=[1, 2])
    td.log_batch([1], [0.3])  # ints stay ints
    assert td.n_pending == 1


def test_widget_takes_generators_like_the_engine():
    w = DataMapWidget(
        labels=(i % 2 for i in range(6)),
        texts=(f"t{i}" for i in range(6)),
        ids=(f"e{i}" for i in range(6)),
    )
    assert w.n_examples == 6 and list(w.dynamics.ids)[:2] == ["e0", "e1"]


def test_incomplete_epoch_message_does_not_claim_repeats():
    td = TrainingDynamics([0, 1, 0])
    td.log_batch([0], [0.4])
    with pytest.raises(ValueError) as info:
        td.end_epoch()
    assert "repeated" not in str(info.value) and "2 of 3" in str(info.value)


def test_a_new_widget_on_the_same_run_takes_over_its_updates():
    td = TrainingDynamics([0, 1, 1])
    widgets = [DataMapWidget(dynamics=td) for _ in range(3)]  # a cell run three times
    assert len(td._listeners) == 1
    td.log_epoch([0.2, 0.8, 0.6])
    assert [w.n_epochs for w in widgets] == [0, 0, 1]


def test_dynamics_may_be_the_folder_of_a_saved_run(tmp_path):
    td = TrainingDynamics(["a", "b", "a"], ids=["x", "y", "z"])
    td.log_epoch([0.3, 0.6, 0.2])
    td.save(tmp_path / "run")
    w = DataMapWidget(dynamics=str(tmp_path / "run"))
    assert (w.n_epochs, list(w.dynamics.ids)) == (1, ["x", "y", "z"])
    td.to_cartography(tmp_path / "carto")
    assert DataMapWidget(dynamics=tmp_path / "carto").n_epochs == 1
    with pytest.raises(FileNotFoundError, match="no saved run"):
        DataMapWidget(dynamics=tmp_path / "nothing")


# ----------------------------------------------------------------- 8. stale and damaged files
def test_to_cartography_refuses_a_folder_with_an_older_export(tmp_path):
    older = TrainingDynamics([0, 1])
    for _ in range(3):
        older.log_epoch([0.4, 0.6])
    older.to_cartography(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    newer = TrainingDynamics([0, 1])
    newer.log_epoch([0.2, 0.9])
    with pytest.raises(FileExistsError, match="not empty"):
        newer.to_cartography(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert TrainingDynamics.from_cartography(tmp_path).n_epochs == 3


def test_a_damaged_epoch_file_is_named_and_the_intact_epochs_load(tmp_path):
    td = TrainingDynamics([0, 1, 1])
    for e in range(3):
        td.log_epoch([0.2 + 0.1 * e, 0.7, 0.6])
    td.save(tmp_path)
    damaged = tmp_path / "epoch_00003.npz"
    damaged.write_bytes(damaged.read_bytes()[:40])  # truncated, as by a full disk
    with pytest.raises(ValueError, match=r"epoch_00003\.npz.*epochs=2"):
        TrainingDynamics.load(tmp_path)
    back = TrainingDynamics.load(tmp_path, epochs=2)
    np.testing.assert_array_equal(back.gold_probabilities(), td.gold_probabilities()[:2])


# ----------------------------------------------------------------- 9. tables and the widget
def test_metrics_carry_gold_and_predicted_names():
    td = TrainingDynamics(["cat", "dog", "bird"] * 2)
    probs = np.array([[0.1, 0.8, 0.1], [0.1, 0.2, 0.7], [0.6, 0.2, 0.2]] * 2)  # bird cat dog
    td.log_epoch(probs)
    df = td.metrics()
    assert list(df["gold_label"].astype(str)) == ["cat", "dog", "bird"] * 2
    assert list(df["predicted_label"].astype(str)) == ["cat", "dog", "bird"] * 2
    td.log_epoch(probs[:, [1, 0, 2]])  # now it says bird for cat and cat for bird
    wrong = td.metrics()
    changed = wrong[wrong.gold_label != wrong.predicted_label]
    assert list(changed["gold_label"].astype(str)) == ["cat", "bird"] * 2
    assert list(changed["predicted_label"].astype(str)) == ["bird", "cat"] * 2
    assert td.metrics(epochs=0)["predicted_label"].isna().all()


def test_quantile_regions_follow_the_paper_subsets():
    rng = np.random.default_rng(3)
    td = TrainingDynamics(rng.integers(0, 2, 90))
    for _ in range(4):
        td.log_epoch(rng.random(90))
    df = td.metrics(regions="quantiles")
    assert (df["region"] == "ambiguous").sum() == 30
    top_var = df["variability"].sort_values(ascending=False, kind="stable").index[:30]
    assert set(df.index[df["region"] == "ambiguous"]) == set(top_var)
    hard = td.hard(regions="quantiles")
    assert hard["confidence"].max() <= df["confidence"].quantile(1 / 3) + 1e-12
    with pytest.raises(ValueError, match="regions"):
        td.metrics(regions="thirds")


def test_python_owned_traits_are_read_only_and_the_widget_has_a_repr():
    w = DataMapWidget(labels=[0, 1, 1], label_names=["no", "yes"])
    for name, value in (("n_epochs", 5), ("n_examples", 2), ("renderer", "gl")):
        with pytest.raises(traitlets.TraitError, match=f"{name} is read-only"):
            setattr(w, name, value)
    assert (w.n_epochs, w.n_examples, w.renderer) == (0, 3, "svg")
    w.log_epoch([0.3, 0.6, 0.9])
    assert w.n_epochs == 1  # the widget itself still updates it
    assert repr(w) == (
        "DataMapWidget(task='binary', n_examples=3, n_epochs=1, renderer='svg', "
        "class_names=['no', 'yes'])"
    )


def test_public_traits_and_constructor_are_documented():
    assert "Parameters" in DataMapWidget.__doc__ and "Examples" in DataMapWidget.__doc__
    for name in ("renderer", "n_examples", "n_epochs", "label"):
        assert DataMapWidget.class_traits()[name].help, name


def test_the_constructor_example_runs_as_shown():
    import doctest

    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(DataMapWidget, "DataMapWidget", globs={}):
        runner.run(test)
    assert runner.summarize(verbose=False) == (0, 5)  # 5 example lines, none failing


def test_fit_epochs_with_string_labels():
    from sklearn.linear_model import SGDClassifier

    rng = np.random.default_rng(0)
    y = np.array(["spam", "ham", "eggs"])[rng.integers(0, 3, 60)]
    X = rng.normal(size=(60, 4)) + (y == "spam")[:, None]
    td = TrainingDynamics(y)
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, y, td, epochs=3)
    assert td.n_epochs == 3 and td.label_names == ["eggs", "ham", "spam"]
    assert set(td.metrics()["gold_label"].astype(str)) == {"eggs", "ham", "spam"}
