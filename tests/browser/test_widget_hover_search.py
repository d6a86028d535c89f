"""Hover tooltip, search, colour by and filter by gold label on the map (SVG and raster).
Texts, label names and the search query are data: HTML in them shows literally and runs
nothing."""

import numpy as np
import pytest
from dmw import MapView
from test_widget_select import data_to_client, drag

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
NAMES = ["<b>no</b>", "<img src=y onerror=alert(2)>"]
PALETTE = ["#4e79a7", "#f28e2b"]  # map_style.js CATEGORY_COLORS[0:2]

DATA = """
rng = np.random.default_rng(5)
N = {n}
labels = rng.integers(0, 2, N)
texts = [(f'{img} review {{i}} ' + ('THANK you ' if i % 4 == 0 else 'meh ') + 'x' * (i % 300))
         for i in range(N)]
ids = [f'ex{{i}}' for i in range(N)]
w = DataMapWidget(texts=texts, labels=labels, ids=ids, label_names={names!r}, renderer={renderer!r})
centre = rng.uniform(0.05, 0.95, N)
for _ in range(4):
    w.log_epoch(np.clip(centre + rng.normal(0, 0.25, N), 0.001, 0.999))
w
"""

OVERLAY_RGB = """(() => {
  const c = h.el.querySelector('canvas.dmw-overlay');
  const r = c.getBoundingClientRect();
  const x = Math.round(arg[0] - r.left);
  const y = Math.round(arg[1] - r.top);
  const d = c.getContext('2d').getImageData(x, y, 1, 1).data;
  return Array.from(d);
})()"""

COUNT_RGB = """(() => {
  const c = h.el.querySelector('canvas.dmw-overlay');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let k = 0;
  for (let p = 0; p < d.length; p += 4) {
    if (d[p] === arg[0] && d[p + 1] === arg[1] && d[p + 2] === arg[2] && d[p + 3] === 255) k++;
  }
  return k;
})()"""


def rgb(hex_color):
    v = int(hex_color[1:], 16)
    return [v >> 16, (v >> 8) & 255, v & 255]


def isolated(view, pos, mask=None):
    xy = np.array(
        view.call(
            "Array.from({length: h.n}, (_, i) => { const p = h.clientXY(i); return [p.x, p.y]; })"
        )
    )
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    score = d.min(axis=1)
    score[(pos[:, 0] < 0.02) | (pos[:, 1] < 0.03) | (pos[:, 1] > 0.97)] = 0
    if mask is not None:
        score[~mask] = 0
    return int(np.argmax(score)), xy


def shown(wnb, renderer, n):
    view = MapView.show(wnb, DATA.format(n=n, img=IMG, names=NAMES, renderer=renderer), timeout=90)
    view.wait_epoch_text("Epoch 4 / 4")
    view.wait_painted(4)
    view.wait_transition_done(after=0)
    return view


@pytest.mark.parametrize("renderer,n", [("svg", 300), ("gl", 2500)], ids=["svg", "gl"])
def test_hover_search_colour_filter(wnb, renderer, n):
    view = shown(wnb, renderer, n)
    texts = wnb.py("texts")
    gold = wnb.py("labels.tolist()")
    pos = view.positions()
    i, xy = isolated(view, pos)

    # hover: the start of the text and the gold label, literally
    wnb.page.mouse.move(*xy[i] + 0.3)
    view.wait_for("h.tooltipIndex() === arg", i, timeout=5)
    text = view.text_of(".dmw-tooltip-text")
    want = texts[i] if len(texts[i]) <= 140 else texts[i][:140] + "…"
    assert text == want
    assert view.text_of(".dmw-tooltip-gold") == f"gold: {NAMES[gold[i]]}"
    long_one = next(k for k in range(n) if len(texts[k]) > 200)
    assert len(texts[long_one]) > 200  # snippets are cut (checked in Node for the exact rule)
    view.shot("hover")
    # the tooltip never takes the pointer: a click right there selects the point
    wnb.page.mouse.click(*xy[i] + 0.3)
    view.wait_for("h.selectedIndex() === arg", i, timeout=5)
    wnb.page.mouse.move(5, 5)
    view.wait_for("h.tooltipIndex() === null", timeout=5)

    # search: case-insensitive substring, the query is text (HTML in it is not markup)
    search = view.part(".dmw-search")
    for query in ["thank YOU", "<IMG SRC=X", f"review {i} "]:
        search.fill(query)
        want = [k for k, t in enumerate(texts) if query.lower() in t.lower()]
        view.wait_for(
            "JSON.stringify(h.searchHits()) === arg", str(want).replace(" ", ""), timeout=5
        )
        plural = "" if len(want) == 1 else "es"
        assert view.text_of(".dmw-search-hits") == f"{len(want)} match{plural}"
    # the one hit (point i) is ringed in the search colour on the map
    view.wait_for(COUNT_RGB.replace("arg", "[255,0,204]") + " > 0", timeout=5)
    view.shot("search")
    search.fill("")
    view.wait_for(COUNT_RGB.replace("arg", "[255,0,204]") + " === 0", timeout=5)

    # colour by gold label: point i in its class colour, drawn by the overlay
    view.part(".dmw-color-by").select_option("gold")
    view.wait_for("h.colorBy() === 'gold'", timeout=5)
    view.wait_for(
        "JSON.stringify(" + OVERLAY_RGB + ".slice(0, 3)) === JSON.stringify(arg[2])",
        [*xy[i], rgb(PALETTE[gold[i]])],
        timeout=5,
    )
    legend = view.call(
        "Array.from(h.el.querySelectorAll('.dmw-legend-item')).map(e => e.textContent)"
    )
    assert legend == NAMES
    # the label-issue score arrives with each epoch: colouring by it is offered exactly then
    assert view.call("h.hasScores()"), "the epochs logged carry label-issue scores"
    assert not view.call("h.el.querySelector('.dmw-color-by option[value=score]').disabled")
    view.shot("colour-gold")

    # reviewed status: decided points in the verdict colours (codes from the review side)
    codes = [0] * n
    codes[i] = 2
    view.call("h.setReviewCodes(arg)", codes)
    view.part(".dmw-color-by").select_option("reviewed")
    view.wait_for(
        "JSON.stringify(" + OVERLAY_RGB + ".slice(0, 3)) === JSON.stringify(arg[2])",
        [*xy[i], rgb("#000000")],
        timeout=5,
    )  # the decided mark at its centre

    # filter by gold: only that class is drawn, picked and selected
    view.part(".dmw-color-by").select_option("correctness")
    keep = 1
    view.part(".dmw-filter").select_option(str(keep))
    j, _ = isolated(view, pos, mask=np.asarray(gold) != keep)
    wnb.page.mouse.click(*xy[j])
    view.wait_for("h.selectedIndex() === null && h.selection().length === 0", timeout=5)
    assert view.call(OVERLAY_RGB, list(xy[j]))[3] == 0, "a filtered-out point is still drawn"
    # from the plot's top-right corner (a drag starts inside the plot) past every point
    start = data_to_client(pos, xy, 0.4999, 0.9999)
    end = (xy[:, 0].min() - 3, xy[:, 1].max() + 3)
    drag(wnb.page, start, end)
    want = [k for k in range(n) if gold[k] == keep]
    view.wait_for("h.selection().length === arg", len(want), timeout=5)
    assert view.call("h.selection()") == want
    view.shot("filtered")

    wnb.page.wait_for_timeout(300)
    assert view.call("h.el.querySelectorAll('img, script, b').length") == 0
    assert wnb.dialogs == [], f"a dialog fired: {wnb.dialogs}"


def test_hover_thumbnail_in_images_mode_and_literal_options(wnb):
    view = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(12)\n"
            "N = 120\n"
            "images = rng.integers(0, 256, (N, 8, 8)).astype(np.uint8)\n"
            f"w = DataMapWidget(images=images, labels=rng.integers(0, 2, N), label_names={NAMES!r})\n"
            "for _ in range(3):\n"
            "    w.log_epoch(rng.uniform(0.01, 0.99, N))\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_transition_done(after=0)
    pos = view.positions()
    i, xy = isolated(view, pos)
    wnb.page.mouse.move(*xy[i] + 0.3)
    view.wait_for("h.tooltipIndex() === arg", i, timeout=5)
    thumb = view.call(
        "(() => { const c = h.el.querySelector('.dmw-tooltip-image');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " return {w: c.width, h: c.height, shown: c.offsetWidth > 0,"
        " grey: Array.from(d).filter((_, k) => k % 4 === 0)}; })()"
    )
    assert thumb["shown"] and (thumb["w"], thumb["h"]) == (8, 8)
    assert thumb["grey"] == wnb.py(f"images[{i}].ravel().tolist()")
    assert not view.call("h.el.querySelector('.dmw-search').offsetWidth"), "no texts: no search box"
    view.shot("hover-image")
    # label names in the filter / select options are text, not markup
    options = view.part(".dmw-filter").evaluate(
        "s => Array.from(s.options).map(o => [o.textContent, o.children.length])"
    )
    assert options == [["all points", 0]] + [[f"gold: {name}", 0] for name in NAMES]
    options = view.part(".dmw-select-by").evaluate(
        "s => Array.from(s.options).map(o => o.textContent)"
    )
    assert [o for o in options if o.startswith("gold: ")] == [f"gold: {name}" for name in NAMES]
    assert view.call("h.el.querySelectorAll('img, script, b').length") == 0
    assert wnb.dialogs == []


def test_multilabel_select_filter_and_score_colours(wnb):
    names = ["joy", "<i>anger</i>", "love"]
    view = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(21)\n"
            "N = 200\n"
            "Y = rng.integers(0, 2, (N, 3))\n"
            f"w = DataMapWidget(texts=[f'x{{i}}' for i in range(N)], labels=Y, label_names={names!r},\n"
            "                  task='multilabel')\n"
            "for _ in range(3):\n"
            "    w.log_epoch(rng.uniform(0.01, 0.99, (N, 3)))\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_transition_done(after=0)
    gold_sets = np.asarray(wnb.py("Y.tolist()"))
    n = len(gold_sets)
    # select by a gold label: every example whose gold set holds it (not only the shown label)
    view.part(".dmw-select-by").select_option("gold:1")
    want = np.flatnonzero(gold_sets[:, 1]).tolist()
    view.wait_for("h.selection().length === arg", len(want), timeout=5)
    assert view.call("h.selection()") == want
    # filter by gold label "love": a rectangle over the whole plot selects only those
    view.part(".dmw-filter").select_option("2")
    pos = view.positions()
    i, xy = isolated(view, pos, mask=gold_sets[:, 2] == 1)
    start = data_to_client(pos, xy, 0.4999, 0.9999)
    drag(wnb.page, start, (xy[:, 0].min() - 3, xy[:, 1].max() + 3))
    want = np.flatnonzero(gold_sets[:, 2]).tolist()
    view.wait_for("JSON.stringify(h.selection()) === arg", str(want).replace(" ", ""), timeout=5)
    view.part(".dmw-filter").select_option("")
    # colour by gold: the shown label's membership (legend "not joy" / "joy")
    view.part(".dmw-color-by").select_option("gold")
    view.wait_for("h.colorBy() === 'gold'", timeout=5)
    legend = view.call(
        "Array.from(h.el.querySelectorAll('.dmw-legend-item')).map(e => e.textContent)"
    )
    assert legend == ["not joy", "joy"]
    # label-issue scores (the review side fills ctrl.scores): the choice is enabled and the
    # highest score gets the top colour of the scale
    assert view.call(
        "h.el.querySelector('.dmw-color-by option[value=score]').disabled === !h.hasScores()"
    )
    view.call("(() => { const c = h._internals.ctrl; c.scores = null; c.notify(); })()")
    view.wait_for("h.el.querySelector('.dmw-color-by option[value=score]').disabled", timeout=5)
    scores = [0.0] * n
    scores[i] = 1.0
    view.call(
        "(() => { const c = h._internals.ctrl; c.scores = Float32Array.from(arg); c.notify(); })()",
        scores,
    )
    view.wait_for("!h.el.querySelector('.dmw-color-by option[value=score]').disabled", timeout=5)
    view.part(".dmw-color-by").select_option("score")
    view.wait_for(
        "JSON.stringify(" + OVERLAY_RGB + ".slice(0, 3)) === JSON.stringify(arg[2])",
        [*xy[i], rgb("#fde725")],
        timeout=5,
    )
    view.shot("score-colours")
    # bqplot's (hidden) toolbars have <i class="fa ..."> icons: count only class-less ones
    assert view.call("h.el.querySelectorAll('i:not([class]), img, script').length") == 0
