"""The slider / play control scrub the map to any logged epoch (animating);
while not replaying, the map follows the newest epoch."""

import time

import numpy as np
import pytest
from dmw import MapView, assert_close_positions

pytestmark = pytest.mark.browser

REPLAY_DATA = """
rng = np.random.default_rng(3)
N = 200
labels = rng.integers(0, 2, N)
w = DataMapWidget(texts=[f't{i}' for i in range(N)], labels=labels)
def epoch_probs():
    return rng.uniform(0.01, 0.99, N)
for _ in range(5):
    w.log_epoch(epoch_probs())
w
"""

COLS = "[['variability','confidence','correctness']].to_numpy().tolist()"


def python_map(nb, epochs=None) -> np.ndarray:
    arg = "" if epochs is None else f"epochs={epochs}"
    return np.asarray(nb.py(f"w.dynamics.metrics({arg}){COLS}"), dtype=np.float32)


def test_slider_scrubs_and_newest_is_followed(wnb):
    view = MapView.show(wnb, REPLAY_DATA)
    view.wait_epoch_text("Epoch 5 / 5")
    view.wait_transition_done(after=0)
    slider = view.part(".dmw-replay")
    assert slider.get_attribute("type") == "range"
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("1", "5")

    t0 = view.now()
    slider.fill("2")
    view.wait_epoch_text("Epoch 2 / 5")
    assert view.shown_epoch() == 2
    transition = view.wait_transition_done(after=t0)
    assert transition["frames"] >= 2, f"scrubbing jumped instead of animating: {transition}"
    assert_close_positions(view.positions(), python_map(wnb, 2), "map at epoch 2")
    view.shot("replay-epoch-2")

    # A new epoch while scrubbed back: it is counted, the scrubbed epoch stays on screen.
    wnb.execute("w.log_epoch(epoch_probs())")
    view.wait_epoch_text("Epoch 2 / 6")
    assert slider.get_attribute("max") == "6"
    assert_close_positions(view.positions(), python_map(wnb, 2), "still epoch 2")

    # Back to the newest: the map follows new epochs again.
    slider.fill("6")
    view.wait_epoch_text("Epoch 6 / 6")
    wnb.execute("w.log_epoch(epoch_probs())")
    view.wait_epoch_text("Epoch 7 / 7")
    assert_close_positions(view.positions(), python_map(wnb), "newest epoch 7")

    view.replay(3)
    view.wait_epoch_text("Epoch 3 / 7")
    assert_close_positions(view.positions(), python_map(wnb, 3), "handle replay(3)")


def test_play_button_walks_through_epochs(wnb):
    view = MapView.show(wnb, REPLAY_DATA)
    view.wait_epoch_text("Epoch 5 / 5")
    view.replay(1)
    view.wait_epoch_text("Epoch 1 / 5")
    view.part(".dmw-play").click()
    seen = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        k = view.shown_epoch()
        if not seen or seen[-1] != k:
            seen.append(k)
        if k == 5:
            break
        time.sleep(0.05)
    assert seen == [1, 2, 3, 4, 5], f"play showed epochs {seen}"
    view.wait_epoch_text("Epoch 5 / 5")
    assert_close_positions(view.positions(), python_map(wnb), "after play")
    # At the newest again, live epochs are followed.
    wnb.execute("w.log_epoch(epoch_probs())")
    view.wait_epoch_text("Epoch 6 / 6")
