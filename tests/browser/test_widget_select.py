"""Selecting many points on the map (SVG and raster): a rectangle drag selects exactly the
points inside it (checked against Python-computed positions), shift-drag adds, Esc and a click
on empty space clear, a click still selects one point; the selection reaches `w.selected` and a
second view; a rectangle drag answers while a training cell logs epochs."""

import time

import numpy as np
import pytest
from dmw import MapView
from test_widget_click import CLICK_DATA, NAMES, isolated_point, pixel_coords

pytestmark = pytest.mark.browser
MARGIN_PX = 0.05  # no point this close to a rectangle edge: the expected set is unambiguous


def clear_edge(v: float, coords: np.ndarray) -> int:
    """The integer pixel nearest to v with no point within MARGIN_PX of it."""
    for step in range(60):
        for c in (round(v) + step, round(v) - step):
            if not (np.abs(coords - c) < MARGIN_PX).any():
                return c
    raise AssertionError(f"no free pixel edge near {v}")


def rect_for(xy: np.ndarray, qx: tuple, qy: tuple):
    """A rectangle (integer client px) between the quantiles qx / qy of the points, with no
    point within MARGIN_PX of an edge, and the points strictly inside it."""
    x0, x1 = (clear_edge(v, xy[:, 0]) for v in np.quantile(xy[:, 0], qx))
    y0, y1 = (clear_edge(v, xy[:, 1]) for v in np.quantile(xy[:, 1], qy))
    inside = np.flatnonzero((xy[:, 0] > x0) & (xy[:, 0] < x1) & (xy[:, 1] > y0) & (xy[:, 1] < y1))
    return (x0, y0, x1, y1), inside


def data_to_client(pos: np.ndarray, xy: np.ndarray, x: float, y: float) -> tuple[float, float]:
    """Client pixel of data point (x, y), from the affine fit of the points' pixels."""
    ax = np.polyfit(pos[:, 0], xy[:, 0], 1)
    ay = np.polyfit(pos[:, 1], xy[:, 1], 1)
    return float(np.polyval(ax, x)), float(np.polyval(ay, y))


def drag(page, a, b, modifier=None):
    if modifier:
        page.keyboard.down(modifier)
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, steps=4)
    page.mouse.move(*b, steps=2)
    page.mouse.up()
    if modifier:
        page.keyboard.up(modifier)


def wait_python_selected(nb, want, timeout=15.0):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = nb.py("w.selected")
        if got == want:
            return
        time.sleep(0.2)
    assert got == want, f"w.selected {got[:10]}... ({len(got)}) != {want[:10]}... ({len(want)})"


def show(wnb, renderer, n, epochs=4):
    view = MapView.show(
        wnb, CLICK_DATA.format(n=n, names=NAMES, renderer=renderer, epochs=epochs), timeout=90
    )
    assert view.renderer == renderer
    view.wait_epoch_text(f"Epoch {epochs} / {epochs}")
    view.wait_painted(epochs)
    view.wait_transition_done(after=0)
    return view


@pytest.mark.parametrize("renderer,n", [("svg", 400), ("gl", 3000)], ids=["svg", "gl"])
def test_rectangle_shift_add_escape_and_click(wnb, renderer, n):
    view = show(wnb, renderer, n)
    pos = view.positions()
    xy = pixel_coords(view, pos)
    (x0, y0, x1, y1), first = rect_for(xy, (0.3, 0.6), (0.3, 0.6))
    assert len(first) >= 5
    drag(wnb.page, (x0, y0), (x1, y1))
    view.wait_for("h.selection().length > 0", timeout=5)
    assert view.call("h.selection()") == first.tolist()
    view.shot("rectangle")
    assert view.selected_index() is None, "a drag must not select a current point"
    wait_python_selected(wnb, [f"ex{i}" for i in first])
    assert wnb.py("w.selected_df.index.tolist()") == [f"ex{i}" for i in first]

    # shift-drag adds a second, disjoint rectangle (dragged bottom-right to top-left)
    (u0, v0, u1, v1), second = rect_for(xy, (0.75, 0.95), (0.05, 0.25))
    assert len(second) >= 3 and not np.intersect1d(first, second).size
    drag(wnb.page, (u1, v1), (u0, v0), modifier="Shift")
    want = np.union1d(first, second)
    view.wait_for("h.selection().length === arg", len(want), timeout=5)
    assert view.call("h.selection()") == want.tolist()
    assert view.text_of(".dmw-selection-count") == f"{len(want)} selected"
    view.shot("shift-added")

    # a plain drag replaces
    drag(wnb.page, (u0, v0), (u1, v1))
    view.wait_for("h.selection().length === arg", len(second), timeout=5)
    assert view.call("h.selection()") == second.tolist()

    # Esc (the widget has focus after the drag) clears
    wnb.page.keyboard.press("Escape")
    view.wait_for("h.selection().length === 0", timeout=5)
    wait_python_selected(wnb, [])

    # a click still selects exactly one point, and makes it the current point
    i = isolated_point(view)
    wnb.page.mouse.click(*view.client_xy(i))
    view.wait_for("h.selectedIndex() === arg", i, timeout=5)
    assert view.call("h.selection()") == [i]
    wait_python_selected(wnb, [f"ex{i}"])

    # a click on empty space clears both
    empty = data_to_client(pos, xy, 0.47, 0.95)  # top right of the plot: no point there
    assert np.hypot(xy[:, 0] - empty[0], xy[:, 1] - empty[1]).min() > 25
    wnb.page.mouse.click(*empty)
    view.wait_for("h.selection().length === 0 && h.selectedIndex() === null", timeout=5)
    wait_python_selected(wnb, [])


def test_select_by_region_and_gold_and_second_view(wnb):
    view = show(wnb, "svg", 300)
    pos = view.positions()
    ref = wnb.py("w.dynamics.metrics().region.astype(str).tolist()")
    view.part(".dmw-select-by").select_option("region:hard-to-learn")
    want = [i for i, r in enumerate(ref) if r == "hard-to-learn"]
    assert want, "the data has no hard-to-learn point"
    view.wait_for("h.selection().length === arg", len(want), timeout=5)
    assert view.call("h.selection()") == want
    gold = wnb.py("w.dynamics.gold().tolist()")
    view.part(".dmw-select-by").select_option("gold:1")
    want = [i for i, g in enumerate(gold) if g == 1]
    view.wait_for("h.selection().length === arg", len(want), timeout=5)
    wait_python_selected(wnb, [f"ex{i}" for i in want])
    # a second view of the same widget shows the same selection
    cell = wnb.run("w")
    second = MapView(wnb, "__t.dmw(id)", cell)
    second.wait_ready()
    second.wait_for("h.selection().length === arg", len(want), timeout=10)
    assert second.call("h.selection()") == want
    assert pos.shape[0] == 300


@pytest.mark.parametrize("renderer,n", [("svg", 400), ("gl", 3000)], ids=["svg", "gl"])
def test_rectangle_while_training_runs(wnb, renderer, n):
    view = show(wnb, renderer, n, epochs=2)
    loop = wnb.run_nowait(
        "for _ in range(3):\n"
        "    time.sleep(2.0)\n"
        "    w.log_epoch(epoch_probs())\n"
        "time.sleep(1.5)\n"
        "print('TRAINING-FINISHED')\n"
    )
    view.wait_epoch_text("Epoch 3 / 3", timeout=20)
    assert loop.running() and wnb.kernel_status() == "busy"
    pos = view.positions()
    xy = pixel_coords(view, pos)
    (x0, y0, x1, y1), inside = rect_for(xy, (0.2, 0.8), (0.2, 0.8))
    t0 = time.monotonic()
    drag(wnb.page, (x0, y0), (x1, y1))
    view.wait_for("h.selection().length > 0", timeout=3, polling=10)
    latency = time.monotonic() - t0
    got = view.call("h.selection()")
    shown = view.shown_epoch()
    assert loop.running() and wnb.kernel_status() == "busy", "the cell ended before the check"
    if shown == 3:  # positions unchanged since they were read: the set is exact
        assert got == inside.tolist()
    assert latency < 2.0, f"selection shown {latency:.2f} s after the drag began"
    view.shot("rect-while-busy")
    loop.wait(30)
    assert "TRAINING-FINISHED" in loop.text()
    wait_python_selected(wnb, [f"ex{i}" for i in got])


def inside_polygon(xy: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon (a simple, non-self-intersecting polygon: same as nonzero)."""
    inside = np.zeros(len(xy), dtype=bool)
    for k in range(len(poly)):
        (ax, ay), (bx, by) = poly[k], poly[(k + 1) % len(poly)]
        crosses = (ay > xy[:, 1]) != (by > xy[:, 1])
        at = ax + (xy[:, 1] - ay) * (bx - ax) / np.where(by == ay, 1, by - ay)
        inside ^= crosses & (xy[:, 0] < at)
    return inside


@pytest.mark.parametrize("renderer,n", [("svg", 400), ("gl", 3000)], ids=["svg", "gl"])
def test_lasso_alt_drag(wnb, renderer, n):
    view = show(wnb, renderer, n)
    pos = view.positions()
    xy = pixel_coords(view, pos)
    (x0, y0, x1, y1), _ = rect_for(xy, (0.2, 0.8), (0.2, 0.8))
    # a triangle, drawn as a lasso with alt held: the points strictly inside it
    poly = np.array([(x0, y1), ((x0 + x1) / 2, y0), (x1, y1)], dtype=float)

    def edge_distance(a, b):
        d, q = b - a, xy - a
        return np.abs(d[0] * q[:, 1] - d[1] * q[:, 0]) / np.hypot(*d)

    dist = np.min([edge_distance(poly[k], poly[(k + 1) % 3]) for k in range(3)], axis=0)
    want = np.flatnonzero(inside_polygon(xy, poly) & (dist > 0.05))
    ambiguous = np.flatnonzero(dist <= 0.05)
    wnb.page.keyboard.down("Alt")
    wnb.page.mouse.move(*poly[0])
    wnb.page.mouse.down()
    for p in (poly[1], poly[2]):
        wnb.page.mouse.move(*p, steps=3)
    wnb.page.mouse.up()
    wnb.page.keyboard.up("Alt")
    view.wait_for("h.selection().length > 0", timeout=5)
    got = np.asarray(view.call("h.selection()"))
    assert np.setdiff1d(got, ambiguous).tolist() == want.tolist()
    assert len(want) >= 5
    view.shot("lasso")


def test_selection_survives_a_reload(wnb):
    view = show(wnb, "svg", 300)
    view.part(".dmw-select-by").select_option("region:ambiguous")
    view.wait_for("h.selection().length > 0", timeout=5)
    want = view.call("h.selection()")
    wait_python_selected(wnb, [f"ex{i}" for i in want])
    wnb.save()
    wnb.reload()
    again = MapView.nth(wnb, 0, timeout=60)
    again.wait_epoch_text("Epoch 4 / 4")
    again.wait_for("h.selection().length === arg", len(want), timeout=10)
    assert again.call("h.selection()") == want
    assert again.text_of(".dmw-selection-count") == f"{len(want)} selected"
