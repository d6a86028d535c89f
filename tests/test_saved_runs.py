"""A saved run gives the same answers after loading, and a loaded run either appends to its
folder or says it does not (issue 16, items 2 and 4; leftover temporary files, item 10)."""

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs


def noisy_data(n=300, seed=0):
    X, y = make_classification(n, 8, n_informative=5, random_state=seed)
    flipped = np.random.default_rng(seed).random(n) < 0.1
    return X, np.where(flipped, 1 - y, y)


def cross_fitted(path=None):
    X, y = noisy_data()
    td = TrainingDynamics(y, label_names=["no", "yes"], path=path)
    fit_epochs(SGDClassifier(loss="log_loss", alpha=1e-4, random_state=0), X, y, td, cv=5)
    return td


def test_a_saved_cross_fitted_run_ranks_the_same_after_load(tmp_path):
    td = cross_fitted()
    assert td.held_out and td.in_sample is not None
    before = td.label_issues()
    td.save(tmp_path / "run")
    assert (tmp_path / "run" / "in_sample" / "meta.json").exists()
    loaded = TrainingDynamics.load(tmp_path / "run")
    assert loaded.held_out and loaded.in_sample.n_epochs == td.n_epochs
    after = loaded.label_issues()
    pd.testing.assert_frame_equal(after, before)
    assert after.attrs["memorisation"] == before.attrs["memorisation"]
    first = TrainingDynamics.load(tmp_path / "run", epochs=3)  # both maps cut alike
    assert first.n_epochs == first.in_sample.n_epochs == 3
    # the widget's review queue ranks by the same score
    w, shown = DataMapWidget(dynamics=td), DataMapWidget(dynamics=tmp_path / "run")
    score = w._score_arrays("", td.n_epochs)["score"]
    np.testing.assert_array_equal(shown._score_arrays("", td.n_epochs)["score"], score)


def test_an_on_disk_cross_fitted_run_keeps_its_in_sample_map_on_disk(tmp_path):
    td = cross_fitted(path=tmp_path / "live")
    meta = json.loads((tmp_path / "live" / "meta.json").read_text())
    assert meta["held_out"] is True
    assert len(list((tmp_path / "live" / "in_sample").glob("epoch_*.npz"))) == 10
    resumed = TrainingDynamics.resume(tmp_path / "live")
    assert resumed.held_out and resumed.in_sample.path is not None
    pd.testing.assert_frame_equal(resumed.label_issues(), td.label_issues())


def test_a_widget_saves_its_reviews_with_the_run(tmp_path):
    td = cross_fitted()
    w = DataMapWidget(dynamics=td)
    w.review(3, "wrong")
    w.review(5, "remove")
    w.save(tmp_path / "run")
    again = DataMapWidget(dynamics=tmp_path / "run")
    assert again.reviews.index.tolist() == [3, 5]
    assert again.reviews.verdict.astype(str).tolist() == ["wrong", "remove"]
    pd.testing.assert_frame_equal(again.label_issues(), w.label_issues())
    with pytest.warns(UserWarning, match=r"kept in memory, not written to .*reviews\.jsonl"):
        again.review(7, "correct")  # a loaded run: the decision is kept, and where is said
    assert again.reviews.index.tolist() == [3, 5, 7]
    assert len((tmp_path / "run" / "reviews.jsonl").read_text().splitlines()) == 3  # header+2


def test_a_loaded_run_says_it_does_not_write_and_resume_appends(tmp_path):
    td = TrainingDynamics([0, 1, 1, 0], path=tmp_path / "run")
    td.log_epoch([0.2, 0.7, 0.6, 0.4])
    loaded = TrainingDynamics.load(tmp_path / "run")
    with pytest.warns(UserWarning, match=r"not written there.*TrainingDynamics\.resume"):
        loaded.log_epoch([0.3, 0.8, 0.7, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once
        loaded.log_epoch([0.3, 0.8, 0.7, 0.2])
    assert len(list((tmp_path / "run").glob("epoch_*.npz"))) == 1  # as the warning said
    resumed = TrainingDynamics.resume(tmp_path / "run")
    assert resumed.path == tmp_path / "run" and resumed.n_epochs == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resumed.log_epoch([0.3, 0.8, 0.7, 0.2])
    assert len(list((tmp_path / "run").glob("epoch_*.npz"))) == 2
    assert TrainingDynamics.load(tmp_path / "run").n_epochs == 2


def test_a_widget_appends_to_a_saved_run_given_its_folder_twice(tmp_path):
    run = tmp_path / "run"
    first = DataMapWidget(texts=list("abcd"), labels=[0, 1, 1, 0], path=run)
    first.log_epoch([0.2, 0.7, 0.6, 0.4])
    first.review(1, "correct")
    w = DataMapWidget(dynamics=run, path=run)
    assert w.dynamics.path == run and w.reviews.index.tolist() == [1]
    w.log_epoch([0.3, 0.8, 0.7, 0.2])
    w.review(2, "remove")
    back = DataMapWidget(dynamics=run)
    assert back.n_epochs == 2 and back.reviews.index.tolist() == [1, 2]
    with pytest.raises(ValueError, match="own folder"):
        DataMapWidget(dynamics=run, path=tmp_path / "other")
    with pytest.raises(TypeError, match=r"dynamics=folder, path=folder"):
        DataMapWidget(dynamics=TrainingDynamics.load(run), path=run)
    assert TrainingDynamics.load(run).n_epochs == 2  # the refusals wrote nothing


def test_temporary_files_of_a_killed_writer_are_removed_on_resume(tmp_path):
    run = tmp_path / "run"
    td = TrainingDynamics([0, 1, 1, 0], path=run)
    td.log_epoch([0.2, 0.7, 0.6, 0.4])
    leftovers = [".epoch_00002.npz.tmp-4242", ".meta.json.tmp-17"]
    for name in leftovers:
        (run / name).write_bytes(b"half an epoch")
    (run / ".notes").write_text("the user's own hidden file")
    resumed = TrainingDynamics(np.array([0, 1, 1, 0]), path=run)
    assert resumed.n_epochs == 1
    assert sorted(os.listdir(run)) == sorted(
        [".notes", "epoch_00001.npz", "gold.npy", "ids.npy", "meta.json"]
    )


def test_a_cross_fit_that_never_logged_an_epoch_leaves_a_plain_run(tmp_path):
    from datamap_widget.crossfit import CrossFitRouter, fold_assignments

    y = np.tile([0, 1], 10)
    td = TrainingDynamics(y, path=tmp_path / "run")
    CrossFitRouter(td, fold_assignments(y, 2))  # made, then training never ran
    again = TrainingDynamics.resume(tmp_path / "run")
    assert not again.held_out and again.in_sample is None
