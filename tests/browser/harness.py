"""Drive a real JupyterLab in Debian's headless Chromium through Playwright.

Shared by the browser tests (through `conftest.py`) and `benchmarks/bench_widget.py`, so it has
no pytest dependency. It starts one `jupyter lab` on a random port with a token and settings
that keep screenshots clean and every output rendered, opens notebooks each with a fresh kernel,
and runs code in them either as visible cells (so widgets render in the page) or silently
through the kernel (to read Python state back as JSON).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
LAB_SETTINGS = Path(__file__).resolve().parent / "lab_settings"
CHROMIUM = os.environ.get("DATAMAP_CHROMIUM", "/usr/bin/chromium")
# Flags measured to work on these machines (see the browser-testing notes). No --use-gl:
# WebGL already runs on SwiftShader, and forcing it kills the GPU process.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
VIEWPORT = {"width": 1400, "height": 1300}
INSTALL_HINT = (
    "Install them with: apt-get install -y chromium; python -m pip install jupyterlab "
    "playwright pillow anywidget bqplot bqplot-gl ipywidgets (scripts/test.sh does both). "
    "Never run `playwright install`: the tests use Debian's /usr/bin/chromium."
)
# Runs in every page before its own scripts: opts this browser into the widget's test hooks (each
# rendered view then hangs a handle on its element, `el.__datamapWidget`, and tracks its paints).
TEST_HOOKS_INIT = "window.__datamapWidgetTestHooks = true;"


def missing_prerequisites() -> list[str]:
    """What the browser tests need but this machine lacks (empty when all is there)."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium executable {CHROMIUM} (Debian package `chromium`)")
    for module, package in [
        ("jupyterlab", "jupyterlab"),
        ("playwright", "playwright"),
        ("ipykernel", "ipykernel"),
        ("ipywidgets", "ipywidgets"),
        ("anywidget", "anywidget"),
        ("bqplot", "bqplot"),
        ("bqplot_gl", "bqplot-gl"),
        ("PIL", "pillow"),
    ]:
        if importlib.util.find_spec(module) is None:
            missing.append(f"Python package {package}")
    return missing


def require_prerequisites() -> None:
    """Raise a RuntimeError that names what is missing and how to install it."""
    missing = missing_prerequisites()
    if missing:
        raise RuntimeError(
            "Browser tests cannot run, missing: " + "; ".join(missing) + ". " + INSTALL_HINT
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120] or "unnamed"


class LabServer:
    """One `jupyter lab` (or, with app="notebook", `jupyter notebook`, Notebook 7) process with its
    own root, settings, workspaces and runtime dirs."""

    def __init__(
        self, base_dir: str | Path | None = None, log_path: Path | None = None, app: str = "lab"
    ):
        if app not in ("lab", "notebook"):
            raise ValueError(f"app must be 'lab' or 'notebook', not {app!r}")
        self.app = app
        self._owns_dir = base_dir is None
        self.base_dir = Path(base_dir or tempfile.mkdtemp(prefix="dmw-lab-"))
        self.root_dir = self.base_dir / "root"
        self.token = uuid.uuid4().hex
        self.port = None
        self.proc = None
        self.log_path = log_path or (ARTIFACTS / "jupyterlab-server.log")
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path.lstrip('/')}{sep}token={self.token}"

    def start(self, timeout: float = 90.0) -> LabServer:
        require_prerequisites()
        for sub in ("root", "app-settings", "user-settings", "workspaces", "runtime", "ipython"):
            (self.base_dir / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(LAB_SETTINGS / "overrides.json", self.base_dir / "app-settings")
        env = dict(os.environ)
        # The kernel imports datamap_widget from this checkout, installed or not.
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH")] if p)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.base_dir / "user-settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.base_dir / "workspaces")
        env["JUPYTER_RUNTIME_DIR"] = str(self.base_dir / "runtime")
        env["IPYTHONDIR"] = str(self.base_dir / "ipython")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 (the server's log, open while it runs)
        last_error = None
        for _attempt in range(3):  # a random port can be taken between probe and bind
            self.port = free_port()
            module, app_class = (
                ("jupyterlab", "LabApp")
                if self.app == "lab"
                else ("notebook", "JupyterNotebookApp")
            )
            cmd = [
                sys.executable,
                "-m",
                module,
                "--no-browser",
                "--allow-root",
                f"--port={self.port}",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root_dir}",
                f"--{app_class}.app_settings_dir={self.base_dir / 'app-settings'}",
                f"--{app_class}.expose_app_in_browser=True",
            ]
            self.proc = subprocess.Popen(
                cmd,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.root_dir,
                start_new_session=True,
            )
            try:
                self._wait_ready(timeout)
                return self
            except RuntimeError as exc:
                last_error = exc
                self.stop()
                self._log = open(self.log_path, "a")  # noqa: SIM115 (as above)
        raise RuntimeError(f"JupyterLab did not start: {last_error}; see {self.log_path}")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}")
            try:
                self.api("GET", "api/status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        raise RuntimeError(f"no answer from /api/status within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server and its kernels: the process group we started, by its PID."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # our own session: server + its kernels
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            # Kernels may linger a moment after the server; they share its process group.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        """Stop, then remove the temporary dirs this server created."""
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    # --- REST -------------------------------------------------------------------------------
    def api(self, method: str, path: str, body=None, timeout: float = 30.0):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def create_notebook(self, name: str) -> str:
        nb = {
            "cells": [],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        self.api(
            "PUT", f"api/contents/{name}", {"type": "notebook", "format": "json", "content": nb}
        )
        return name

    def delete_sessions(self, path: str | None = None) -> None:
        """Shut down the kernels of `path`'s sessions (all sessions when None)."""
        for session in self.api("GET", "api/sessions") or []:
            if path is None or session.get("path") == path:
                try:
                    self.api("DELETE", f"api/sessions/{session['id']}")
                except urllib.error.HTTPError:
                    pass


class Browser:
    """A Playwright-driven Debian Chromium with a fresh profile."""

    def __init__(self):
        self._pw = None
        self.context = None
        self.user_data_dir = None

    def start(self) -> Browser:
        require_prerequisites()
        from playwright.sync_api import sync_playwright

        self.user_data_dir = tempfile.mkdtemp(prefix="dmw-chromium-")
        self._pw = sync_playwright().start()
        try:
            self.context = self._pw.chromium.launch_persistent_context(
                self.user_data_dir,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,
            )
        except Exception:
            self._pw.stop()
            raise
        self.context.add_init_script(TEST_HOOKS_INIT)
        return self

    def stop(self) -> None:
        try:
            if self.context is not None:
                self.context.close()
        finally:
            self.context = None
            if self._pw is not None:
                self._pw.stop()
                self._pw = None
            if self.user_data_dir:
                shutil.rmtree(self.user_data_dir, ignore_errors=True)


# Installed into the page: runs cells through JupyterLab's own commands, runs silent code through
# the kernel, and remembers each run's state so Python can wait on it with a timeout.
PAGE_HELPERS = r"""
() => {
  if (window.__t) return;
  window.__t = {
    seq: 0, runs: {},
    panel() { return window.__testPanel; },
    kernel() { const s = this.panel().sessionContext.session; return s ? s.kernel : null; },
    kernelStatus() { const k = this.kernel(); return k ? k.status : 'none'; },
    cellById(id) {
      return this.panel().content.widgets.find(c => c.node.dataset.testCell === id) || null;
    },
    run(code) {
      const nb = this.panel().content, model = nb.model;
      const idx = model.cells.length;
      model.sharedModel.insertCell(idx, {cell_type: 'code', source: code});
      nb.activeCellIndex = idx;
      const id = 'c' + (++this.seq);
      nb.widgets[idx].node.dataset.testCell = id;
      const r = this.runs[id] = {done: false, ok: null, error: null, idx};
      window.jupyterapp.commands.execute('notebook:run-cell').then(
        ok => { r.done = true; r.ok = ok; },
        e => { r.done = true; r.ok = false; r.error = String(e); });
      return id;
    },
    cellState(id) {
      const cell = this.cellById(id), r = this.runs[id];
      if (!cell) return {missing: true};
      const outputs = cell.model.outputs.toJSON();
      return {done: r.done, ok: r.ok, error: r.error,
              executionState: cell.model.executionState || null,
              executionCount: cell.model.executionCount, outputs};
    },
    dmwAll(root) {
      // Test handles of the Data Map widget views under `root` (the page when omitted), in page order.
      return Array.from((root || document).querySelectorAll('.datamap-widget'))
        .map(el => el.__datamapWidget).filter(Boolean);
    },
    dmw(id) {
      // The Data Map widget handle rendered inside cell `id` (the last one if several).
      const cell = this.cellById(id);
      const mine = cell ? this.dmwAll(cell.node) : [];
      return mine.length ? mine[mine.length - 1] : null;
    },
    exec(code) {
      const id = 'x' + (++this.seq);
      const r = this.runs[id] = {done: false, out: '', err: null};
      const fut = this.kernel().requestExecute({code, silent: false, store_history: false});
      fut.onIOPub = msg => {
        const t = msg.header.msg_type, c = msg.content;
        if (t === 'stream') r.out += c.text;
        if (t === 'error') r.err = c.ename + ': ' + c.evalue + '\n' + (c.traceback || []).join('\n');
      };
      fut.done.then(() => { r.done = true; }, e => { r.done = true; r.err = r.err || String(e); });
      return id;
    },
  };
}
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class CellError(AssertionError):
    """A cell run from the test raised in the kernel."""


class Cell:
    """A code cell the test added and ran; `wait()` blocks until the kernel finished it."""

    def __init__(self, notebook: NotebookPage, cell_id: str):
        self.notebook = notebook
        self.id = cell_id

    @property
    def selector(self) -> str:
        return f'[data-test-cell="{self.id}"]'

    @property
    def output(self):
        """Locator of this cell's rendered outputs."""
        return self.notebook.page.locator(f"{self.selector} .jp-OutputArea-output")

    def state(self) -> dict:
        return self.notebook.page.evaluate("id => __t.cellState(id)", self.id)

    def running(self) -> bool:
        return not self.state().get("done", True)

    def wait(self, timeout: float = 60.0) -> Cell:
        self.notebook.page.wait_for_function(
            "id => __t.runs[id] && __t.runs[id].done", arg=self.id, timeout=timeout * 1000
        )
        st = self.state()
        errors = [o for o in st["outputs"] if o.get("output_type") == "error"]
        if errors or st.get("error"):
            tb = "\n".join(_ANSI.sub("", "\n".join(e.get("traceback", []))) for e in errors)
            raise CellError(f"cell {self.id} failed: {st.get('error') or ''}\n{tb}")
        return self

    def text(self) -> str:
        """Concatenated stream / text/plain outputs (from the cell model, not the DOM)."""
        parts = []
        for o in self.state()["outputs"]:
            if o.get("output_type") == "stream":
                t = o.get("text", "")
                parts.append("".join(t) if isinstance(t, list) else t)
            elif "data" in o and "text/plain" in o["data"]:
                t = o["data"]["text/plain"]
                parts.append("".join(t) if isinstance(t, list) else t)
        return "".join(parts)


class NotebookPage:
    """A JupyterLab tab on a new notebook with its own fresh kernel."""

    def __init__(
        self, lab: LabServer, context, name: str | None = None, artifact_prefix: str = "notebook"
    ):
        self.lab = lab
        self.context = context
        self.name = name or f"t-{uuid.uuid4().hex[:10]}.ipynb"
        self.workspace = "ws" + uuid.uuid4().hex[:10]
        self.artifact_prefix = safe_name(artifact_prefix)
        self.page = None
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self._shots = 0

    # --- lifecycle --------------------------------------------------------------------------
    def open(self, timeout: float = 90.0) -> NotebookPage:
        for stale in ARTIFACTS.glob(f"{self.artifact_prefix}-*"):  # from an earlier run
            if stale.suffix in (".png", ".log"):
                stale.unlink(missing_ok=True)
        self.lab.create_notebook(self.name)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"))
        self.page.on("dialog", self._on_dialog)
        self._goto(timeout)
        return self

    def _on_dialog(self, dialog) -> None:
        try:
            if dialog.type == "beforeunload":  # JupyterLab's "leave page?" on reload
                dialog.accept()
                return
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()
        except Exception:
            pass

    def _goto(self, timeout: float) -> None:
        path = (
            f"lab/workspaces/{self.workspace}/tree/{self.name}"
            if self.lab.app == "lab"
            else f"notebooks/{self.name}"
        )
        self.page.goto(self.lab.url(path), wait_until="domcontentloaded", timeout=timeout * 1000)
        self._attach(timeout)

    def _attach(self, timeout: float) -> None:
        """Find our notebook panel, install the helpers, wait for an idle kernel."""
        self.page.wait_for_function(
            """name => {
                 const app = window.jupyterapp; if (!app || !app.shell) return false;
                 for (const w of app.shell.widgets('main')) {
                   if (w.context && w.context.path === name && w.sessionContext) {
                     window.__testPanel = w; return true; }
                 }
                 return false; }""",
            arg=self.name,
            timeout=timeout * 1000,
            polling=200,
        )
        self.page.evaluate(PAGE_HELPERS)
        self.page.wait_for_function(
            """() => { const p = window.__testPanel;
                 return p.context.isReady && p.sessionContext.isReady &&
                        __t.kernelStatus() === 'idle'; }""",
            timeout=timeout * 1000,
            polling=200,
        )
        # The notebook must be the active tab so notebook:run-cell targets it; the file
        # browser is collapsed to leave the notebook (and screenshots) the whole width.
        self.page.evaluate("""() => { const app = window.jupyterapp;
            app.shell.activateById(window.__testPanel.id);
            if (app.shell.collapseLeft) app.shell.collapseLeft(); }""")

    def save(self, timeout: float = 30.0) -> None:
        """Save the notebook (its cells and outputs) to disk, e.g. before a reload."""
        self.page.evaluate("() => window.__testPanel.context.save()")
        self.page.wait_for_function(
            "() => !window.__testPanel.context.model.dirty", timeout=timeout * 1000
        )

    def reload(self, timeout: float = 90.0) -> None:
        """Reload the tab; the kernel (and its widgets) stays alive."""
        self.page.reload(wait_until="domcontentloaded", timeout=timeout * 1000)
        self._attach(timeout)

    def close(self) -> None:
        try:
            if self.page is not None:
                self.page.close()
        finally:
            self.page = None
            try:
                self.lab.delete_sessions(self.name)
            except Exception:
                pass

    # --- running code -----------------------------------------------------------------------
    def run_nowait(self, code: str) -> Cell:
        """Add a cell at the end and start it; returns at once (the kernel may stay busy)."""
        return Cell(self, self.page.evaluate("code => __t.run(code)", code))

    def run(self, code: str, timeout: float = 60.0) -> Cell:
        """Add a cell at the end, run it, wait until it finished; raise CellError on error."""
        return self.run_nowait(code).wait(timeout)

    def execute(self, code: str, timeout: float = 60.0) -> str:
        """Run code silently in the kernel (no cell, nothing rendered); return its stdout."""
        xid = self.page.evaluate("code => __t.exec(code)", code)
        self.page.wait_for_function("id => __t.runs[id].done", arg=xid, timeout=timeout * 1000)
        r = self.page.evaluate("id => __t.runs[id]", xid)
        if r["err"]:
            raise CellError(_ANSI.sub("", r["err"]))
        return r["out"]

    def py(self, expr: str, timeout: float = 60.0):
        """Evaluate a Python expression in the kernel and return its value through JSON."""
        code = f"import json as __json\nprint('\\x1eJSON' + __json.dumps({expr}) + '\\x1e')"
        out = self.execute(code, timeout)
        m = re.search("\x1eJSON(.*)\x1e", out, re.S)
        if not m:
            raise CellError(f"no JSON from {expr!r}; stdout was {out!r}")
        return json.loads(m.group(1))

    def kernel_status(self) -> str:
        return self.page.evaluate("() => __t.kernelStatus()")

    def wait_kernel_idle(self, timeout: float = 60.0) -> None:
        self.page.wait_for_function(
            "() => __t.kernelStatus() === 'idle'", timeout=timeout * 1000, polling=100
        )

    def wait_output(self, selector: str, cell: Cell | None = None, timeout: float = 30.0):
        """Wait for `selector` inside a rendered output (of `cell`, or of any cell)."""
        scope = f"{cell.selector} .jp-OutputArea-output" if cell else ".jp-OutputArea-output"
        loc = self.page.locator(f"{scope} {selector}").first
        loc.wait_for(state="attached", timeout=timeout * 1000)
        return loc

    # --- artifacts --------------------------------------------------------------------------
    def screenshot(self, step: str, locator=None) -> Path:
        """Save a PNG under test-artifacts/ named after the test and the step."""
        self._shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.artifact_prefix}-{self._shots:02d}-{safe_name(step)}.png"
        # An element screenshot would scroll the notebook to the element and move every point
        # a test has measured: clip a viewport screenshot to the element's visible part instead.
        clip = None
        if locator is not None:
            box, view = locator.bounding_box(), self.page.viewport_size
            if box and view:
                x0, y0 = max(box["x"], 0), max(box["y"], 0)
                x1 = min(box["x"] + box["width"], view["width"])
                y1 = min(box["y"] + box["height"], view["height"])
                if x1 - x0 >= 1 and y1 - y0 >= 1:
                    clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
        self.page.screenshot(path=str(path), clip=clip)
        return path

    def save_console(self, suffix: str = "console") -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.artifact_prefix}-{safe_name(suffix)}.log"
        path.write_text("\n".join(self.console + [f"[dialog] {d}" for d in self.dialogs]))
        return path
