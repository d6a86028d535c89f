"""Displaying the widget again, or reloading the page (the kernel keeps the
widget), shows the same epoch and map, and the views stay live."""

import time

import numpy as np
import pytest
from dmw import MapView, assert_close_positions

pytestmark = pytest.mark.browser

COLS = "[['variability','confidence','correctness']].to_numpy().tolist()"


def test_second_display_and_reload_show_same_state(wnb):
    first = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(9)\n"
            "N = 300\n"
            "w = DataMapWidget(texts=[f'r{i}' for i in range(N)], labels=rng.integers(0, 2, N))\n"
            "for _ in range(3):\n"
            "    w.log_epoch(rng.uniform(0.01, 0.99, N))\n"
            "w"
        ),
    )
    first.wait_epoch_text("Epoch 3 / 3")
    want = np.asarray(wnb.py(f"w.dynamics.metrics(){COLS}"), dtype=np.float32)

    second = MapView.show(wnb, "w")
    second.wait_epoch_text("Epoch 3 / 3")
    assert_close_positions(second.positions(), want, "second display")
    second.wait_painted(3)
    second.shot("second-display")

    wnb.execute("w.log_epoch(rng.uniform(0.01, 0.99, N))")
    first.wait_epoch_text("Epoch 4 / 4")
    second.wait_epoch_text("Epoch 4 / 4")
    want = np.asarray(wnb.py(f"w.dynamics.metrics(){COLS}"), dtype=np.float32)

    wnb.save()
    wnb.reload()
    views = []
    for k in range(2):
        v = MapView.nth(wnb, k, timeout=60)
        v.wait_epoch_text("Epoch 4 / 4")
        assert_close_positions(v.positions(), want, f"view {k} after reload")
        v.wait_painted(4)
        views.append(v)
    views[0].shot("after-reload")
    # Still live after the reload.
    wnb.execute("w.log_epoch(rng.uniform(0.01, 0.99, N))")
    for v in views:
        v.wait_epoch_text("Epoch 5 / 5")


def test_reload_while_a_cell_runs_restores_the_history(wnb):
    """A page reloaded mid-training gets only the newest epoch with the widget state; it asks the
    kernel for the others (answered when the kernel can: during the cell or after it) and ends on
    the full, correct map of the newest epoch."""
    first = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(9)\n"
            "N = 300\n"
            "w = DataMapWidget(texts=[f'r{i}' for i in range(N)], labels=rng.integers(0, 2, N))\n"
            "for _ in range(3):\n"
            "    w.log_epoch(rng.uniform(0.01, 0.99, N))\n"
            "w"
        ),
    )
    first.wait_epoch_text("Epoch 3 / 3")
    wnb.save()
    loop = wnb.run_nowait(
        "time.sleep(1.0)\nw.log_epoch(rng.uniform(0.01, 0.99, N))\n"
        "time.sleep(6.0)\nw.log_epoch(rng.uniform(0.01, 0.99, N))\n"
    )
    first.wait_epoch_text("Epoch 4 / 4", timeout=20)
    wnb.reload()
    view = MapView.nth(wnb, 0, timeout=90)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = view.epoch_text()
        if not seen or seen[-1][0] != text:
            seen.append((text, loop.running()))
        if text == "Epoch 5 / 5" and not loop.running():
            break
        time.sleep(0.1)
    assert seen[-1][0] == "Epoch 5 / 5", f"epoch counter after the reload: {seen}"
    assert all(t.startswith(("Loading", "Epoch")) for t, _ in seen), seen
    want = np.asarray(wnb.py(f"w.dynamics.metrics(){COLS}"), dtype=np.float32)
    assert_close_positions(view.positions(), want, "newest epoch after the reload")
    view.replay(2)
    view.wait_epoch_text("Epoch 2 / 5")
    assert_close_positions(
        view.positions(),
        np.asarray(wnb.py(f"w.dynamics.metrics(epochs=2){COLS}"), dtype=np.float32),
        "replayed epoch 2",
    )
    print(f"after the reload the counter read (text, cell running): {seen}")
