"""Page-side access to a rendered DataMapWidget through its test handle (`el.__datamapWidget` on
the view's element, published only because the harness opts in, see js/src/test_hooks.js), plus
pixel helpers for the map.

Shared by the widget browser tests and benchmarks/bench_widget.py.
"""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import numpy as np
from harness import REPO, Cell, NotebookPage

WIDGET_FILES = [
    REPO / "datamap_widget" / "widget" / "_data_map.py",
    REPO / "datamap_widget" / "static" / "widget.js",
]

# Kernel-side imports shared by every widget test cell.
KERNEL_PRELUDE = "import json, time\nimport numpy as np\nfrom datamap_widget import DataMapWidget\n"


def widget_missing() -> list[str]:
    return [str(p) for p in WIDGET_FILES if not p.exists()]


class MapView:
    """One view of a DataMapWidget, found through its test handle: the view rendered in a given
    cell's output (`show`), or the k-th view in page order (`nth`, e.g. after a reload)."""

    def __init__(self, notebook: NotebookPage, getter: str, cell: Cell | None = None):
        self.nb = notebook
        self.page = notebook.page
        self.cell = cell
        self.getter = getter  # JS expression of the handle; may use `id` (the cell id)
        self.tag = "v" + uuid.uuid4().hex[:8]

    @classmethod
    def show(cls, notebook: NotebookPage, code: str, timeout: float = 90.0) -> MapView:
        """Run `code` (its last line displays the widget) and wait until the view is mounted."""
        cell = notebook.run(code, timeout=timeout)
        view = cls(notebook, "__t.dmw(id)", cell)
        view.wait_ready(timeout)
        return view

    @classmethod
    def nth(cls, notebook: NotebookPage, k: int, timeout: float = 90.0) -> MapView:
        view = cls(notebook, f"__t.dmwAll()[{int(k)}] || null")
        view.wait_ready(timeout)
        return view

    def wait_ready(self, timeout: float = 60.0) -> None:
        self.page.wait_for_function(
            f"id => {{ const h = {self.getter}; return !!(h && h.el && h.el.isConnected); }}",
            arg=self.cell.id if self.cell else None,
            timeout=timeout * 1000,
            polling=100,
        )
        self.call("(h.el.dataset.testView = arg)", self.tag)
        self.root.scroll_into_view_if_needed()

    # --- handle calls -----------------------------------------------------------------------
    def call(self, body: str, arg=None):
        """Evaluate `body` (JS expression using `h`, the handle, and `arg`) in the page."""
        return self.page.evaluate(
            f"([id, arg]) => {{ const h = {self.getter}; return ({body}); }}",
            [self.cell.id if self.cell else None, arg],
        )

    @property
    def renderer(self) -> str:
        return self.call("h.renderer")

    @property
    def n(self) -> int:
        return self.call("h.n")

    def n_epochs(self) -> int:
        return self.call("h.nEpochs()")

    def shown_epoch(self) -> int:
        return self.call("h.shownEpoch()")

    def positions(self) -> np.ndarray:
        """(N, 3) float32 [x=variability, y=confidence, color=correctness] of the shown epoch."""
        p = self.call(
            "(() => { const p = h.positions();"
            " return [Array.from(p.x), Array.from(p.y), Array.from(p.color)]; })()"
        )
        return np.asarray(p, dtype=np.float32).T

    def client_xy(self, i: int) -> tuple[float, float]:
        xy = self.call("h.clientXY(arg)", i)
        assert xy is not None, f"clientXY({i}) returned null"
        return float(xy["x"]), float(xy["y"])

    def selected_index(self):
        return self.call("h.selectedIndex()")

    def last_transition(self):
        return self.call("h.lastTransition()")

    def transitions_begun(self) -> list[int]:
        """Epochs whose transition began, in order (coalesced epochs never begin one)."""
        return [t["epoch"] for t in self.call("h.transitionsBegun()")]

    def painted_at(self, epoch: int):
        return self.call("h.paintedAt(arg)", epoch)

    def replay(self, k: int) -> None:
        self.call("h.replay(arg)", k)

    def now(self) -> float:
        return self.page.evaluate("() => performance.now()")

    # --- DOM --------------------------------------------------------------------------------
    @property
    def root(self):
        return self.page.locator(f'[data-test-view="{self.tag}"]')

    def part(self, css: str):
        return self.root.locator(css).first

    def text_of(self, css: str) -> str:
        """textContent of the first `css` element in this view ('' if none)."""
        return self.call(
            "(() => { const e = h.el.querySelector(arg); return e ? e.textContent : null; })()", css
        )

    def epoch_text(self) -> str:
        return self.text_of(".dmw-epoch").strip()

    def wait_for(self, body: str, arg=None, timeout: float = 30.0, polling: int = 50):
        """Wait until the JS expression `body` (using `h` and `arg`) is truthy."""
        self.page.wait_for_function(
            f"([id, arg]) => {{ const h = {self.getter}; return !!(h && ({body})); }}",
            arg=[self.cell.id if self.cell else None, arg],
            timeout=timeout * 1000,
            polling=polling,
        )

    def wait_epoch_text(self, expected: str, timeout: float = 30.0) -> None:
        try:
            self.wait_for(
                "(() => { const e = h.el.querySelector('.dmw-epoch');"
                " return e && e.textContent.trim() === arg; })()",
                expected,
                timeout,
            )
        except Exception as exc:
            raise AssertionError(
                f"epoch counter never read {expected!r}; it reads {self.text_of('.dmw-epoch')!r}"
            ) from exc

    def wait_painted(self, epoch: int, timeout: float = 30.0) -> float:
        self.wait_for("h.paintedAt(arg) !== null", epoch, timeout, polling=20)
        return self.painted_at(epoch)

    def wait_transition_done(
        self, after: float, timeout: float = 30.0, settle: float = 0.3, idle_ms: float = 1500.0
    ):
        """Wait until a transition that started after `after` (performance.now) stopped drawing
        (no new frame for `settle` s), or drew nothing at all for `idle_ms`. Returns it."""
        deadline = time.monotonic() + timeout
        last_end = None
        stable_since = None
        while time.monotonic() < deadline:
            t = self.last_transition()
            if t and t["start"] >= after:
                if t["end"] is None:
                    if self.now() - t["start"] > idle_ms:
                        return t
                elif t["end"] == last_end:
                    if stable_since and time.monotonic() - stable_since >= settle:
                        return t
                else:
                    last_end, stable_since = t["end"], time.monotonic()
            time.sleep(0.05)
        raise AssertionError(f"no finished transition after {after}: {self.last_transition()}")

    def map_box(self) -> dict:
        """Client rectangle of the map's plotting figure."""
        box = self.part(".dmw-map").bounding_box()
        assert box, "the .dmw-map element has no box (not rendered?)"
        return box

    def map_png(self) -> bytes:
        return self.part(".dmw-map").screenshot()

    def shot(self, step: str) -> Path:
        return self.nb.screenshot(step, locator=self.root)


# --- pixels ------------------------------------------------------------------------------------
def decode_png(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def save_png(pixels: np.ndarray, path: Path) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path


def pixel_patch(page, x: float, y: float, r: int = 1) -> np.ndarray:
    """(2r+1, 2r+1, 3) RGB pixels of the page around client point (x, y)."""
    png = page.screenshot(
        clip={"x": round(x) - r, "y": round(y) - r, "width": 2 * r + 1, "height": 2 * r + 1}
    )
    return decode_png(png)


def is_background(patch: np.ndarray, tol: int = 12) -> bool:
    """True when every pixel of the patch is near white (the map's empty background)."""
    return bool((patch >= 255 - tol).all())


def differing_pixels(a: np.ndarray, b: np.ndarray, tol: int = 24) -> int:
    if a.shape != b.shape:
        return max(a.size, b.size)
    return int((np.abs(a - b).max(axis=-1) > tol).sum())


def assert_close_positions(got: np.ndarray, want: np.ndarray, what: str, atol: float = 2e-5):
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    bad = np.flatnonzero(~np.isclose(got, want, atol=atol).all(axis=1))
    assert bad.size == 0, (
        f"{what}: {bad.size} of {len(got)} points differ, e.g. point {bad[0]}: "
        f"page {got[bad[0]].tolist()} vs python {want[bad[0]].tolist()}"
    )


class Screencast:
    """Record the frames Chromium composites (CDP Page.startScreencast) while something runs,
    to see a map transition's intermediate pictures without slowing it down."""

    def __init__(self, page):
        self.page = page
        self.frames: list[tuple[float, bytes]] = []
        self._cdp = None

    def _on_frame(self, params) -> None:
        import base64

        self.frames.append(
            (params["metadata"].get("timestamp", 0.0), base64.b64decode(params["data"]))
        )
        try:
            self._cdp.send("Page.screencastFrameAck", {"sessionId": params["sessionId"]})
        except Exception:
            pass

    def start(self) -> Screencast:
        self._cdp = self.page.context.new_cdp_session(self.page)
        self._cdp.on("Page.screencastFrame", self._on_frame)
        self._cdp.send("Page.startScreencast", {"format": "png", "everyNthFrame": 1})
        return self

    def stop(self) -> list[tuple[float, bytes]]:
        """The recorded frames, in the order they were drawn (CDP may deliver them shuffled)."""
        if self._cdp is not None:
            try:
                self._cdp.send("Page.stopScreencast")
            finally:
                self._cdp.detach()
                self._cdp = None
        self.frames.sort(key=lambda f: f[0])
        return self.frames

    @staticmethod
    def crop(png: bytes, box: dict) -> np.ndarray:
        img = decode_png(png)
        x0, y0 = round(box["x"]), round(box["y"])
        return img[y0 : y0 + int(box["height"]), x0 : x0 + int(box["width"])]
