"""Multilabel data get a control that picks the label whose map is shown;
multiclass data get the predicted class's name in the panel."""

import numpy as np
import pytest
from dmw import MapView, assert_close_positions

pytestmark = pytest.mark.browser

LABELS = ["joy", "anger", "gratitude"]
COLS = "[['variability','confidence','correctness']].to_numpy().tolist()"


def python_map(nb, label) -> np.ndarray:
    return np.asarray(nb.py(f"w.dynamics.metrics(label={label!r}){COLS}"), dtype=np.float32)


def test_label_select_switches_the_map(wnb):
    view = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(5)\n"
            "N = 240\n"
            f"names = {LABELS!r}\n"
            "gold = [sorted(set(rng.choice(3, rng.integers(1, 3), replace=False).tolist())) for _ in range(N)]\n"
            "w = DataMapWidget(texts=[f'm{i}' for i in range(N)], labels=gold, label_names=names,\n"
            "                  task='multilabel')\n"
            "for _ in range(3):\n"
            "    w.log_epoch(rng.uniform(0.01, 0.99, (N, 3)))\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 3 / 3")
    select = view.part(".dmw-label-select")
    options = select.evaluate("s => Array.from(s.options).map(o => o.textContent)")
    assert options == LABELS
    assert select.input_value() == "joy"
    assert_close_positions(view.positions(), python_map(wnb, "joy"), "map of joy")
    before = view.positions()

    select.select_option("gratitude")
    want = python_map(wnb, "gratitude")
    assert not np.allclose(before, want), "test data error: the two labels' maps coincide"
    view.wait_for(
        "(() => { const p = h.positions(); return Math.abs(p.y[0] - arg) < 1e-5; })()",
        float(want[0, 1]),
        timeout=15,
    )
    assert_close_positions(view.positions(), want, "map of gratitude")
    assert wnb.py("w.label") == "gratitude"
    view.wait_epoch_text("Epoch 3 / 3")
    view.shot("gratitude-map")

    # Panel of a multilabel example lists all its gold labels.
    i = int(np.argmax(want[:, 0]))  # the most variable point: on the right, isolated enough
    gold = wnb.py(f"gold[{i}]")
    view.wait_transition_done(after=0)
    x, y = view.client_xy(i)
    wnb.page.mouse.click(x, y)
    view.wait_for("h.selectedIndex() !== null", timeout=5)
    j = view.selected_index()
    gold = wnb.py(f"[names[k] for k in gold[{j}]]")
    assert view.text_of(".dmw-gold").strip() == ", ".join(gold)
    assert view.text_of(".dmw-text") == f"m{j}"


def test_multiclass_panel_names_predicted_class(wnb):
    classes = ["sadness", "joy", "love", "anger"]
    view = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(11)\n"
            "N = 150\n"
            f"classes = {classes!r}\n"
            "gold = rng.integers(0, 4, N)\n"
            "w = DataMapWidget(texts=[f'c{i}' for i in range(N)], labels=gold, label_names=classes)\n"
            "for _ in range(3):\n"
            "    logits = rng.normal(0, 2, (N, 4))\n"
            "    w.log_epoch(logits, logits=True)\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_transition_done(after=0)
    assert wnb.py("w.dynamics.task") == "multiclass"
    pos = view.positions()
    i = int(np.argmax(pos[:, 0]))
    x, y = view.client_xy(i)
    wnb.page.mouse.click(x, y)
    view.wait_for("h.selectedIndex() !== null", timeout=5)
    j = view.selected_index()
    pred = wnb.py(f"classes[int(w.dynamics.predictions()[-1][{j}])]")
    gold = wnb.py(f"classes[int(gold[{j}])]")
    assert view.text_of(".dmw-pred").split(" (")[0].strip() == pred
    assert view.text_of(".dmw-gold").strip() == gold
    view.shot("multiclass-panel")
