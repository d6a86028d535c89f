"""The page keeps up with training: epochs logged faster than a transition lasts are coalesced
(the map goes straight to the newest epoch, and no stale transition runs after it), and clicks
keep selecting points while the map is moving."""

import time

import numpy as np
import pytest
from dmw import MapView, assert_close_positions
from test_widget_click import CLICK_DATA, NAMES, isolated_point, text_of

pytestmark = pytest.mark.browser

COLS = "[['variability','confidence','correctness']].to_numpy().tolist()"


@pytest.mark.parametrize("renderer,n", [("svg", 500), ("gl", 5000)], ids=["svg", "gl"])
def test_fast_epochs_coalesce_to_the_newest(wnb, renderer, n):
    view = MapView.show(
        wnb, CLICK_DATA.format(n=n, names=NAMES, renderer=renderer, epochs=1), timeout=90
    )
    view.wait_epoch_text("Epoch 1 / 1")
    view.wait_transition_done(after=0)
    begun_before = len(view.transitions_begun())
    # Five epochs 80 ms apart: far faster than one 500 ms transition.
    wnb.run("for _ in range(5):\n    w.log_epoch(epoch_probs())\n    time.sleep(0.08)\n")
    view.wait_epoch_text("Epoch 6 / 6", timeout=30)
    wnb.page.wait_for_timeout(2500)  # long enough for any queued transition to show up
    begun = view.transitions_begun()[begun_before:]
    assert begun, "no transition at all after the new epochs"
    assert begun[-1] == 6, f"the map did not end on the newest epoch: transitions {begun}"
    assert begun == sorted(begun), f"an older epoch was shown after a newer one: {begun}"
    assert len(begun) < 5, f"every epoch got its own transition (no coalescing): {begun}"
    assert not view.call("h.animating()")
    want = np.asarray(wnb.py(f"w.dynamics.metrics(){COLS}"), dtype=np.float32)
    assert_close_positions(view.positions(), want, "map after the burst")
    print(f"{renderer}: 5 epochs logged 80 ms apart -> transitions to epochs {begun}")


@pytest.mark.parametrize("renderer,n", [("svg", 500), ("gl", 3000)], ids=["svg", "gl"])
def test_click_selects_during_a_transition(wnb, renderer, n):
    view = MapView.show(
        wnb, CLICK_DATA.format(n=n, names=NAMES, renderer=renderer, epochs=3), timeout=90
    )
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_transition_done(after=0)
    # A slow (10 s) transition, so that the click surely lands while the points move.
    wnb.run("w._parts['map'].animation_duration = 10000\nw.log_epoch(epoch_probs())")
    view.wait_for("h.shownEpoch() === 4 && h.animating()", timeout=10, polling=10)
    # Picking uses the positions the map is moving to; the click lands on the target place.
    i = isolated_point(view)
    x, y = view.client_xy(i)
    moving = view.call("h.animating()")
    t0 = time.monotonic()
    wnb.page.mouse.click(x, y)
    view.wait_for(
        "h.el.querySelector('.dmw-text').textContent === arg", text_of(i), timeout=5, polling=10
    )
    latency = time.monotonic() - t0
    assert view.selected_index() == i
    assert view.call("h.animating()"), "the transition ended before the panel answered"
    print(f"{renderer}: click while animating={moving} answered in {latency * 1000:.0f} ms")
    assert moving, "the map had stopped moving before the click: the test did not test a transition"
