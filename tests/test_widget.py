"""Python-side tests of DataMapWidget: synced traits, one message per epoch, argument errors."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from _recording import attach_recorder

from datamap_widget import DataMapWidget, TrainingDynamics, _sync
from datamap_widget._sync import read_array


def binary_setup(n=50, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    texts = [f"example {i} — ünïcode <b>{i}</b>" for i in range(n)]
    return rng, labels, texts


def reference_p_gold(labels, p1):
    """p(gold) for a binary task, written out the slow obvious way."""
    return np.array([p if g == 1 else 1.0 - p for g, p in zip(labels, p1)], dtype=np.float32)


def request_history(w, first=1, stop=None):
    """Ask the widget for epochs first..stop-1 as a page does; return the answering messages."""
    comm = attach_recorder(w)
    stop = w.n_epochs + 1 if stop is None else stop
    w._on_page_msg(
        w, {"type": "request_epochs", "label": w.label, "first": first, "stop": stop}, []
    )
    return [(data["content"], buffers) for data, buffers in comm.messages]


def decoded_history(w):
    """(p_gold, pred, correct) (E, N) arrays as a page rebuilds them from the kernel's answers."""
    rows = {name: [] for name in ("p_gold", "pred", "correct")}
    expected = 1
    for content, buffers in request_history(w):
        assert content["type"] == "epochs" and content["first"] == expected
        for name in rows:
            rows[name].append(read_array(content[name], buffers))
        expected += rows["p_gold"][-1].shape[0]
    assert expected == w.n_epochs + 1
    p_gold, pred, correct = (np.concatenate(rows[k]) for k in ("p_gold", "pred", "correct"))
    return p_gold, pred, correct.astype(bool)


# --------------------------------------------------------------------------- traits
def test_initial_traits_binary():
    _, labels, texts = binary_setup()
    w = DataMapWidget(texts=texts, labels=labels, label_names=["other", "gratitude"])
    assert w.n_examples == 50
    assert w.n_epochs == 0
    assert w._epoch == {}
    assert w.renderer == "svg"
    assert w.label == ""
    assert w._meta["task"] == "binary"
    assert w._meta["class_names"] == ["other", "gratitude"]
    assert w._meta["variability_threshold"] == pytest.approx(0.2)
    assert w._meta["confidence_threshold"] == pytest.approx(0.5)
    assert np.array_equal(np.frombuffer(w._gold, "<u2"), labels)
    assert isinstance(w.dynamics, TrainingDynamics)
    assert w.dynamics.n_examples == 50
    assert w._ids == b""  # default ids 0..N-1 are not sent


def test_texts_are_packed_losslessly():
    _, labels, texts = binary_setup()
    w = DataMapWidget(texts=texts, labels=labels)
    offsets = np.frombuffer(w._text_offsets, "<u4")
    assert len(offsets) == len(texts) + 1
    decoded = [w._texts[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(texts))]
    assert decoded == texts


def test_renderer_auto_switches_to_webgl_above_threshold():
    small = DataMapWidget(labels=np.zeros(2000, dtype=int))
    big = DataMapWidget(labels=np.zeros(2001, dtype=int))
    forced = DataMapWidget(labels=np.zeros(10, dtype=int), renderer="gl")
    assert small.renderer == "svg"
    assert big.renderer == "gl"
    assert forced.renderer == "gl"
    assert type(big._parts["points"]).__name__ == "ScatterGL"
    assert type(small._parts["points"]).__name__ == "Scatter"


def test_map_figure_has_fixed_axes_and_region_guides():
    w = DataMapWidget(labels=np.zeros(10, dtype=int))
    fig = w._parts["map"]
    scales = w._parts["points"].scales
    assert (scales["x"].min, scales["x"].max) == (0.0, 0.5)
    assert (scales["y"].min, scales["y"].max) == (0.0, 1.0)
    assert (scales["color"].min, scales["color"].max) == (0.0, 1.0)
    assert fig.animation_duration == 500
    labels = [a.label for a in fig.axes]
    assert labels == ["variability", "confidence", "correctness"]
    texts = [list(m.text) for m in fig.marks if type(m).__name__ == "Label"]
    assert texts == [["easy-to-learn", "ambiguous", "hard-to-learn"]]


# --------------------------------------------------------------------------- epochs
def test_each_epoch_is_one_message_of_constant_size(monkeypatch):
    """Append-only: epoch 1 and epoch 7 cost the same bytes (N x (4 + 1 + 1 + 4)), whatever came before."""
    monkeypatch.setattr("datamap_widget.widget.SCORE_BUDGET_MS", 1e9)  # score recomputed each epoch
    rng, labels, texts = binary_setup()
    w = DataMapWidget(texts=texts, labels=labels)
    comm = attach_recorder(w)
    outputs = [rng.random(len(labels)) for _ in range(7)]
    for epoch, p1 in enumerate(outputs, start=1):
        before = len(comm.messages)
        w.log_epoch(p1)
        new = comm.messages[before:]
        assert len(new) == 1, f"epoch {epoch} sent {len(new)} messages"
        data, buffers = new[0]
        assert data["method"] == "update"
        assert data["state"]["n_epochs"] == epoch
        assert data["state"]["_epoch"]["epoch"] == epoch
        assert sorted(map(tuple, data["buffer_paths"])) == [
            ("_epoch", "correct", "buffer"),
            ("_epoch", "p_gold", "buffer"),
            ("_epoch", "pred", "buffer"),
            ("_epoch", "score", "buffer"),
        ]
        # p_gold f32 + pred u8 + correct u8 + label-issue score f32 per point
        assert sum(len(memoryview(b).cast("B")) for b in buffers) == len(labels) * 10
        score = np.frombuffer(
            bytes(buffers[data["buffer_paths"].index(["_epoch", "score", "buffer"])]), "<f4"
        )
        want = w.dynamics.label_issues()["score"].reindex(w.dynamics.ids).to_numpy(np.float32)
        assert np.allclose(score, want, atol=1e-6)
        # self-describing arrays: dtype and shape travel with each buffer
        sent = data["state"]["_epoch"]
        assert (sent["p_gold"]["dtype"], sent["p_gold"]["shape"]) == ("float32", [1, len(labels)])
        assert (sent["pred"]["dtype"], sent["correct"]["dtype"]) == ("uint8", "uint8")
        p = np.frombuffer(
            bytes(buffers[data["buffer_paths"].index(["_epoch", "p_gold", "buffer"])]), "<f4"
        )
        assert np.allclose(p, reference_p_gold(labels, p1), atol=1e-6)

    p_gold, pred, correct = decoded_history(w)
    for e, p1 in enumerate(outputs):
        assert np.allclose(p_gold[e], reference_p_gold(labels, p1), atol=1e-6)
        assert np.array_equal(pred[e], (p1 >= 0.5).astype(int))
        assert np.array_equal(correct[e], (p1 >= 0.5).astype(int) == labels)


def test_batches_then_end_epoch_is_one_message():
    rng, labels, texts = binary_setup()
    w = DataMapWidget(texts=texts, labels=labels, ids=[f"id{i}" for i in range(50)])
    comm = attach_recorder(w)
    p1 = rng.random(50)
    order = rng.permutation(50)
    for chunk in np.array_split(order, 5):
        w.log_batch([f"id{i}" for i in chunk], p1[chunk])
    assert comm.messages == []
    w.end_epoch()
    assert len(comm.messages) == 1
    p_gold, _, _ = decoded_history(w)
    assert np.allclose(p_gold[0], reference_p_gold(labels, p1), atol=1e-6)


def test_epochs_logged_on_shared_dynamics_reach_the_widget():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 40)
    td = TrainingDynamics(labels, label_names=["a", "b", "c"])
    w = DataMapWidget(dynamics=td)
    comm = attach_recorder(w)
    probs = rng.dirichlet(np.ones(3), size=40)
    td.log_epoch(probs)
    assert len(comm.messages) == 1 and w.n_epochs == 1
    p_gold, pred, _correct = decoded_history(w)
    assert np.allclose(p_gold[0], probs[np.arange(40), labels], atol=1e-6)
    assert np.array_equal(pred[0], probs.argmax(1))
    assert w._meta["class_names"] == ["a", "b", "c"]


def test_reloaded_page_gets_the_newest_epoch_in_state_and_asks_for_the_rest(monkeypatch):
    """A reloaded page only has the synced state (the newest epoch) and asks for the others."""
    rng, labels, texts = binary_setup()
    w = DataMapWidget(texts=texts, labels=labels)
    for _ in range(5):
        w.log_epoch(rng.random(50))
    state = w.get_state()
    assert state["n_epochs"] == 5 and state["_epoch"]["epoch"] == 5
    assert np.allclose(
        read_array(state["_epoch"]["p_gold"])[0], w.dynamics.gold_probabilities()[-1]
    )
    monkeypatch.setattr(_sync, "CHUNK_BYTES", 2 * 50 * 6)  # two epochs per answer
    answers = request_history(w, first=1, stop=5)
    assert [(c["first"], read_array(c["p_gold"], b).shape[0]) for c, b in answers] == [
        (1, 2),
        (3, 2),
    ]
    p_gold, pred, correct = decoded_history(w)
    assert np.allclose(p_gold, w.dynamics.gold_probabilities(), atol=1e-7)
    assert np.array_equal(pred, w.dynamics.predictions())
    assert np.array_equal(correct, w.dynamics.correct())


def test_history_requests_for_another_label_or_garbage_are_ignored():
    rng, multi_hot = multilabel_setup()
    w = DataMapWidget(labels=multi_hot, label_names=["a", "b", "c"], label="b")
    w.log_epoch(rng.random((30, 3)))
    comm = attach_recorder(w)
    w._on_page_msg(w, {"type": "request_epochs", "label": "a", "first": 1, "stop": 2}, [])
    w._on_page_msg(w, "not a dict", [])
    w._on_page_msg(w, {"type": "something else"}, [])
    assert comm.messages == []


def test_newest_epoch_fast_path_equals_the_full_stack():
    rng, multi_hot = multilabel_setup()
    td = TrainingDynamics(multi_hot, label_names=["a", "b", "c"])
    for _ in range(3):
        td.log_epoch(rng.random((30, 3)))
    fast = _sync.epoch_arrays(td, "c", 2, 3, "uint8")
    slow = {
        "p_gold": td.gold_probabilities(label="c")[2:],
        "pred": td.predictions(label="c")[2:],
        "correct": td.correct(label="c")[2:],
    }
    for name in slow:
        assert fast[name].shape == (1, 30)
        assert np.array_equal(fast[name], slow[name].astype(fast[name].dtype)), name
    labels = rng.integers(0, 4, 30)
    td = TrainingDynamics(labels)
    td.log_epoch(rng.dirichlet(np.ones(4), size=30))
    td.log_epoch(rng.dirichlet(np.ones(4), size=30))
    fast = _sync.epoch_arrays(td, None, 1, 2, "uint8")
    assert np.array_equal(fast["pred"][0], td.predictions()[1])
    assert np.array_equal(fast["correct"][0], td.correct()[1])


def test_wrong_output_shape_raises_and_records_nothing():
    rng, labels, texts = binary_setup()
    w = DataMapWidget(texts=texts, labels=labels)
    comm = attach_recorder(w)
    with pytest.raises(ValueError):
        w.log_epoch(rng.random(49))
    with pytest.raises(ValueError):
        w.log_epoch(rng.random((50, 3)))
    assert w.n_epochs == 0 and w.dynamics.n_epochs == 0
    assert comm.messages == []


def test_listener_failure_warns_and_training_continues(monkeypatch):
    rng, labels, _ = binary_setup()
    w = DataMapWidget(labels=labels)

    def broken(*args, **kwargs):
        raise RuntimeError("packing exploded")

    monkeypatch.setattr("datamap_widget.widget.epoch_arrays", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w.log_epoch(rng.random(50))
    assert w.dynamics.n_epochs == 1
    assert any("packing exploded" in str(c.message) for c in caught)


def test_logging_works_without_any_frontend():
    script = (
        "import numpy as np, warnings\n"
        "warnings.simplefilter('error', RuntimeWarning)\n"
        "from datamap_widget import DataMapWidget\n"
        "rng = np.random.default_rng(0)\n"
        "w = DataMapWidget(texts=['a'] * 30, labels=rng.integers(0, 2, 30))\n"
        "for _ in range(3):\n"
        "    w.log_epoch(rng.random(30))\n"
        "print(w.n_epochs, w.dynamics.n_epochs)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "3"]


# --------------------------------------------------------------------------- multilabel / images
def multilabel_setup(n=30, seed=2):
    rng = np.random.default_rng(seed)
    multi_hot = (rng.random((n, 3)) < 0.4).astype(int)
    return rng, multi_hot


def test_multilabel_label_switch_repacks_in_one_message():
    rng, multi_hot = multilabel_setup()
    w = DataMapWidget(
        texts=["t"] * 30,
        labels=multi_hot,
        label_names=["joy", "gratitude", "anger"],
        label="gratitude",
    )
    assert w.label == "gratitude"
    assert w._meta["class_names"] == ["not gratitude", "gratitude"]
    assert w._meta["label_names"] == ["joy", "gratitude", "anger"]
    assert np.array_equal(np.frombuffer(w._gold_sets, np.uint8).reshape(30, 3), multi_hot)
    probs = rng.random((30, 3))
    w.log_epoch(probs)
    comm = attach_recorder(w)
    w.label = "anger"
    assert len(comm.messages) == 1
    data, _ = comm.messages[0]
    assert {"_epoch", "_gold", "_meta"} <= set(data["state"]) | {p[0] for p in data["buffer_paths"]}
    assert data["state"]["_epoch"]["label"] == "anger" and data["state"]["_epoch"]["epoch"] == 1
    p_gold, _, _ = decoded_history(w)
    expected = np.where(multi_hot[:, 2] == 1, probs[:, 2], 1 - probs[:, 2])
    assert np.allclose(p_gold[0], expected, atol=1e-6)
    assert np.array_equal(np.frombuffer(w._gold, "<u2"), multi_hot[:, 2])


def test_multilabel_unknown_label_rejected():
    _, multi_hot = multilabel_setup()
    with pytest.raises(ValueError, match="unknown label"):
        DataMapWidget(labels=multi_hot, label_names=["a", "b", "c"], label="zzz")
    w = DataMapWidget(labels=multi_hot, label_names=["a", "b", "c"])
    assert w.label == "a"
    with pytest.raises(Exception, match="unknown label"):
        w.label = "zzz"
    assert w.label == "a"


def test_images_are_scaled_to_uint8():
    rng = np.random.default_rng(3)
    images = rng.random((20, 64)) * 16.0  # sklearn digits style: flat 8x8 floats 0..16
    w = DataMapWidget(images=images, labels=rng.integers(0, 10, 20))
    assert w._image_shape == [8, 8]
    packed = np.frombuffer(w._images, np.uint8).reshape(20, 8, 8)
    expected = np.rint((images - images.min()) / (images.max() - images.min()) * 255).reshape(
        20, 8, 8
    )
    assert np.array_equal(packed, expected.astype(np.uint8))
    assert w._texts == b""


# --------------------------------------------------------------------------- inputs
def test_dataframe_and_dataset_inputs():
    datasets = pytest.importorskip("datasets")
    frame = pd.DataFrame(
        {"text": ["a", "b", "c", "d"], "label": [0, 1, 1, 0], "key": [10, 11, 12, 13]}
    )
    from_frame = DataMapWidget(frame, id_column="key", label_names=["no", "yes"])
    assert list(from_frame.dynamics.ids) == [10, 11, 12, 13]
    from_ds = DataMapWidget(datasets.Dataset.from_pandas(frame), label_names=["no", "yes"])
    for w in (from_frame, from_ds):
        offsets = np.frombuffer(w._text_offsets, "<u4")
        assert w._texts[offsets[2] : offsets[3]] == b"c"
        assert np.array_equal(np.frombuffer(w._gold, "<u2"), [0, 1, 1, 0])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(texts=["a", "b"], labels=[0, 1, 1]), ValueError, "texts has 2 entries"),
        (dict(texts="abc", labels=[0, 1, 1]), TypeError, "sequence of strings"),
        (dict(labels=[0, 1, 1], images=np.zeros((2, 4, 4))), ValueError, "images has 2 entries"),
        (dict(labels=[0, 1, 1], images=np.zeros((3, 5))), ValueError, "not a square"),
        (dict(labels=[0, 1, 1], renderer="canvas"), ValueError, "renderer must be one of"),
        (dict(labels=[0, 1, 1], label="x"), TypeError, "multilabel"),
        (dict(texts=["a", "b", "c"]), TypeError, "needs the gold labels"),
        (dict(labels=[0, 1, 1], ids=[1, 2]), ValueError, "ids has 2 entries"),
    ],
)
def test_bad_arguments_raise_before_anything_is_created(kwargs, error, match):
    with pytest.raises(error, match=match):
        DataMapWidget(**kwargs)


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        DataMapWidget(labels=[0, 1], colour="red")


def test_dataframe_missing_column_names_the_columns():
    frame = pd.DataFrame({"sentence": ["a", "b"], "label": [0, 1]})
    with pytest.raises(ValueError, match="columns are"):
        DataMapWidget(frame, text_column="text_col")
    with pytest.raises(ValueError, match="label column"):
        DataMapWidget(frame, label_column="gold")


def test_dynamics_and_labels_together_rejected():
    td = TrainingDynamics([0, 1, 0])
    with pytest.raises(TypeError, match="either dynamics"):
        DataMapWidget(dynamics=td, labels=[0, 1, 0])
    with pytest.raises(ValueError, match="texts has 2 entries"):
        DataMapWidget(dynamics=td, texts=["a", "b"])


# --------------------------------------------------------------------------- reading back
def test_selection_and_dataframes():
    rng, labels, texts = binary_setup()
    ids = [f"ex{i}" for i in range(50)]
    w = DataMapWidget(texts=texts, labels=labels, ids=ids, label_names=["other", "gratitude"])
    for _ in range(2):
        w.log_epoch(rng.random(50))
    frame = w.to_dataframe()
    assert list(frame.index) == ids
    assert list(frame["text"]) == texts
    assert list(frame["gold_label"]) == [["other", "gratitude"][g] for g in labels]
    assert np.allclose(frame["confidence"], w.dynamics.metrics()["confidence"])
    id_offsets = np.frombuffer(w._id_offsets, "<u4")
    assert w._ids[id_offsets[7] : id_offsets[8]] == b"ex7"  # custom ids reach the panel
    assert w.selected == []
    w._selected_index = [7]  # what a click in the page does
    assert w.selected == ["ex7"]
    pd.testing.assert_frame_equal(w.selected_df, frame.iloc[[7]])


def test_changed_thresholds_reach_the_page_with_the_next_epoch():
    rng, labels, _ = binary_setup()
    w = DataMapWidget(labels=labels)
    w.dynamics.variability_threshold = 0.3
    w.log_epoch(rng.random(50))
    assert w._meta["variability_threshold"] == pytest.approx(0.3)
    assert list(w._parts["guides"].x[0]) == pytest.approx([0.3, 0.3])


def test_close_detaches_from_dynamics():
    rng, labels, _ = binary_setup()
    td = TrainingDynamics(labels)
    w = DataMapWidget(dynamics=td)
    w.close()
    td.log_epoch(rng.random(50))  # must not touch the closed widget
    assert w.n_epochs == 0
