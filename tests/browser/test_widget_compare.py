"""Two runs side by side (`DataMapWidget(dynamics=..., compare=other)`), matched by id with a
partial overlap (100 examples only in the shown run, 50 only in the other, one relabelled): the
toggle draws the other run's map (exactly as Python computes it, examples it lacks not drawn),
the moved view draws the shifts, the panel shows both trajectories, the examples only one run
has are counted and selectable, and both runs grow while a training cell runs."""

import numpy as np
import pytest
from dmw import MapView
from test_widget_click import pixel_coords
from test_widget_select import drag, rect_for, wait_python_selected

pytestmark = pytest.mark.browser

COMPARE_DATA = """
from datamap_widget import TrainingDynamics
rng = np.random.default_rng(5)
N = {n}
labels = rng.integers(0, 2, N)
ids = [f'ex{{i}}' for i in range(N)]
texts = [f'text of example {{i}}' for i in range(N)]
after = TrainingDynamics(labels, ids=ids, label_names=['neg', 'pos'])
before_ids = ids[100:] + [f'new{{i}}' for i in range(50)]
before_labels = np.r_[labels[100:], rng.integers(0, 2, 50)]
before_labels[50] = 1 - before_labels[50]  # ex150 was relabelled while cleaning
before = TrainingDynamics(before_labels, ids=before_ids, label_names=['neg', 'pos'])
centre = rng.uniform(0.05, 0.95, N + 50)
def probs(run, shift=0.0):
    p = np.clip(centre + shift + rng.normal(0, 0.2, N + 50), 0.001, 0.999)
    return p[:N] if run is after else p[100:]
for _ in range({epochs}):
    after.log_epoch(probs(after))
    before.log_epoch(probs(before, -0.25))
w = DataMapWidget(dynamics=after, texts=texts, compare=before, compare_names=('after', 'before'),
                  renderer={renderer!r})
w
"""


def show(wnb, renderer, n=2000, epochs=3):
    view = MapView.show(wnb, COMPARE_DATA.format(n=n, renderer=renderer, epochs=epochs), timeout=90)
    view.wait_epoch_text(f"Epoch {epochs} / {epochs}")
    view.wait_painted(epochs)
    view.wait_transition_done(after=0)
    return view


def other_map(wnb) -> np.ndarray:
    """(N, 3) the compared run's map at its newest epoch, in the shown run's order (NaN: absent)."""
    rows = wnb.py(
        "w.compare_metrics().loc[ids, ['variability_other', 'confidence_other',"
        " 'correctness_other']].fillna(-1).to_numpy().tolist()"
    )
    out = np.asarray(rows, dtype=np.float32)
    out[out[:, 0] < 0] = np.nan
    return out


def set_mode(view: MapView, mode: str) -> None:
    """Click the map toggle; wait for the map to move when it draws another run."""
    before = view.call("h.compareMode()")
    t = view.now()
    view.part(f'.dmw-compare-mode[data-mode="{mode}"]').click()
    view.wait_for("h.compareMode() === arg", mode, timeout=5)
    if "other" in (before, mode):
        view.wait_transition_done(after=t, idle_ms=1200)


@pytest.mark.parametrize("renderer", ["svg", "gl"])
def test_toggle_partial_overlap_and_both_trajectories(wnb, renderer):
    n = 400 if renderer == "svg" else 2000
    view = show(wnb, renderer, n)
    counts = view.text_of(".dmw-compare-counts")
    assert f"{n - 100:,} examples in both" in counts
    assert "100 examples only in after" in counts
    assert "50 examples only in before" in counts and "new0" in counts
    main = view.positions()

    set_mode(view, "other")
    view.shot("other-run")
    got, want = view.positions(), other_map(wnb)
    absent = np.isnan(want[:, 0])
    assert absent.sum() == 100 and absent[:100].all()
    assert np.isnan(got[absent]).all(), "examples the other run lacks must have no place on it"
    assert np.allclose(got[~absent], want[~absent], atol=2e-5)
    assert not np.allclose(got[~absent], main[~absent], atol=1e-3)  # a different map
    assert view.call("h.clientXY(3)") is None or np.isnan(view.call("h.clientXY(3)")["x"])
    view.shot("other-run")

    # the panel: the current point on this map, the other run's place, both trajectories
    xy = pixel_coords(view, got[~absent])
    present = np.flatnonzero(~absent)
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    j = int(present[np.argmax(np.where(got[present, 1] < 0.97, d.min(axis=1), 0))])
    wnb.page.mouse.click(*view.client_xy(j))
    view.wait_for("h.selectedIndex() === arg", j, timeout=5)
    assert view.text_of(".dmw-confidence") == f"{want[j, 1]:.3f}"
    other_line = view.text_of(".dmw-other-run")
    assert other_line.startswith("epoch 3: confidence") and f"{main[j, 1]:.3f}" in other_line
    lines = view.call(
        "(() => { const p = h._internals.ctrl.parts;"
        " return [p.traj_line.get('y'), p.traj_other.get('y')].map((v) => Array.from(v)); })()"
    )
    here, there = wnb.py(
        f"[after.gold_probabilities()[:, {j}].tolist(),"
        f" before.gold_probabilities()[:, before.index_of(['ex{j}'])[0]].tolist()]"
    )
    assert np.allclose(lines[0], here, atol=1e-6) and np.allclose(lines[1], there, atol=1e-6)
    view.shot("panel-two-trajectories")

    # an example only the shown run has: on its own map, "not in before" in the panel
    set_mode(view, "main")
    view.call("h._internals.ctrl.select(arg)", 7)
    view.wait_for("h.selectedIndex() === 7", timeout=5)
    assert view.text_of(".dmw-other-run") == "not in before"
    assert view.part(".dmw-other-run").locator("xpath=..").inner_text().startswith("before")
    # the relabelled example names its gold in the other run
    view.call("h._internals.ctrl.select(arg)", 150)
    view.wait_for("h.selectedIndex() === 150", timeout=5)
    assert "gold in before:" in view.text_of(".dmw-other-run")

    # those only in the shown run: one click selects them (listed for review), Python agrees
    view.part(".dmw-compare-select-missing").click()
    view.wait_for("h.selection().length === 100", timeout=5)
    assert view.call("h.selection()") == list(range(100))
    wait_python_selected(wnb, [f"ex{i}" for i in range(100)])


def test_moved_view_draws_each_selected_shift_and_the_average_of_the_rest(wnb):
    view = show(wnb, "gl", 3000)
    main = view.positions()
    set_mode(view, "moved")
    view.wait_for("h.movedDrawn().cells > 20", timeout=5)
    assert view.positions().tolist() == main.tolist()  # the shown run's map, the shifts over it
    assert view.call("h.movedDrawn().arrows") == 0
    view.shot("moved-all")
    want = other_map(wnb)
    xy = pixel_coords(view, main)
    (x0, y0, x1, y1), inside = rect_for(xy, (0.4, 0.7), (0.4, 0.7))
    drag(wnb.page, (x0, y0), (x1, y1))
    view.wait_for("h.selection().length === arg", len(inside), timeout=5)
    both = [i for i in inside if not np.isnan(want[i, 0])]
    view.wait_for("h.movedDrawn().arrows === arg", len(both), timeout=5)
    assert view.call("h.movedDrawn().selected") == len(both)
    # each selected arrow is drawn: the moved layer has ink at its shaft's midpoint
    ax = np.polyfit(main[:, 0], xy[:, 0], 1)  # data -> client, fitted on the shown positions
    ay = np.polyfit(main[:, 1], xy[:, 1], 1)
    mids = []
    for i in both:
        sx, sy = np.polyval(ax, want[i, 0]), np.polyval(ay, want[i, 1])
        if np.hypot(xy[i, 0] - sx, xy[i, 1] - sy) >= 12:  # long enough to find its middle
            mids.append([(sx + xy[i, 0]) / 2, (sy + xy[i, 1]) / 2])
    ink = view.call(
        "(() => { const c = h.el.querySelector('.dmw-moved'); const r = c.getBoundingClientRect();"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " return arg.map(([x, y]) => { let a = 0;"
        "  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {"
        "   const px = Math.round(x - r.left) + dx, py = Math.round(y - r.top) + dy;"
        "   a = Math.max(a, d[4 * (py * c.width + px) + 3]); } return a; }); })()",
        mids,
    )
    seen = sum(a >= 60 for a in ink)
    assert len(mids) >= 20 and seen >= 0.95 * len(mids), f"{seen} of {len(mids)} arrows seen"
    view.shot("moved-selection")
    # back to the shown run: no arrows
    set_mode(view, "main")
    view.wait_for("h.movedDrawn().cells === 0", timeout=5)
    inked = view.call(
        "(() => { const c = h.el.querySelector('.dmw-moved');"
        " return c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
        ".filter((v, k) => k % 4 === 3 && v > 0).length; })()"
    )
    assert inked == 0


def test_both_runs_grow_while_training_and_a_late_view_fetches_the_other_history(wnb):
    view = show(wnb, "gl", 2000, epochs=2)
    set_mode(view, "other")
    loop = wnb.run_nowait(
        "for _ in range(3):\n"
        "    time.sleep(1.5)\n"
        "    after.log_epoch(probs(after))\n"
        "    before.log_epoch(probs(before, -0.25))\n"
        "time.sleep(2.0)\n"
        "print('TRAINING-FINISHED')\n"
    )
    view.wait_for("h.compareEpochs() === 5 && h.shownEpoch() === 5", timeout=20)
    assert loop.running() and wnb.kernel_status() == "busy", "the cell ended before the check"
    assert view.epoch_text().startswith("Epoch 5 / 5")
    loop.wait(30)
    view.wait_transition_done(after=0, idle_ms=1500)
    got, want = view.positions(), other_map(wnb)
    absent = np.isnan(want[:, 0])
    assert np.allclose(got[~absent], want[~absent], atol=2e-5)
    # a second view of the same widget, and a new widget on the two runs: the history of the
    # other run comes from the kernel (its newest epoch travels alone)
    wnb.execute("w2 = DataMapWidget(dynamics=after, compare=before)")
    late = MapView.show(wnb, "w2")
    late.wait_epoch_text("Epoch 5 / 5")
    late.wait_for("h.compareEpochs() === 5", timeout=20)
    set_mode(late, "other")
    got2 = late.positions()
    assert np.allclose(got2[~absent], want[~absent], atol=2e-5)
    assert late.text_of(".dmw-compare-mode[data-mode=other]") == "other run"
