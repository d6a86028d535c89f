"""DataMapWidget(compare=other): the other run matched by id and reindexed to the shown run's
positions (NaN where it lacks an example), its epochs sent like the shown run's (the newest as
one compact message, older ones on request), both runs growing, compare_metrics, and clear
errors for runs that cannot be compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _recording import attach_recorder

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.widget._sync import read_array

NAMES = ["neg", "pos"]


def runs(n=30, extra=5, drop=4, epochs=3, seed=0):
    """A shown run on ids e0..e{n-1} and another without the first `drop` ids, plus `extra` new."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n + extra)
    main = TrainingDynamics(labels[:n], ids=[f"e{i}" for i in range(n)], label_names=NAMES)
    other_ids = [f"e{i}" for i in range(drop, n + extra)]
    other = TrainingDynamics(labels[drop:], ids=other_ids, label_names=NAMES)
    for _ in range(epochs):
        main.log_epoch(rng.random(n))
        other.log_epoch(rng.random(n + extra - drop))
    return main, other, rng


def aligned(other, main, values):
    """(E, M) columns of `other` in `main`'s order, NaN where `other` lacks the id."""
    frame = pd.DataFrame(values.T, index=pd.Index(np.asarray(other.ids)))
    return frame.reindex(np.asarray(main.ids)).to_numpy().T


def test_first_state_holds_the_other_run_matched_by_id():
    main, other, _ = runs()
    w = DataMapWidget(dynamics=main, compare=other)
    info = w.get_state()["_compare_info"]
    assert info["names"] == ["this run", "other run"]
    assert (info["matched"], info["only_here"], info["only_there"]) == (26, 4, 5)
    assert info["only_there_ids"] == ["e30", "e31", "e32", "e33", "e34"]
    assert read_array(info["missing"]).tolist() == [0, 1, 2, 3]
    epoch = w._compare_epoch
    assert epoch["epoch"] == 3 and epoch["label"] == ""
    p = read_array(epoch["p_gold"])[0]
    want = aligned(other, main, other.gold_probabilities()[-1:])[0]
    assert np.isnan(p[:4]).all() and np.allclose(p[4:], want[4:], atol=1e-7)
    assert np.array_equal(read_array(epoch["correct"])[0][4:], other.correct()[-1][:26])
    gold = np.frombuffer(w._compare_gold, "<u2")
    assert gold[:4].tolist() == [65535] * 4 and np.array_equal(gold[4:], other.gold()[:26])
    assert "traj_other" in w._parts
    assert "traj_other" not in DataMapWidget(dynamics=main)._parts
    assert w.compare is other


def test_each_other_epoch_is_one_compact_message_and_the_history_comes_on_request():
    main, other, rng = runs(epochs=2)
    w = DataMapWidget(dynamics=main, compare=other)
    comm = attach_recorder(w)
    other.log_epoch(rng.random(31))
    assert len(comm.messages) == 1
    data, buffers = comm.messages[0]
    assert list(data["state"]) == ["_compare_epoch"]
    assert data["state"]["_compare_epoch"]["epoch"] == 3
    assert sum(memoryview(b).nbytes for b in buffers) == 30 * (4 + 1 + 1)  # as the shown run's
    comm.messages.clear()
    w._on_page_msg(
        w, {"type": "request_epochs", "run": "compare", "label": "", "first": 1, "stop": 4}, []
    )
    (content, buffers), *rest = [(m["content"], b) for m, b in comm.messages]
    assert rest == [] and content["type"] == "epochs" and content["run"] == "compare"
    assert content["first"] == 1
    p = read_array(content["p_gold"], buffers)
    want = aligned(other, main, other.gold_probabilities())
    assert p.shape == (3, 30) and np.isnan(p[:, :4]).all()
    assert np.allclose(p[:, 4:], want[:, 4:], atol=1e-7)
    pred = read_array(content["pred"], buffers)
    assert np.array_equal(pred[:, 4:], aligned(other, main, other.predictions())[:, 4:])
    # the shown run's own requests are answered as before (no "run")
    comm.messages.clear()
    w._on_page_msg(w, {"type": "request_epochs", "label": "", "first": 1, "stop": 3}, [])
    assert "run" not in comm.messages[0][0]["content"]
    # a broken request warns and never raises into the kernel's message loop
    comm.messages.clear()
    with pytest.warns(RuntimeWarning, match="compared run's history"):
        w._on_page_msg(w, {"type": "request_epochs", "run": "compare", "first": "x"}, [])
    assert comm.messages == []


def test_the_same_ids_in_the_same_order_travel_without_reindexing():
    labels = np.arange(20) % 2
    main = TrainingDynamics(labels, label_names=NAMES)
    ins = TrainingDynamics(labels, label_names=NAMES)
    main.in_sample = ins
    rng = np.random.default_rng(3)
    p = rng.random(20)
    ins.log_epoch(p)
    w = DataMapWidget(dynamics=main, compare=main.in_sample)
    assert w._compare_info["names"] == ["held-out", "in-sample"]
    assert w._compare_info["only_here"] == 0
    assert np.allclose(read_array(w._compare_epoch["p_gold"])[0], ins.gold_probabilities()[0])
    assert w._other.run.take is None  # positions are the same: nothing to reindex


def test_a_closed_widget_stops_following_the_other_run_and_a_new_one_takes_over():
    main, other, rng = runs()
    w1 = DataMapWidget(dynamics=main, compare=other)
    w2 = DataMapWidget(dynamics=main, compare=other)  # a re-run cell: takes over the listener
    comm1, comm2 = attach_recorder(w1), attach_recorder(w2)
    other.log_epoch(rng.random(31))
    assert comm1.messages == [] and len(comm2.messages) == 1
    w2.close()
    other.log_epoch(rng.random(31))
    assert len(comm2.messages) == 1


def test_compare_metrics_lists_both_runs_by_id():
    main, other, _ = runs()
    w = DataMapWidget(dynamics=main, compare=other, compare_names=("after", "before"))
    frame = w.compare_metrics()
    assert frame.index.tolist() == [f"e{i}" for i in range(35)]
    assert frame.index.name == "id" and frame.attrs["names"] == ["after", "before"]
    here, there = main.metrics(), other.metrics()
    assert np.allclose(frame.confidence[:30], here.confidence)
    assert np.allclose(frame.confidence_other[4:], there.confidence)
    assert frame.in_run.tolist() == [True] * 30 + [False] * 5
    assert frame.in_other_run.tolist() == [False] * 4 + [True] * 31
    shift = np.hypot(
        here.variability[4:] - there.variability[:26], here.confidence[4:] - there.confidence[:26]
    )
    assert np.allclose(frame.moved[4:30], shift) and frame.moved[:4].isna().all()
    assert frame.moved[30:].isna().all()
    assert np.allclose(
        w.compare_metrics(epochs=1).confidence[:30], main.metrics(epochs=1).confidence
    )
    with pytest.raises(ValueError, match="compares no runs"):
        DataMapWidget(dynamics=main).compare_metrics()


def test_multilabel_label_switch_sends_the_other_runs_label_too():
    rng = np.random.default_rng(2)
    gold = rng.integers(0, 2, (12, 3))
    names = ["a", "b", "c"]
    main = TrainingDynamics(gold, label_names=names, task="multilabel")
    other = TrainingDynamics(gold, label_names=names, task="multilabel")
    for _ in range(2):
        main.log_epoch(rng.random((12, 3)))
        other.log_epoch(rng.random((12, 3)))
    w = DataMapWidget(dynamics=main, compare=other)
    w.label = "c"
    assert w._compare_epoch["label"] == "c"
    want = other.gold_probabilities(label=2)[-1]
    assert np.allclose(read_array(w._compare_epoch["p_gold"])[0], want)
    assert np.frombuffer(w._compare_gold, "<u2").tolist() == gold[:, 2].tolist()


def test_runs_that_cannot_be_compared_are_refused_before_anything_is_shown(tmp_path):
    main, other, _ = runs()
    three = TrainingDynamics([0, 1, 2] * 10, ids=[f"e{i}" for i in range(30)])
    with pytest.raises(
        ValueError,
        match=r"same task .*\(compared vs shown\): task 'multiclass' vs 'binary'; 3 vs 2",
    ):
        DataMapWidget(dynamics=main, compare=three)
    renamed = TrainingDynamics(
        [0, 1] * 15, ids=[f"e{i}" for i in range(30)], label_names=["x", "y"]
    )
    with pytest.raises(ValueError, match=r"label names \['x', 'y'\] vs \['neg', 'pos'\]"):
        DataMapWidget(dynamics=main, compare=renamed)
    strangers = TrainingDynamics([0, 1] * 15, label_names=NAMES)
    with pytest.raises(ValueError, match="shares no example id.*\\[0, 1, 2\\].*'e0'"):
        DataMapWidget(dynamics=main, compare=strangers)
    with pytest.raises(ValueError, match="the shown run itself"):
        DataMapWidget(dynamics=main, compare=main)
    with pytest.raises(TypeError, match="compare= must be a TrainingDynamics"):
        DataMapWidget(dynamics=main, compare=[0.1, 0.2])
    with pytest.raises(FileNotFoundError, match="no saved run there"):
        DataMapWidget(dynamics=main, compare=tmp_path)
    with pytest.raises(ValueError, match="must name the two runs"):
        DataMapWidget(dynamics=main, compare=other, compare_names=["one"])


def test_compare_takes_a_saved_runs_folder(tmp_path):
    main, other, _ = runs()
    other.save(tmp_path / "before")
    w = DataMapWidget(dynamics=main, compare=tmp_path / "before")
    assert w._compare_info["names"] == ["this run", "before"]
    assert w.compare.n_epochs == 3
