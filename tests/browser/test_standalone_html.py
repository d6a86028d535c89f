"""A map saved with ``w.save_html`` opened from ``file://`` in headless Chromium with every
network request blocked (and none attempted): the map paints, click -> panel (text,
trajectory), hover, replay and play, search, colour-by and selection work; review decisions and
the label picker are visibly off; texts, label names and the title stay literal (XSS).

No JupyterLab here: the widgets are built in this process and saved; the page runs alone."""

from __future__ import annotations

import numpy as np
import pytest
from dmw import MapView, decode_png, is_background, pixel_patch
from harness import ARTIFACTS, safe_name

from datamap_widget import DataMapWidget

pytestmark = pytest.mark.browser

PAYLOAD = "</script><img src=x onerror=alert(1)><script>window.__pwned=1</script>"
HANDLE = "document.querySelector('.datamap-widget').__datamapWidget"


class OfflinePage:
    """A tab that blocks (and records) every request but file:// ones; console, errors, dialogs."""

    def __init__(self, context, name: str):
        self.name = safe_name(name)
        self.page = context.new_page()
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self._shots = 0
        self.page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"))
        self.page.on("dialog", self._on_dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route("**/*", self._route)

    @staticmethod
    def _route(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    def _on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path) -> MapView:
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        view = MapView(self, HANDLE)
        view.wait_ready(30)
        view.wait_for("h.nEpochs() > 0 && h.paintedAt(h.nEpochs()) !== null", timeout=30)
        return view

    def problems(self) -> list[str]:
        """Page errors, CSP violations and failed loads seen so far."""
        bad = ("pageerror", "Content Security Policy", "Failed to load", "net::")
        return [line for line in self.console if any(b in line for b in bad)]

    def screenshot(self, step: str, locator=None):
        self._shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self._shots:02d}-{safe_name(step)}.png"
        self.page.screenshot(path=str(path))
        return path

    def save_console(self, suffix: str = "console"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{safe_name(suffix)}.log"
        path.write_text("\n".join(self.console + self.dialogs + self.requests))
        return path


@pytest.fixture
def offline(request, browser):
    tab = OfflinePage(browser.context, request.node.name)
    request.node._dmw_notebook = tab  # conftest saves a screenshot and the console on failure
    yield tab
    tab.page.close()


def spread_run(n: int, epochs: int, seed: int = 0, texts=None, names=None, ids=None):
    """A multiclass run with the usual shape: easy, hard and swinging (ambiguous) examples."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    w = DataMapWidget(
        texts=texts or [f"example {i} says {['no', 'maybe', 'yes'][i % 3]}" for i in range(n)],
        labels=gold,
        ids=ids,
        label_names=names or ["neg", "neu", "pos"],
    )
    learn = rng.normal(1.5, 2.0, n)
    swing = rng.gamma(1.5, 0.8, n)
    for e in range(epochs):
        z = learn * (e + 1) / epochs + rng.normal(0, 1, n) * swing
        p_gold = 1 / (1 + np.exp(-z))
        probs = np.repeat(((1 - p_gold) / 2)[:, None], 3, axis=1)
        probs[np.arange(n), gold] = p_gold
        w.log_epoch(probs)
    return w


def metrics_xyz(w, epochs=None) -> np.ndarray:
    df = w.dynamics.metrics(epochs=epochs)
    return df[["variability", "confidence", "correctness"]].to_numpy(np.float32)


def test_a_saved_map_works_offline(offline, tmp_path):
    n, epochs = 1500, 6
    ids = [f"c{i:05d}" for i in range(n)]
    w = spread_run(n, epochs, ids=ids)
    texts = w._texts_list
    view = offline.open(w.save_html(tmp_path / "map.html"))
    assert offline.requests == [offline.url]  # nothing else was even attempted
    assert view.epoch_text() == f"Epoch {epochs} / {epochs}"
    got = view.positions()
    assert np.allclose(got, metrics_xyz(w), atol=2e-5)

    # painted: the raster layer shows points where they are, the plot area is not empty
    view.wait_transition_done(after=0)
    order = np.argsort(got[:, 1])
    for i in order[[5, n // 2, n - 5]]:
        x, y = view.client_xy(int(i))
        assert not is_background(pixel_patch(offline.page, x, y, r=1)), f"point {i} not drawn"
    plot = decode_png(view.map_png())
    assert (plot.min(axis=-1) < 200).mean() > 0.05
    view.shot("painted")

    # click -> panel: the text, the id, the trajectory over every epoch
    i = int(order[n // 3])
    x, y = view.client_xy(i)
    offline.page.mouse.click(x, y)
    view.wait_for("h.selectedIndex() === arg", i, timeout=5)
    assert view.text_of(".dmw-text") == texts[i]
    assert f"id {ids[i]}" in view.text_of(".dmw-title")
    markers = view.call(
        "h.el.querySelectorAll('.dmw-trajectory .mark circle, .dmw-trajectory .mark path').length"
    )
    line = view.call(
        "Array.from(h.el.querySelectorAll('.dmw-trajectory .mark path')).map(p => p.getAttribute('d'))"
    )
    correct = w.dynamics.correct()[:, i]
    assert markers - 2 == epochs  # the 0.5 guide and the line are paths too
    assert any(d.count("L") == epochs - 1 for d in line)
    assert (
        view.call("h.el.querySelectorAll('.dmw-trajectory .mark circle').length") == correct.sum()
    )

    # hover -> tooltip
    j = int(order[2 * n // 3])
    x, y = view.client_xy(j)
    offline.page.mouse.move(x, y)
    view.wait_for("h.tooltipIndex() !== null", timeout=5)
    k = view.call("h.tooltipIndex()")
    assert view.text_of(".dmw-tooltip-text") == texts[k]

    # replay (the slider) and Play
    offline.page.eval_on_selector(
        ".dmw-replay", "s => { s.value = '2'; s.dispatchEvent(new Event('input')); }"
    )
    view.wait_epoch_text(f"Epoch 2 / {epochs}")
    assert np.allclose(view.positions(), metrics_xyz(w, epochs=2), atol=2e-5)
    begun = len(view.transitions_begun())
    view.part(".dmw-play").click()
    view.wait_epoch_text(f"Epoch {epochs} / {epochs}", timeout=20)
    view.wait_for("h.el.querySelector('.dmw-play').textContent.includes('Play')", timeout=5)
    assert view.transitions_begun()[begun:] == list(range(3, epochs + 1))  # played through

    # search: the same matches as Python's
    view.part(".dmw-search").fill("maybe")
    view.wait_for("h.searchHits().length > 0", timeout=5)
    assert view.call("h.searchHits()") == [i for i, t in enumerate(texts) if "maybe" in t]
    assert view.text_of(".dmw-search-hits") == f"{n // 3} matches"

    # colour by gold label: the legend names the classes and the overlay draws the points
    view.part(".dmw-color-by").select_option("gold")
    view.wait_for("h.colorBy() === 'gold'", timeout=5)
    legend = view.call(
        "Array.from(h.el.querySelectorAll('.dmw-legend-item')).map(e => e.textContent)"
    )
    assert legend == ["neg", "neu", "pos"]
    view.wait_for("h.el.querySelector('.dmw-raster').style.visibility === 'hidden'", timeout=5)
    view.shot("colour-by-gold")

    # select a region: the count matches Python's, the review list opens on it
    view.part(".dmw-select-by").select_option("region:hard-to-learn")
    hard = int((w.dynamics.metrics().region == "hard-to-learn").sum())
    view.wait_for("h.selection().length === arg", hard, timeout=5)
    assert view.text_of(".dmw-selection-count") == f"{hard} selected"
    assert view.call("h.reviewListOpen()") and view.call("h.reviewRows()") == hard

    # review is off, visibly; a decision key records nothing
    assert "decisions need the notebook's kernel" in view.text_of(".dmw-rv-off")
    disabled = view.call(
        "['Correct', 'Wrong', 'Remove'].map(t => Array.from(h.el.querySelectorAll('.dmw-rv-bar button'))"
        ".find(b => b.textContent.startsWith(t)).disabled)"
    )
    assert disabled == [True, True, True]
    view.root.focus()
    offline.page.keyboard.press("c")
    offline.page.keyboard.press("x")
    assert view.call("h.pendingDecisions()") == 0
    assert sum(view.call("h.reviewCodes()")) == 0
    view.shot("review-off")
    assert offline.problems() == [] and offline.dialogs == []
    assert offline.requests == [offline.url]


def test_switching_labels_is_off_in_a_saved_multilabel_map(offline, tmp_path):
    rng = np.random.default_rng(5)
    n = 200
    w = DataMapWidget(
        texts=[f"t{i}" for i in range(n)],
        labels=(rng.random((n, 3)) < 0.4).astype(int),
        label_names=["joy", "anger", "fear"],
        label="anger",
    )
    for _ in range(3):
        w.log_epoch(rng.random((n, 3)))
    view = offline.open(w.save_html(tmp_path / "ml.html"))
    picker = view.part(".dmw-label-select")
    assert picker.is_disabled() and picker.input_value() == "anger"
    assert "need the kernel" in view.text_of(".dmw-label-pending")
    assert np.allclose(view.positions(), metrics_xyz_label(w, 1), atol=2e-5)
    assert offline.problems() == [] and offline.requests == [offline.url]


def metrics_xyz_label(w, label) -> np.ndarray:
    df = w.dynamics.metrics(label=label)
    return df[["variability", "confidence", "correctness"]].to_numpy(np.float32)


def test_texts_names_and_title_show_literally_and_run_nothing(offline, tmp_path):
    n = 60
    texts = [PAYLOAD, f"<b>bold</b> {PAYLOAD}"] + [f"plain {i}" for i in range(2, n)]
    names = [PAYLOAD, "<b>neu</b>", "pos & co"]
    w = spread_run(n, 3, seed=1, texts=texts, names=names)
    view = offline.open(w.save_html(tmp_path / "xss.html", title=PAYLOAD))
    view.wait_transition_done(after=0)
    for i in (0, 1):
        x, y = view.client_xy(i)
        offline.page.mouse.click(x, y)
        view.wait_for("h.selectedIndex() === arg", i, timeout=5)
        assert view.text_of(".dmw-text") == texts[i]
        assert view.text_of(".dmw-gold") == names[int(w.dynamics.gold()[i])]
    options = view.call(
        "Array.from(h.el.querySelectorAll('.dmw-filter option')).map(o => o.textContent)"
    )
    assert options[1:] == [f"gold: {name}" for name in names]
    view.part(".dmw-color-by").select_option("gold")
    legend = view.call(
        "Array.from(h.el.querySelectorAll('.dmw-legend-item')).map(e => e.textContent)"
    )
    assert legend == names
    offline.page.wait_for_timeout(500)  # time for an injected handler or script to fire
    assert offline.page.title() == PAYLOAD
    assert offline.page.evaluate("() => typeof window.__pwned") == "undefined"
    assert offline.page.evaluate("() => document.querySelectorAll('img, b').length") == 0
    saved = (tmp_path / "xss.html").read_text(encoding="utf-8").count("<script")
    assert offline.page.evaluate("() => document.scripts.length") == saved  # none parsed from data
    assert offline.dialogs == [] and offline.problems() == []
    assert offline.requests == [offline.url]
