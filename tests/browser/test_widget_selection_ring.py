"""The highlight ring appears on a clicked point at once (it must not glide in from its previous
place, or from the origin, over the map's 500 ms animation), yet during an epoch replay it moves
together with its point."""

import pytest
from dmw import MapView
from test_widget_click import CLICK_DATA, NAMES, isolated_point

pytestmark = pytest.mark.browser

# Page-side: the highlight mark's view in the map figure, and the client centre of its ring.
RING_JS = """
async function ringView(h) {
  const fig = h._internals.figureView;
  const views = await Promise.all(fig.mark_views.views);
  return views.find((v) => v.model === h._internals.ctrl.parts.highlight);
}
function ringCentre(view) {
  const dot = view.el.querySelector('.dot');
  if (!dot || view.el.style.display === 'none' || view.el.getAttribute('visibility') === 'hidden') return null;
  const r = dot.getBoundingClientRect();
  if (!r.width) return null;
  return {x: r.left + r.width / 2, y: r.top + r.height / 2};
}
"""

# Arm a recorder, then the real mouse click fires it: one reading 50 ms after the click (in the
# animation frame after that, so bqplot's own frame callbacks for the click have run), then one
# per frame until 700 ms (past the 500 ms animation).
ARM_JS = (
    RING_JS
    + """
window.__ringTrace = null;
const view = await ringView(h);
window.addEventListener('click', () => {
  const t0 = performance.now();
  const trace = {first: null, frames: []};
  window.__ringTrace = trace;
  setTimeout(() => requestAnimationFrame(() => {
    trace.first = {t: performance.now() - t0, at: ringCentre(view)};
    const sample = () => {
      const t = performance.now() - t0;
      trace.frames.push({t, at: ringCentre(view)});
      if (t < 700) requestAnimationFrame(sample);
      else trace.done = true;
    };
    requestAnimationFrame(sample);
  }), 50);
}, {capture: true, once: true});
return true;
"""
)


def arm(view: MapView) -> None:
    assert view.call("(async () => {" + ARM_JS + "})()") is True


def off_by(at, want) -> float:
    return (
        float("inf") if at is None else ((at["x"] - want[0]) ** 2 + (at["y"] - want[1]) ** 2) ** 0.5
    )


TOL_PX = 3.0


@pytest.mark.parametrize("renderer,n", [("svg", 300), ("gl", 3000)], ids=["svg", "gl"])
def test_ring_is_on_clicked_point_at_once(wnb, renderer, n):
    view = MapView.show(
        wnb, CLICK_DATA.format(n=n, names=NAMES, renderer=renderer, epochs=4), timeout=90
    )
    view.wait_epoch_text("Epoch 4 / 4")
    view.wait_painted(4)
    view.wait_transition_done(after=0)
    i = None
    for click in range(2):  # first click: ring hidden at the origin; second: ring elsewhere
        i = isolated_point(view) if click == 0 else second_point(view, previous=i)
        want = view.client_xy(i)
        arm(view)
        wnb.page.mouse.click(*want)
        view.page.wait_for_function(
            "() => window.__ringTrace && window.__ringTrace.done", timeout=10000, polling=50
        )
        trace = view.page.evaluate("() => window.__ringTrace")
        assert view.selected_index() == i
        first = trace["first"]
        view.shot(f"ring-click-{click + 1}")
        assert first["t"] < 300, (
            f"the page read the ring only {first['t']:.0f} ms after the click: too slow to tell "
            "an instant ring from one gliding in over 500 ms"
        )
        assert off_by(first["at"], want) <= TOL_PX, (
            f"click {click + 1}: {first['t']:.0f} ms after clicking point {i} at {want}, the ring "
            f"is at {first['at']} (should be on the point at once, not glide in)"
        )
        late = [(round(f["t"]), f["at"]) for f in trace["frames"] if off_by(f["at"], want) > TOL_PX]
        assert not late, f"click {click + 1}: the ring left point {i} at {want}: {late[:5]}"
        print(
            f"click {click + 1}: ring on point {i} {first['t']:.0f} ms after the click, "
            f"{len(trace['frames'])} later frames all on it"
        )


def second_point(view: MapView, previous: int) -> int:
    """An isolated point far (on screen) from `previous`, so a gliding ring would be seen."""
    import numpy as np
    from test_widget_click import pixel_coords

    pos = view.positions()
    xy = pixel_coords(view, pos)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    isolated = d.min(axis=1) >= 12
    inside = (pos[:, 0] > 0.02) & (pos[:, 1] > 0.03) & (pos[:, 1] < 0.97)
    score = np.where(isolated & inside, d[previous], -1)
    score[previous] = -1
    j = int(np.argmax(score))
    assert score[j] > 100, "no isolated point far enough from the first one"
    return j


def test_ring_moves_with_its_point_during_replay(wnb):
    """Replaying an epoch animates the ring together with its (SVG) point, never ahead of it."""
    view = MapView.show(
        wnb, CLICK_DATA.format(n=300, names=NAMES, renderer="svg", epochs=4), timeout=90
    )
    view.wait_epoch_text("Epoch 4 / 4")
    view.wait_transition_done(after=0)
    i = isolated_point(view)
    wnb.page.mouse.click(*view.client_xy(i))
    view.wait_for("h.selectedIndex() === arg", i, timeout=5)
    wnb.page.wait_for_timeout(800)  # past the map's 500 ms animation
    end_before = view.client_xy(i)
    samples = view.call(
        "(async () => {"
        + RING_JS
        + """
      const ring = await ringView(h);
      const fig = h._internals.figureView;
      const views = await Promise.all(fig.mark_views.views);
      const points = views.find((v) => v.model === h._internals.ctrl.parts.points);
      const pointCentre = () => {
        const r = points.el.querySelectorAll('.object_grp')[arg].getBoundingClientRect();
        return {x: r.left + r.width / 2, y: r.top + r.height / 2};
      };
      const t0 = performance.now();
      h.replay(1);
      const out = [];
      await new Promise((resolve) => {
        const sample = () => {
          out.push({t: performance.now() - t0, ring: ringCentre(ring), point: pointCentre()});
          if (performance.now() - t0 < 800) requestAnimationFrame(sample); else resolve();
        };
        requestAnimationFrame(sample);
      });
      return out;
    })()""",
        i,
    )
    end_after = view.client_xy(i)
    moved = off_by({"x": end_after[0], "y": end_after[1]}, end_before)
    assert moved > 20, f"point {i} barely moves between epochs 4 and 1 ({moved:.1f} px); bad data"
    apart = [
        (round(s["t"]), s["ring"], s["point"])
        for s in samples
        if off_by(s["ring"], (s["point"]["x"], s["point"]["y"])) > TOL_PX
    ]
    assert not apart, f"the ring and its point drift apart during the replay: {apart[:5]}"
    between = [
        s
        for s in samples
        if off_by(s["ring"], end_before) > TOL_PX and off_by(s["ring"], end_after) > TOL_PX
    ]
    assert between, "the ring jumped instead of moving along with its point during the replay"
    assert off_by(samples[-1]["ring"], end_after) <= TOL_PX
    print(f"replay: ring followed point {i} over {len(samples)} frames, {len(between)} in between")
