"""A large selection keeps the map readable (SVG and raster): the selected points keep their
colours (each drawn again over the map, outlined), the rest of the map is faded, the region
labels stay legible, and the current point keeps its ring; a rectangle of ~1,200 points is no
longer a solid black block (one dark ring per point, the look before)."""

import numpy as np
import pytest
from dmw import MapView, decode_png, save_png
from harness import ARTIFACTS
from scipy.spatial import cKDTree
from test_widget_click import CLICK_DATA, NAMES, pixel_coords
from test_widget_select import drag, rect_for

pytestmark = pytest.mark.browser

CORRECTNESS = ["#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4"]  # _palette.py
WASH = 0.72  # js/src/selection_style.js
TOL = 14  # per channel, screenshots are exact but edges blend


def palette_rgb(c: float) -> np.ndarray:
    """The colour the page's colour table gives correctness c (raster.js colorTable)."""
    rgb = np.array([[int(h[k : k + 2], 16) for k in (1, 3, 5)] for h in CORRECTNESS], float)
    k = 255 if c >= 1 else 0 if c <= 0 else int(c * 255 + 0.5)
    t = k / 255 * (len(rgb) - 1)
    j = min(len(rgb) - 2, int(np.floor(t)))
    return np.round(rgb[j] + (t - j) * (rgb[j + 1] - rgb[j]))


def map_pixels(view: MapView):
    """(RGB pixels of the map, its client origin)."""
    box = view.map_box()
    clip = {k: round(box[k]) for k in ("x", "y", "width", "height")}
    return decode_png(view.page.screenshot(clip=clip)), (clip["x"], clip["y"])


def at(img, origin, xy) -> np.ndarray:
    """Pixels under client points xy (k, 2)."""
    col = np.round(xy[:, 0] - origin[0]).astype(int)
    row = np.round(xy[:, 1] - origin[1]).astype(int)
    return img[row, col]


@pytest.mark.parametrize("renderer,n", [("svg", 1500), ("gl", 6000)], ids=["svg", "gl"])
def test_large_selection_keeps_colours_and_fades_the_rest(wnb, renderer, n):
    view = MapView.show(
        wnb, CLICK_DATA.format(n=n, names=NAMES, renderer=renderer, epochs=3), timeout=90
    )
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_painted(3)
    view.wait_transition_done(after=0)
    pos = view.positions()
    xy = pixel_coords(view, pos)
    before, origin = map_pixels(view)
    h, w = before.shape[:2]

    (x0, y0, x1, y1), inside = rect_for(xy, (0.05, 0.6), (0.1, 0.75))
    assert len(inside) >= n // 4, f"the rectangle holds only {len(inside)} points"
    drawn = view.call("h.layersDrawn()")
    drag(wnb.page, (x0, y0), (x1, y1))
    view.wait_for("h.selection().length === arg", len(inside), timeout=10)
    view.wait_for("h.layersDrawn() > arg", drawn, timeout=10)
    wnb.page.wait_for_timeout(300)
    after, _ = map_pixels(view)
    view.shot("large-selection")
    save_png(np.concatenate([before, after], axis=1), ARTIFACTS / f"selection-style-{renderer}.png")

    radius = np.sqrt(12 / np.pi) + 1.5  # the points' default size is 12 px^2, plus the outline
    selected = np.zeros(n, bool)
    selected[inside] = True
    chosen = cKDTree(xy[inside])

    # selected points keep their own colour: each one no later selected point covers
    covers = chosen.query_ball_point(xy[inside], radius + 1)
    on_top = np.array([i for i, near in zip(inside, covers) if max(inside[near]) == i])
    got = at(after, origin, xy[on_top]).astype(float)
    want = np.array([palette_rgb(c) for c in pos[on_top, 2]])
    kept = np.abs(got - want).max(axis=1) <= TOL
    assert on_top.size >= 100 and kept.mean() >= 0.9, (
        f"{(~kept).sum()} of {on_top.size} selected points lost their colour, e.g. "
        f"{got[~kept][:3].tolist()} instead of {want[~kept][:3].tolist()}"
    )

    # unselected points, away from the selection, are faded towards white, hue kept
    near = chosen.query(xy)[0] < radius + 4
    apart = np.flatnonzero(~selected & ~near)
    px_b = at(before, origin, xy[apart]).astype(float)
    px_a = at(after, origin, xy[apart]).astype(float)
    drawn_before = (px_b < 235).any(axis=1)  # a point's colour was there
    want_faded = px_b * (1 - WASH) + 255 * WASH
    faded = np.abs(px_a - want_faded).max(axis=1) <= TOL
    assert drawn_before.sum() >= 100
    assert faded[drawn_before].mean() >= 0.9, (
        f"{(~faded[drawn_before]).sum()} of {drawn_before.sum()} unselected points are not "
        f"faded, e.g. {px_a[drawn_before & ~faded][:3].tolist()}"
    )

    # no black block: the selection's box is not dark (a ring per point made it mostly black)
    box = after[
        max(0, y0 - origin[1]) : min(h, y1 - origin[1]),
        max(0, x0 - origin[0]) : min(w, x1 - origin[0]),
    ]
    dark = (box < 70).all(axis=-1).mean()
    assert dark < 0.03, f"{dark:.0%} of the selection's box is near black"

    # the region label "easy-to-learn" (top left) is as legible as before: its dark text pixels
    label = view.call(
        "(() => { const t = [...h.el.querySelectorAll('text')].find("
        "(e) => e.textContent.trim() === 'easy-to-learn'); if (!t) return null;"
        " const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()"
    )
    assert label is not None
    lx0, ly0, lx1, ly1 = (round(v) for v in label)
    text_box = (slice(ly0 - origin[1], ly1 - origin[1]), slice(lx0 - origin[0], lx1 - origin[0]))

    def dark_text(img) -> int:
        return int((img[text_box] < 90).all(axis=-1).sum())

    assert dark_text(after) >= 0.6 * dark_text(before) > 0

    # the current point (a row of the review list) keeps its dark ring
    i = int(on_top[len(on_top) // 2])
    view.call("h._internals.ctrl.select(arg)", i)
    view.wait_for("h.selectedIndex() === arg", i, timeout=5)
    wnb.page.wait_for_timeout(300)
    ringed, _ = map_pixels(view)
    cx, cy = xy[i]
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.hypot(xx + origin[0] - cx, yy + origin[1] - cy)
    ring = (dist >= radius + 2) & (dist <= radius + 5)
    dark_ring = (ringed[ring] < 70).all(axis=-1).mean()
    assert dark_ring >= 0.5, f"only {dark_ring:.0%} of the current point's ring is dark"
    assert view.call("h.selection().length") == len(inside)
