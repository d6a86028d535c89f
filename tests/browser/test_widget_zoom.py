"""Zoom (wheel), pan (ctrl-drag) and reset on the map, SVG and raster: picking and rectangle
selection stay exact when zoomed, the points are drawn at their zoomed places."""

import numpy as np
import pytest
from dmw import MapView, is_background, pixel_patch
from test_widget_click import CLICK_DATA, NAMES
from test_widget_select import clear_edge, drag, show

pytestmark = pytest.mark.browser


def client_coords(view: MapView, pos: np.ndarray) -> np.ndarray:
    probe = [
        int(np.argmin(pos[:, 0])),
        int(np.argmax(pos[:, 0])),
        int(np.argmin(pos[:, 1])),
        int(np.argmax(pos[:, 1])),
    ]
    pts = np.array([view.client_xy(i) for i in probe])
    ax = np.polyfit(pos[probe, 0], pts[:, 0], 1)
    ay = np.polyfit(pos[probe, 1], pts[:, 1], 1)
    return np.stack([np.polyval(ax, pos[:, 0]), np.polyval(ay, pos[:, 1])], axis=1)


def inside_domain(pos, dom, margin=0.08):
    (x0, x1), (y0, y1) = dom["x"], dom["y"]
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    return (
        (pos[:, 0] > x0 + mx)
        & (pos[:, 0] < x1 - mx)
        & (pos[:, 1] > y0 + my)
        & (pos[:, 1] < y1 - my)
    )


@pytest.mark.parametrize("renderer,n", [("svg", 400), ("gl", 3000)], ids=["svg", "gl"])
def test_zoom_pan_reset_keep_picking_and_selection_exact(wnb, renderer, n):
    view = show(wnb, renderer, n)
    pos = view.positions()
    home = view.call("h.domain()")
    assert home == {"x": [0, 0.5], "y": [0, 1]}
    # zoom in about the cloud's middle
    xy = client_coords(view, pos)
    centre = xy[np.argsort(np.hypot(*(xy - np.median(xy, axis=0)).T))[0]]
    wnb.page.mouse.move(*centre)
    for _ in range(3):
        wnb.page.mouse.wheel(0, -250)
        wnb.page.wait_for_timeout(80)
    view.wait_for("h.domain().x[1] - h.domain().x[0] < 0.3", timeout=5)
    dom = view.call("h.domain()")
    assert dom["y"][1] - dom["y"][0] < 0.6
    assert view.part(".dmw-reset-zoom").is_enabled()
    wnb.page.mouse.move(5, 5)  # the hover tooltip must not hide the points checked below
    wnb.page.wait_for_timeout(800)  # bqplot glides its dots to the new scale
    view.shot("zoomed")

    # picking: the most isolated point inside the zoomed view, clicked where it is drawn now
    xy = client_coords(view, pos)
    ok = inside_domain(pos, dom)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    score = np.where(ok, d.min(axis=1), 0)
    i = int(np.argmax(score))
    assert score[i] > 6, "no isolated point in the zoomed view"
    x, y = view.client_xy(i)
    assert np.allclose((x, y), xy[i], atol=0.01)
    assert not is_background(pixel_patch(wnb.page, x, y, r=1)), "point not drawn where it is now"
    wnb.page.mouse.click(x, y)
    view.wait_for("h.selectedIndex() === arg", i, timeout=5)

    # rectangle selection in the zoomed view: exactly the points inside
    sub = np.flatnonzero(ok)
    x0, x1 = (clear_edge(v, xy[:, 0]) for v in np.quantile(xy[sub, 0], (0.25, 0.75)))
    y0, y1 = (clear_edge(v, xy[:, 1]) for v in np.quantile(xy[sub, 1], (0.25, 0.75)))
    inside = np.flatnonzero((xy[:, 0] > x0) & (xy[:, 0] < x1) & (xy[:, 1] > y0) & (xy[:, 1] < y1))
    assert len(inside) >= 3
    drag(wnb.page, (x0, y0), (x1, y1))
    view.wait_for("h.selection().length !== 1", timeout=5)
    assert view.call("h.selection()") == inside.tolist()

    # pan: ctrl-drag moves the view by the dragged distance, in data units
    before = view.call("h.domain()")
    kx = (xy[1, 0] - xy[0, 0]) / (pos[1, 0] - pos[0, 0])
    start = (x0 + 5, y0 + 5)
    drag(wnb.page, start, (start[0] + 60, start[1]), modifier="Control")
    after = view.call("h.domain()")
    assert after["x"][0] == pytest.approx(before["x"][0] - 60 / kx, rel=1e-3, abs=1e-6)
    assert after["y"] == pytest.approx(before["y"], abs=1e-9)
    assert view.call("h.selection()") == inside.tolist(), "a pan must not change the selection"

    # reset
    view.part(".dmw-reset-zoom").click()
    view.wait_for("h.domain().x[1] === 0.5 && h.domain().x[0] === 0", timeout=5)
    assert view.call("h.domain()") == home
    wnb.page.wait_for_timeout(800)
    x, y = view.client_xy(i)
    wnb.page.mouse.click(x, y)
    view.wait_for("h.selectedIndex() === arg && h.selection().length === 1", i, timeout=5)
    assert CLICK_DATA and NAMES  # the data set shared with the click tests
