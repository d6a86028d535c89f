"""Many decisions at once: label_issues() turned into decisions, lists of ids, one write and one
page update for all of them, all or none (issue 16, item 6)."""

from __future__ import annotations

import json

import datasets
import numpy as np
import pandas as pd
import pytest
from _recording import attach_recorder
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs
from datamap_widget.review import ReviewLog
from datamap_widget.review import _review_store as store

NAMES3 = ["cat", "dog", "bird"]


def issues_frame(ids, gold, suggested, names, **extra):
    """A DataFrame shaped like label_issues(): class names as Categoricals, indexed by id."""
    dtype = pd.CategoricalDtype(names)
    data = {
        "score": np.linspace(0.9, 0.1, len(ids)),
        "gold_label": pd.Categorical([names[g] for g in gold], dtype=dtype),
        "suggested_label": pd.Categorical([names[s] for s in suggested], dtype=dtype),
        **extra,
    }
    return pd.DataFrame(data, index=pd.Index(ids, name="id"))


def multiclass_widget(path=None):
    gold = [0, 1, 2, 0, 1, 2]
    return DataMapWidget(
        texts=list("abcdef"),
        labels=[NAMES3[g] for g in gold],
        label_names=NAMES3,
        ids=[f"e{i}" for i in range(6)],
        path=path,
    ), gold


def test_actions_become_decisions():
    w, _ = multiclass_widget()
    issues = issues_frame(
        ["e0", "e1", "e2", "e4"],
        [0, 1, 2, 1],
        [1, 2, 0, 0],
        NAMES3,
        action=pd.Categorical(["relabel", "remove", "keep", "relabel"]),
    )
    decisions = w.accept_suggestions(issues)
    assert len(decisions) == 3
    df = w.reviews
    assert df.index.tolist() == ["e0", "e1", "e4"]
    assert df.verdict.astype(str).tolist() == ["wrong", "remove", "wrong"]
    assert df.new_label.astype(object).tolist()[0] == "dog" and df.new_label.iloc[2] == "cat"
    assert w.corrected_labels(names=True).to_dict() == {
        "e0": "dog",
        "e2": "bird",
        "e3": "cat",
        "e4": "cat",
        "e5": "bird",
    }


def test_flagged_rows_without_actions_take_the_suggested_label():
    w, _ = multiclass_widget()
    issues = issues_frame(
        ["e3", "e5", "e0"], [0, 2, 0], [2, 1, 1], NAMES3, flagged=[True, True, False]
    )
    w.accept_suggestions(issues)
    assert w.reviews.index.tolist() == ["e3", "e5"]
    assert w.reviews.new_label.astype(str).tolist() == ["bird", "dog"]
    w2, _ = multiclass_widget()
    w2.accept_suggestions(issues[issues.flagged].drop(columns="flagged"))  # flagged subset
    pd.testing.assert_series_equal(w2.corrected_labels(), w.corrected_labels())


def test_multilabel_suggestions_flip_the_label_they_were_ranked_for():
    log = ReviewLog(TrainingDynamics([["a"], ["a", "b"], []], label_names=["a", "b"]))
    issues = pd.DataFrame(
        {
            "suggested_label": pd.Categorical(["b", "not b"], categories=["not b", "b"]),
            "flagged": [True, True],
        },
        index=[0, 1],
    )
    log.accept_suggestions(issues)
    np.testing.assert_array_equal(
        log.corrected_labels().to_numpy(), [[1, 1], [1, 0], [0, 0]]
    )  # b added to example 0, removed from example 1
    with pytest.raises(ValueError, match="ranked for label 'b', not 'a'"):
        log.accept_suggestions(issues, label="a")
    assert len(log) == 2


@pytest.mark.parametrize(
    "bad,words",
    [
        (dict(action=["relabel", "promote", "keep"]), "actions are 'relabel'"),
        (dict(index=["e0", "e9", "e2"]), "unknown example id 'e9'"),
        (dict(index=["e0", "e0", "e2"]), "appear more than once"),
        (dict(suggested=[0, 1, 1]), "is the gold label of id 'e0'"),
    ],
)
def test_a_bad_row_records_nothing(tmp_path, bad, words):
    w, _ = multiclass_widget(path=tmp_path / "run")
    w.review("e5", "correct")
    file = tmp_path / "run" / "reviews.jsonl"
    before, messages = file.read_bytes(), w._reviews
    index = bad.get("index", ["e0", "e1", "e2"])
    issues = issues_frame(
        index,
        [0, 1, 2],
        bad.get("suggested", [1, 2, 0]),
        NAMES3,
        action=bad.get("action", ["relabel", "relabel", "remove"]),
    )
    with pytest.raises(ValueError, match=words):
        w.accept_suggestions(issues)
    assert file.read_bytes() == before and w._reviews == messages and len(w.reviews) == 1


def test_ten_thousand_decisions_are_one_write_and_one_page_update(tmp_path, monkeypatch):
    n = 10_000
    labels = np.arange(n) % 3
    w = DataMapWidget(labels=labels, label_names=NAMES3, path=tmp_path / "run")
    comm = attach_recorder(w)
    appends = []
    real_append = store.append
    monkeypatch.setattr(
        store, "append", lambda path, rows: appends.append(len(rows)) or real_append(path, rows)
    )
    suggested = (labels + 1) % 3
    issues = issues_frame(
        np.arange(n),
        labels,
        suggested,
        NAMES3,
        action=np.where(np.arange(n) % 4 == 0, "remove", "relabel"),
    )
    decisions = w.accept_suggestions(issues)
    assert len(decisions) == n and appends == [n]
    updates = [m for m, _ in comm.messages if "_reviews" in m.get("state", {})]
    assert len(updates) == 1 and len(json.loads(updates[0]["state"]["_reviews"])) == n
    lines = (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()
    assert len(lines) == n + 1  # header + one line per decision
    corrected = w.corrected_labels()
    assert len(corrected) == n - n // 4
    np.testing.assert_array_equal(corrected.to_numpy(), suggested[np.arange(n) % 4 != 0])
    resumed = DataMapWidget(dynamics=tmp_path / "run", path=tmp_path / "run")
    assert len(resumed.reviews) == n  # they come back on resume


def test_lists_of_ids_with_one_verdict_or_one_label_each():
    w, _ = multiclass_widget()
    w.review(pd.Index(["e1", "e2"]), "remove")
    w.review(np.array(["e3", "e4"]), "wrong", ["bird", 0])
    w.review(["e5"], "correct")
    assert w.reviews.verdict.astype(str).tolist() == [
        "remove",
        "remove",
        "wrong",
        "wrong",
        "correct",
    ]
    assert w.corrected_labels().to_dict() == {"e0": 0, "e3": 2, "e4": 0, "e5": 2}
    with pytest.raises(ValueError, match="2 values for 3 ids"):
        w.review(["e0", "e1", "e2"], "wrong", ["dog", "cat"])
    with pytest.raises(ValueError, match="needs new_label"):
        w.review(["e0"], "wrong")
    assert len(w.reviews) == 5


def test_flagged_rows_of_a_hugging_face_dataset_dropped_without_select():
    X, y = make_classification(200, 6, n_informative=4, random_state=0)
    flipped = np.random.default_rng(0).random(200) < 0.1
    noisy = np.where(flipped, 1 - y, y)
    ds = datasets.Dataset.from_dict(
        {"text": [f"row {i}" for i in range(200)], "label": noisy.tolist()}
    )
    w = DataMapWidget(ds, label_names=["no", "yes"])
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, noisy, w, epochs=5, cv=5)
    issues = w.label_issues()
    flagged = issues[issues.flagged]
    assert 0 < len(flagged) < 200
    w.review(flagged.index, "remove")
    cleaned = w.apply_corrections(ds)
    assert isinstance(cleaned, datasets.Dataset) and len(cleaned) == 200 - len(flagged)
    kept = set(cleaned["text"])
    assert not any(f"row {i}" in kept for i in flagged.index)
    accepted = DataMapWidget(ds, label_names=["no", "yes"])
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, noisy, accepted, epochs=5, cv=5)
    issues = accepted.label_issues()
    assert set(issues.index[issues.action != "keep"]) == set(flagged.index)
    accepted.accept_suggestions(issues)  # the default action of a flagged row: "remove"
    assert accepted.apply_corrections(ds)["text"] == cleaned["text"]
    relabeled = DataMapWidget(ds, label_names=["no", "yes"])
    fit_epochs(SGDClassifier(loss="log_loss", random_state=0), X, noisy, relabeled, epochs=5, cv=5)
    chosen = relabeled.label_issues().loc[flagged.index].assign(action="relabel")  # overridden
    relabeled.accept_suggestions(chosen)
    fixed = relabeled.apply_corrections(ds)
    assert len(fixed) == 200
    changed = np.flatnonzero(np.asarray(fixed["label"]) != noisy)
    assert set(changed) == set(flagged.index)
