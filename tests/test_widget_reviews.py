"""Review decisions through the widget: page messages, w.reviews, the synced `_reviews` trait,
persistence with path=, corrected labels applied to DataFrames and Datasets for the three tasks."""

from __future__ import annotations

import json
import warnings

import datasets
import numpy as np
import pandas as pd
import pytest
from _recording import RecordingComm

from datamap_widget import DataMapWidget
from datamap_widget import widget as widget_module

NAMES3 = ["cat", "dog", "bird"]


def page_decisions(w, messages):
    """Deliver a "decisions" custom message as the page sends it."""
    w._on_page_msg(w, {"type": "decisions", "decisions": messages}, [])


def message(did, index, verdict, new_label=None, label=None, time=1.7e12):
    return {
        "decision_id": did,
        "index": index,
        "verdict": verdict,
        "new_label": new_label,
        "label": label,
        "time": time,
    }


def binary_widget(**kw):
    ids = [f"ex{i}" for i in range(6)]
    return DataMapWidget(
        texts=list("abcdef"), labels=[0, 1, 1, 0, 1, 0], ids=ids, label_names=["no", "yes"], **kw
    )


def multiclass_widget(**kw):
    return DataMapWidget(texts=list("abcdef"), labels=[0, 1, 2, 1, 0, 2], label_names=NAMES3, **kw)


def multilabel_widget(**kw):
    hot = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])
    return DataMapWidget(
        texts=list("abcdef"), labels=hot, label_names=["a", "b", "c"], task="multilabel", **kw
    )


def test_page_decisions_reach_reviews_once_each_in_order():
    w = binary_widget()
    sent = [
        message("p-1", 1, "wrong", 0, time=1_700_000_000_000),
        message("p-2", 4, "remove", time=1_700_000_001_000),
        message("p-3", 0, "correct", time=1_700_000_002_000),
    ]
    page_decisions(w, sent[:2])
    page_decisions(w, sent)  # re-sent after a reconnect: nothing counted twice
    page_decisions(w, sent[1:])
    df = w.reviews
    assert df.index.tolist() == ["ex1", "ex4", "ex0"]
    assert df["verdict"].astype(str).tolist() == ["wrong", "remove", "correct"]
    assert df["gold_label"].tolist() == ["yes", "yes", "no"]
    assert df["new_label"].tolist()[0] == "no" and df["new_label"].isna().tolist()[1:] == [
        True,
        True,
    ]
    assert df["time"].iloc[0] == pd.Timestamp(1_700_000_000, unit="s", tz="UTC")
    # the synced trait holds the canonical list a reloaded page or a second view reads
    assert [m["decision_id"] for m in json.loads(w._reviews)] == ["p-1", "p-2", "p-3"]
    assert json.loads(w._reviews) == w.review_log.to_messages()
    assert w.corrected_labels().to_dict() == {"ex0": 0, "ex1": 0, "ex2": 1, "ex3": 0, "ex5": 0}


def test_bad_page_decisions_are_refused_alone_and_named_back_to_the_page():
    w = multiclass_widget()
    comm = RecordingComm()
    w.comm = comm
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page_decisions(
            w,
            [
                message("p-1", 0, "wrong", 2),
                message("p-2", 99, "correct"),
                message("p-3", 1, "wrong", 1),
            ],
        )  # 99: no such point; 1: gold class
    assert w.reviews.index.tolist() == [0]
    assert any("refused 2 decision" in str(c.message) for c in caught)
    errors = [
        d["content"]
        for d, _ in comm.messages
        if d.get("method") == "custom" and d["content"].get("type") == "decision_errors"
    ]
    assert len(errors) == 1 and [e[0] for e in errors[0]["errors"]] == ["p-2", "p-3"]
    page_decisions(w, "not a list")  # malformed message: ignored, nothing changes
    assert len(w.reviews) == 1


def test_python_decisions_use_the_same_log_and_sync_to_the_page():
    w = multilabel_widget()
    w.review(2, "wrong")  # multilabel: flips the shown label ("a")
    w.review(1, "wrong", label="c")
    w.review(4, "remove")
    df = w.reviews
    assert df["label"].tolist()[:2] == ["a", "c"] and pd.isna(df["label"].iloc[2])
    assert len(json.loads(w._reviews)) == 3 and json.loads(w._reviews)[0]["label"] == 0
    labels = w.corrected_labels()
    assert labels.loc[2].tolist() == [True, False, False] and 4 not in labels.index
    with pytest.raises(ValueError):
        w.review(99, "correct")
    assert len(w.reviews) == 3


def test_decisions_are_saved_with_an_on_disk_run_and_come_back_on_resume(tmp_path):
    run = tmp_path / "run"
    rng = np.random.default_rng(0)
    w = multiclass_widget(path=run)
    w.log_epoch(rng.dirichlet(np.ones(3), 6))
    page_decisions(w, [message("p-1", 0, "wrong", 2), message("p-2", 3, "remove")])
    w.review(5, "correct")
    assert (run / "reviews.jsonl").is_file()
    again = multiclass_widget(path=run)  # resume: the epochs and the decisions come back
    assert again.n_epochs == 1
    pd.testing.assert_frame_equal(again.reviews, w.reviews)
    assert again._reviews == w._reviews  # the page of the resumed widget shows them too
    page_decisions(again, [message("p-1", 0, "wrong", 2)])  # already on disk: not repeated
    assert len(again.reviews) == 3


def test_label_issue_score_travels_with_each_epoch(monkeypatch):
    monkeypatch.setattr(widget_module, "SCORE_BUDGET_MS", 1e9)  # recomputed at every epoch
    rng = np.random.default_rng(1)
    w = multiclass_widget()
    for _ in range(3):
        w.log_epoch(rng.dirichlet(np.ones(3), 6))
        score = np.frombuffer(bytes(w._epoch["score"]["buffer"]), "<f4")
        want = w.dynamics.label_issues()["score"].reindex(w.dynamics.ids).to_numpy(np.float32)
        assert np.allclose(score, want, atol=1e-6)


def test_an_expensive_score_is_reused_for_later_epochs_within_the_budget(monkeypatch):
    """A score that took t ms is sent again (not recomputed) for the next t / budget epochs, so
    big runs spend at most the budget per epoch on average; a label switch recomputes it."""
    monkeypatch.setattr(widget_module, "SCORE_BUDGET_MS", 1e-9)  # every computation "expensive"
    rng = np.random.default_rng(2)
    w = multilabel_widget()
    w.log_epoch(rng.uniform(0, 1, (6, 3)))
    first = w.dynamics.label_issues(0)["score"].reindex(w.dynamics.ids).to_numpy(np.float32)
    for _ in range(2):
        w.log_epoch(rng.uniform(0, 1, (6, 3)))
        sent = np.frombuffer(bytes(w._epoch["score"]["buffer"]), "<f4")
        assert np.array_equal(sent, first)
    w.label = "b"
    want = w.dynamics.label_issues(1)["score"].reindex(w.dynamics.ids).to_numpy(np.float32)
    assert np.allclose(np.frombuffer(bytes(w._epoch["score"]["buffer"]), "<f4"), want)


TASKS = {
    "binary": (binary_widget, "label", [0, 1, 1, 0, 1, 0], ("ex1", "wrong", None), ("ex4",)),
    "multiclass": (multiclass_widget, "label", [0, 1, 2, 1, 0, 2], (1, "wrong", "bird"), (4,)),
    "multilabel": (
        multilabel_widget,
        "labels",
        [[0], [1, 2], [], [0, 1], [2], [0, 2]],
        (2, "wrong", None),
        (4,),
    ),
}


@pytest.mark.parametrize("task", sorted(TASKS))
@pytest.mark.parametrize("container", ["dataframe", "dataset"])
def test_apply_corrections_on_dataframe_and_dataset(task, container):
    make, column, gold, (changed, verdict, new), (removed,) = TASKS[task]
    w = make()
    ids = list(w.dynamics.ids)
    w.review(changed, verdict, new)
    w.review(removed, "remove")
    frame = pd.DataFrame({"text": list("abcdef"), column: gold}, index=pd.Index(ids))
    if container == "dataframe":
        out = w.apply_corrections(frame, label_column=column)
        assert isinstance(out, pd.DataFrame)
        got = dict(zip(out.index.tolist(), out[column].tolist()))
    else:
        ds = datasets.Dataset.from_dict(
            {"uid": [str(i) for i in ids], "text": list("abcdef"), column: gold}
        )
        out = (
            w.apply_corrections(ds, label_column=column)
            if task != "binary"
            else w.apply_corrections(ds, label_column=column, id_column="uid")
        )
        assert isinstance(out, datasets.Dataset)
        if task == "binary":  # matched by the id column
            got = dict(zip(out["uid"][:], out[column][:]))
        else:  # matched by row position: the rows left are those not removed, in order
            got = dict(zip([i for i in ids if i != removed], out[column][:]))
    pos = ids.index(changed)
    assert removed not in got and len(got) == 5
    expected = {
        "binary": lambda: 1 - gold[pos],
        "multiclass": lambda: 2,
        "multilabel": lambda: [0],
    }[task]()
    assert got[changed] == expected
    for i, g in zip(ids, gold):
        if i not in (changed, removed):
            assert got[i] == g
    # the corrected labels agree with what apply_corrections wrote
    labels = w.corrected_labels()
    assert len(labels) == 5 and removed not in labels.index
