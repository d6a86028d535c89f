"""Displaying the widget again, or reloading the page (the kernel keeps the
widget), shows the same epoch and map, and the views stay live."""

import numpy as np
import pytest

from dmw import MapView, assert_close_positions

pytestmark = pytest.mark.browser

COLS = "[['variability','confidence','correctness']].to_numpy().tolist()"


def test_second_display_and_reload_show_same_state(wnb):
    first = MapView.show(wnb, (
        "rng = np.random.default_rng(9)\n"
        "N = 300\n"
        "w = DataMapWidget(texts=[f'r{i}' for i in range(N)], labels=rng.integers(0, 2, N))\n"
        "for _ in range(3):\n"
        "    w.log_epoch(rng.uniform(0.01, 0.99, N))\n"
        "w"
    ))
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
