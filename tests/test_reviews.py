"""ReviewLog: decisions, validation, dedup, corrected labels, persistence, apply_corrections."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import datasets
import numpy as np
import pandas as pd
import pytest

from datamap_widget import TrainingDynamics
from datamap_widget.reviews import ReviewLog, apply_corrections

NAMES3 = ["cat", "dog", "bird"]


def binary_run(**kw):
    return TrainingDynamics([0, 1, 1, 0, 1, 0], label_names=["no", "yes"], **kw)


def multiclass_run(ids=None, **kw):
    return TrainingDynamics([0, 1, 2, 1, 0, 2], ids=ids, label_names=NAMES3, **kw)


def multilabel_run(**kw):
    hot = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])
    return TrainingDynamics(hot, label_names=["a", "b", "c"], task="multilabel", **kw)


def snapshot(log):
    return log.to_dataframe().copy(), len(log)


def assert_unchanged(log, before):
    frame, n = before
    assert len(log) == n
    pd.testing.assert_frame_equal(log.to_dataframe(), frame)


# --------------------------------------------------------------------------- recording
def test_binary_decisions_table_and_corrected_labels():
    log = ReviewLog(binary_run())
    log.record(1, "wrong", time=100.0)  # binary: the other class by default
    log.record(3, "wrong", "yes", time=101.0)
    log.record(4, "remove", time=102.0)
    log.record(0, "correct", time=103.0)
    df = log.to_dataframe()
    assert df.index.name == "id" and df.index.tolist() == [1, 3, 4, 0]
    assert df["gold_label"].tolist() == ["yes", "no", "yes", "no"]
    assert df["gold_label"].cat.categories.tolist() == ["no", "yes"]  # as metrics() has it
    assert df["verdict"].astype(str).tolist() == ["wrong", "wrong", "remove", "correct"]
    assert df["new_label"].tolist()[:2] == ["no", "yes"]
    assert df["new_label"].isna().tolist() == [False, False, True, True]
    assert df["time"].tolist() == list(
        pd.to_datetime([100.0, 101.0, 102.0, 103.0], unit="s", utc=True)
    )
    labels = log.corrected_labels()
    assert labels.index.tolist() == [0, 1, 2, 3, 5]  # id 4 removed
    assert labels.tolist() == [0, 0, 1, 1, 0]
    assert log.corrected_labels(drop_removed=False).tolist() == [0, 0, 1, 1, 1, 0]
    assert log.removed.tolist() == [False, False, False, False, True, False]
    assert log.corrected_labels(names=True).tolist() == ["no", "no", "yes", "yes", "no"]
    assert log.verdict_codes().tolist() == [1, 2, 0, 2, 3, 0]


def test_multiclass_later_decisions_supersede_earlier_ones():
    log = ReviewLog(multiclass_run(ids=[f"ex{i}" for i in range(6)]))
    log.record("ex0", "wrong", "dog")
    log.record("ex1", "wrong", 2)
    log.record("ex0", "wrong", "bird")  # supersedes "dog"
    log.record("ex1", "correct")  # back to the gold label
    log.record("ex2", "remove")
    log.record("ex2", "wrong", "cat")  # reviewed again: kept, relabelled
    log.record("ex3", "remove")
    assert len(log) == 7 and log.to_dataframe().index.tolist() == [
        "ex0",
        "ex1",
        "ex0",
        "ex1",
        "ex2",
        "ex2",
        "ex3",
    ]
    labels = log.corrected_labels()
    assert labels.index.tolist() == ["ex0", "ex1", "ex2", "ex4", "ex5"]
    assert labels.tolist() == [2, 1, 0, 0, 2]
    assert log.removed.sum() == 1 and bool(log.removed["ex3"])


def test_multilabel_decisions_are_per_label():
    log = ReviewLog(multilabel_run())
    log.record(0, "wrong", label="b")  # add b to example 0 (gold: a)
    log.record(1, "wrong", label=2)  # remove c from example 1 (gold: b, c)
    log.record(1, "correct", label="b")
    log.record(5, "wrong", label="a")
    log.record(5, "wrong", label="c", new_label=False)
    log.record(2, "remove")
    df = log.to_dataframe()
    assert df["label"].tolist()[:5] == ["b", "c", "b", "a", "c"] and df["label"].isna().iloc[5]
    assert df["gold_label"].tolist()[:5] == ["not b", "c", "b", "a", "c"]
    assert df["new_label"].tolist()[:2] == ["b", "not c"]
    labels = log.corrected_labels()
    assert labels.columns.tolist() == ["a", "b", "c"]
    assert labels.index.tolist() == [0, 1, 3, 4, 5]
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]], bool)
    np.testing.assert_array_equal(labels.to_numpy(), expected)
    assert log.corrected_labels(names=True).tolist() == [["a", "b"], ["b"], ["a", "b"], ["c"], []]
    assert log.verdict_codes(label="c").tolist() == [0, 2, 3, 0, 0, 2]
    assert log.verdict_codes().tolist() == [2, 1, 3, 0, 0, 2]


@pytest.mark.parametrize(
    "make, call, message",
    [
        (binary_run, dict(id=99, verdict="wrong"), "unknown example id 99"),
        (binary_run, dict(id="1", verdict="wrong"), "unknown example id '1'"),
        (binary_run, dict(id=1, verdict="bad"), "verdict must be one of"),
        (binary_run, dict(id=1, verdict="wrong", new_label="yes"), "is the gold label of id 1"),
        (binary_run, dict(id=1, verdict="correct", new_label="no"), "takes no new_label"),
        (multiclass_run, dict(id=0, verdict="wrong"), "needs new_label="),
        (multiclass_run, dict(id=0, verdict="wrong", new_label="fish"), "unknown class 'fish'"),
        (multiclass_run, dict(id=0, verdict="wrong", new_label=3), "unknown class index 3"),
        (multiclass_run, dict(id=0, verdict="wrong", new_label=True), "class name or index"),
        (
            multiclass_run,
            dict(id=0, verdict="wrong", new_label="dog", label="a"),
            "only applies to ",
        ),
        (multiclass_run, dict(id=0, verdict="remove", time=float("nan")), "time must be finite"),
        (multilabel_run, dict(id=0, verdict="wrong"), "pass label="),
        (multilabel_run, dict(id=0, verdict="wrong", label="z"), "unknown class 'z'"),
        (multilabel_run, dict(id=0, verdict="wrong", label="a", new_label=True), "already has"),
        (multilabel_run, dict(id=0, verdict="wrong", label="b", new_label="yes"), r"True \(add"),
    ],
)
def test_bad_input_raises_clearly_and_leaves_state_unchanged(tmp_path, make, call, message):
    td = make(path=tmp_path / "run")
    log = ReviewLog(td, path=tmp_path / "run")
    log.record(1, "remove", decision_id="first")
    before = snapshot(log)
    on_disk = log.path.read_bytes()
    call = dict(call)
    with pytest.raises((ValueError, TypeError), match=message):
        log.record(call.pop("id"), call.pop("verdict"), **call)
    assert_unchanged(log, before)
    assert log.path.read_bytes() == on_disk


# --------------------------------------------------------------------------- dedup
def test_decision_ids_make_resending_idempotent():
    log = ReviewLog(multiclass_run())
    first = log.record(0, "wrong", "dog", decision_id="d-1", time=5.0)
    again = log.record(0, "wrong", "dog", decision_id="d-1", time=5.0)
    assert again is first and len(log) == 1
    before = snapshot(log)
    with pytest.raises(ValueError, match="'d-1' was already used"):
        log.record(0, "wrong", "bird", decision_id="d-1")
    assert_unchanged(log, before)
    log.record(0, "wrong", "dog")  # no decision id: a second, separate decision
    assert len(log) == 2


def test_page_messages_dedup_within_and_across_batches_and_refuse_bad_ones_alone():
    log = ReviewLog(multiclass_run(ids=[f"ex{i}" for i in range(6)]))
    batch = [
        {"decision_id": "a", "index": 0, "verdict": "wrong", "new_label": 1, "time": 1000},
        {"decision_id": "b", "index": 4, "verdict": "remove", "time": 2000},
        {"decision_id": "a", "index": 0, "verdict": "wrong", "new_label": 1, "time": 1000},
        {"decision_id": "c", "index": 9, "verdict": "remove"},  # bad position
        {"decision_id": "d", "index": 2, "verdict": "wrong", "new_label": 2},  # = gold
        {"index": 3, "verdict": "remove"},  # no decision id
    ]
    result = log.apply_messages(batch)
    assert [d.decision_id for d in result.recorded] == ["a", "b"]
    assert result.duplicates == 1
    assert [e[0] for e in result.errors] == ["c", "d", None]
    assert "0..5" in result.errors[0][1] and "gold label" in result.errors[1][1]
    # the page re-sends everything after a reconnect: nothing is duplicated
    again = log.apply_messages(batch[:2])
    assert again.recorded == [] and again.duplicates == 2 and len(log) == 2
    df = log.to_dataframe()
    assert df.index.tolist() == ["ex0", "ex4"]
    assert df["time"].tolist() == list(pd.to_datetime([1.0, 2.0], unit="s", utc=True))


# --------------------------------------------------------------------------- persistence
@pytest.mark.parametrize("make", [binary_run, multiclass_run, multilabel_run])
def test_decisions_survive_a_resume(tmp_path, make):
    run = tmp_path / "run"
    td = make(path=run)
    log = ReviewLog(td, path=run)
    if td.task == "multilabel":
        log.record(0, "wrong", label="b", decision_id="x")
        log.record(1, "correct", label="c")
    else:
        log.record(0, "wrong", 1, decision_id="x")
        log.record(1, "correct")
    log.record(2, "remove")
    assert log.path == run / "reviews.jsonl"
    resumed = ReviewLog(make(path=run), path=run)
    pd.testing.assert_frame_equal(resumed.to_dataframe(), log.to_dataframe())
    pd.testing.assert_frame_equal(
        pd.DataFrame(resumed.corrected_labels()), pd.DataFrame(log.corrected_labels())
    )
    # the re-sent decision "x" is recognised after the resume too
    if td.task == "multilabel":
        resumed.record(0, "wrong", label="b", decision_id="x")
    else:
        resumed.record(0, "wrong", 1, decision_id="x")
    assert len(resumed) == 3
    assert len(run.joinpath("reviews.jsonl").read_text().splitlines()) == 4  # header + 3


def test_each_decision_is_fsynced_before_record_returns(tmp_path, monkeypatch):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(path=run), path=run)
    log.record(1, "remove")  # creates the file (its header is written atomically)
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    log.record(0, "wrong", "dog")
    assert len(synced) == 1
    assert '"verdict": "wrong"' in log.path.read_text().splitlines()[-1]


def test_a_killed_process_loses_no_recorded_decision(tmp_path):
    run = tmp_path / "run"
    multiclass_run(path=run)
    script = textwrap.dedent(f"""
        import os
        from datamap_widget import TrainingDynamics
        from datamap_widget.reviews import ReviewLog
        td = TrainingDynamics([0, 1, 2, 1, 0, 2], label_names={NAMES3!r}, path={str(run)!r})
        log = ReviewLog(td, path={str(run)!r})
        for i in range(6):
            log.record(i, "remove", decision_id=f"d{{i}}")
        os._exit(0)  # no clean-up, no close
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=120)
    log = ReviewLog(multiclass_run(path=run), path=run)
    assert len(log) == 6 and log.removed.all()


def test_damaged_last_line_is_ignored_with_a_warning_and_cut_before_appending(tmp_path):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(path=run), path=run)
    log.record(0, "wrong", "dog")
    log.record(1, "remove")
    with open(log.path, "ab") as f:
        f.write(b'{"decision_id": null, "id": 2, "verd')  # a crash mid-write
    with pytest.warns(RuntimeWarning, match=r"reviews\.jsonl: ignoring the damaged last line 4"):
        resumed = ReviewLog(multiclass_run(path=run), path=run)
    assert len(resumed) == 2
    resumed.record(2, "correct")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = ReviewLog(multiclass_run(path=run), path=run)
    assert again.to_dataframe().index.tolist() == [0, 1, 2]


def test_a_whole_last_line_without_its_newline_is_kept(tmp_path):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(path=run), path=run)
    log.record(0, "remove")
    log.path.write_bytes(log.path.read_bytes().rstrip(b"\n"))
    resumed = ReviewLog(multiclass_run(path=run), path=run)
    resumed.record(1, "remove")
    assert ReviewLog(multiclass_run(path=run), path=run).removed.sum() == 2


def test_damage_in_the_middle_is_an_error_naming_the_line(tmp_path):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(path=run), path=run)
    for i in range(3):
        log.record(i, "remove")
    lines = log.path.read_text().splitlines()
    lines[2] = lines[2][:10]
    log.path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 3 is not valid JSON"):
        ReviewLog(multiclass_run(path=run), path=run)


def test_reviews_of_another_run_or_outside_a_run_are_refused(tmp_path):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(path=run), path=run)
    log.record(0, "wrong", "dog")
    other = TrainingDynamics([2, 1, 2, 1, 0, 2], label_names=NAMES3)
    with pytest.raises(ValueError, match="holds a different run .*labels"):
        ReviewLog(other, path=run)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no datamap-widget run"):
        ReviewLog(multiclass_run(), path=tmp_path / "empty")


def test_stored_decision_that_no_longer_validates_names_file_and_line(tmp_path):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(path=run), path=run)
    log.record(0, "wrong", "dog")
    text = log.path.read_text().replace('"new_label": 1', '"new_label": 7')
    log.path.write_text(text)
    with pytest.raises(ValueError, match=r"reviews\.jsonl, line 2: unknown class index 7"):
        ReviewLog(multiclass_run(path=run), path=run)


def test_save_an_in_memory_review_next_to_a_saved_run(tmp_path):
    td = multilabel_run()
    log = ReviewLog(td)
    log.record(3, "wrong", label="a", time=7.0)
    td.save(tmp_path / "saved")
    log.save(tmp_path / "saved")
    loaded = ReviewLog(TrainingDynamics.load(tmp_path / "saved"), path=tmp_path / "saved")
    pd.testing.assert_frame_equal(loaded.to_dataframe(), log.to_dataframe())
    with pytest.raises(FileExistsError):
        log.save(tmp_path / "saved")


# --------------------------------------------------------------------------- apply_corrections
def test_dataframe_by_index_names_and_index_preserved():
    ids = [f"ex{i}" for i in range(6)]
    log = ReviewLog(multiclass_run(ids=ids))
    log.record("ex1", "wrong", "bird")
    log.record("ex4", "remove")
    df = pd.DataFrame(
        {"text": list("abcdef"), "label": [NAMES3[i] for i in [0, 1, 2, 1, 0, 2]]},
        index=pd.Index(ids, name="id"),
    )
    shuffled = df.sample(frac=1.0, random_state=3)  # order does not matter: ids do
    out = apply_corrections(shuffled, log)
    assert isinstance(out, pd.DataFrame)
    assert out.index.tolist() == [i for i in shuffled.index if i != "ex4"]
    assert out.loc["ex1", "label"] == "bird" and out.loc["ex1", "text"] == "b"
    assert (out.drop(index="ex1")["label"] == df.loc[out.index.drop("ex1"), "label"]).all()
    assert df.loc["ex1", "label"] == "dog"  # the input is not modified


def test_dataframe_by_id_column_with_int_bool_and_categorical_labels():
    td = TrainingDynamics([0, 1, 1, 0], ids=[10, 11, 12, 13], label_names=["no", "yes"])
    log = ReviewLog(td)
    log.record(11, "wrong")
    log.record(13, "remove")
    base = pd.DataFrame({"uid": [13, 12, 11, 10], "y": np.array([0, 1, 1, 0], np.int32)})
    out = apply_corrections(base, log, label_column="y", id_column="uid")
    assert out["uid"].tolist() == [12, 11, 10] and out["y"].tolist() == [1, 0, 0]
    assert out["y"].dtype == np.int32 and out.index.tolist() == [1, 2, 3]
    as_bool = base.assign(y=base["y"].astype(bool))
    assert apply_corrections(as_bool, log, label_column="y", id_column="uid")["y"].tolist() == [
        True,
        False,
        False,
    ]
    as_cat = base.assign(y=pd.Categorical(["no", "yes", "yes", "no"], categories=["no", "yes"]))
    out = apply_corrections(as_cat, log, label_column="y", id_column="uid")
    assert isinstance(out["y"].dtype, pd.CategoricalDtype)
    assert out["y"].astype(str).tolist() == ["yes", "no", "no"]


def test_multilabel_dataframe_with_lists_of_names():
    log = ReviewLog(multilabel_run())
    log.record(2, "wrong", label="a")
    log.record(1, "wrong", label="c")
    log.record(4, "remove")
    df = pd.DataFrame({"labels": [["a"], ["b", "c"], [], ["a", "b"], ["c"], ["a", "c"]]})
    out = apply_corrections(df, log, label_column="labels")
    assert out.index.tolist() == [0, 1, 2, 3, 5]
    assert out["labels"].tolist() == [["a"], ["b"], ["a"], ["a", "b"], ["a", "c"]]


def classlabel_dataset():
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "label": datasets.ClassLabel(names=NAMES3),
            "uid": datasets.Value("string"),
        }
    )
    return datasets.Dataset.from_dict(
        {"text": list("abcdef"), "label": [0, 1, 2, 1, 0, 2], "uid": [f"ex{i}" for i in range(6)]},
        features=features,
    )


def test_dataset_with_classlabel_by_position_and_by_id_column():
    ds = classlabel_dataset()
    log = ReviewLog(multiclass_run())
    log.record(0, "wrong", "bird")
    log.record(3, "remove")
    out = apply_corrections(ds, log)
    assert isinstance(out, datasets.Dataset)
    assert out.column_names == ds.column_names and out.features == ds.features
    assert out["label"][:] == [2, 1, 2, 0, 2] and out["text"][:] == list("abcef")

    log = ReviewLog(multiclass_run(ids=[f"ex{i}" for i in range(6)]))
    log.record("ex5", "wrong", "cat")
    out = apply_corrections(ds.shuffle(seed=0), log, id_column="uid")
    rows = dict(zip(out["uid"][:], out["label"][:]))
    assert rows == {"ex0": 0, "ex1": 1, "ex2": 2, "ex3": 1, "ex4": 0, "ex5": 0}


def test_multilabel_dataset_of_go_emotions_label_lists(monkeypatch):
    from datamap_widget.datasets import load_go_emotions

    ds = load_go_emotions("train[:300]", local_dir="/work/shared/data/go_emotions")
    names = ds.features["labels"].feature.names
    td = TrainingDynamics(ds["labels"][:], ids=ds["id"][:], task="multilabel", label_names=names)
    log = ReviewLog(td)
    first, second, third = ds["id"][:3]
    gratitude = names.index("gratitude")
    had = gratitude in ds[0]["labels"]
    log.record(first, "wrong", label="gratitude")
    log.record(second, "remove")
    log.record(third, "correct", label="neutral")
    out = apply_corrections(ds, log, label_column="labels", id_column="id")
    assert len(out) == 299 and second not in out["id"][:]
    assert out.features == ds.features
    assert (gratitude in out[0]["labels"]) is (not had)
    assert out["labels"][1:] == [ds[i]["labels"] for i in range(2, 300)]


def test_misaligned_data_is_refused_never_silently_applied():
    ids = [f"ex{i}" for i in range(6)]
    log = ReviewLog(multiclass_run(ids=ids))
    log.record("ex2", "wrong", "cat")
    df = pd.DataFrame({"label": [0, 1, 2, 1, 0, 2]}, index=ids)
    with pytest.raises(ValueError, match="6 of 6 rows of data have ids .* does not know"):
        apply_corrections(df.reset_index(drop=True), log)
    with pytest.raises(ValueError, match="repeated"):
        apply_corrections(df.iloc[[0, 1, 1]], log)
    with pytest.raises(ValueError, match="1 reviewed examples are not in data .*'ex2'"):
        apply_corrections(df.drop(index="ex2"), log)
    shifted = df.assign(label=np.roll(df["label"].to_numpy(), 1))
    with pytest.raises(ValueError, match="6 of 6 rows of data have labels that are not the run"):
        apply_corrections(shifted, log)
    out = apply_corrections(shifted, log, check_gold=False)
    assert out.loc["ex2", "label"] == 0
    with pytest.raises(ValueError, match="class names the run does not know: \\['fish'\\]"):
        apply_corrections(df.assign(label=["cat", "dog", "fish", "dog", "cat", "bird"]), log)
    other = classlabel_dataset().cast_column("label", datasets.ClassLabel(names=["x", "y", "z"]))
    with pytest.raises(ValueError, match="class names .* differ from the run's"):
        apply_corrections(other, ReviewLog(multiclass_run()))
    with pytest.raises(TypeError, match="DataFrame or a datasets.Dataset"):
        apply_corrections([0, 1], log)


@pytest.mark.parametrize("make", [binary_run, multiclass_run, multilabel_run])
def test_to_messages_round_trips_through_apply_messages(make):
    td = make()
    log = ReviewLog(td)
    if td.task == "multilabel":
        log.record(0, "wrong", label="b", time=1.5)
        log.record(3, "correct", label=0, time=2.5, decision_id="page-7")
    else:
        log.record(0, "wrong", 1, time=1.5)
        log.record(3, "correct", time=2.5, decision_id="page-7")
    log.record(5, "remove", time=3.5)
    messages = log.to_messages()
    assert [m["index"] for m in messages] == [0, 3, 5]
    assert messages[1]["decision_id"] == "page-7"
    assert messages[0]["decision_id"].startswith("py-") and messages[0]["time"] == 1500.0
    copy = ReviewLog(td)
    result = copy.apply_messages(messages)
    assert result.errors == [] and len(result.recorded) == 3
    pd.testing.assert_frame_equal(copy.to_dataframe(), log.to_dataframe())
    assert copy.apply_messages(messages).duplicates == 3


@pytest.mark.parametrize("container", ["frame", "dataset"])
@pytest.mark.parametrize("make", [binary_run, multiclass_run, multilabel_run])
def test_apply_corrections_agrees_with_corrected_labels(make, container):
    td = make()
    log = ReviewLog(td)
    if td.task == "multilabel":
        log.record(0, "wrong", label="c")
        log.record(2, "wrong", label="a")
        gold = [
            np.flatnonzero(row).tolist()
            for row in np.stack([td.gold(label=j) for j in range(3)], axis=1)
        ]
    else:
        log.record(0, "wrong", 1 if td.task == "binary" else "bird")
        log.record(2, "correct")
        gold = td.gold().tolist()
    log.record(4, "remove")
    data = {"text": [f"t{i}" for i in range(6)], "label": gold}
    if container == "frame":
        out = apply_corrections(pd.DataFrame(data), log)
        got = out["label"].tolist()
        assert out.index.tolist() == [0, 1, 2, 3, 5]
    else:
        out = apply_corrections(datasets.Dataset.from_dict(data), log)
        got = out["label"][:]
        assert out["text"][:] == ["t0", "t1", "t2", "t3", "t5"]
    expected = log.corrected_labels()
    if td.task == "multilabel":
        expected = [np.flatnonzero(row).tolist() for row in expected.to_numpy()]
    else:
        expected = expected.tolist()
    assert got == expected
    assert got[0] != gold[0]


@pytest.mark.parametrize(
    "ids", [[f"ex-{i}" for i in range(6)], np.arange(100, 106, dtype=np.int32)]
)
def test_resume_keeps_string_and_narrow_int_ids(tmp_path, ids):
    run = tmp_path / "run"
    log = ReviewLog(multiclass_run(ids=ids, path=run), path=run)
    log.record(ids[2], "wrong", "cat")
    log.record(ids[5], "remove")
    resumed = ReviewLog(multiclass_run(ids=ids, path=run), path=run)
    pd.testing.assert_frame_equal(resumed.to_dataframe(), log.to_dataframe())
    assert resumed.to_dataframe().index.dtype == log.to_dataframe().index.dtype
    assert resumed.corrected_labels().index.tolist() == [ids[i] for i in (0, 1, 2, 3, 4)]
