"""Fixtures for browser tests: one JupyterLab and one Chromium per session, a fresh notebook
and kernel per test, and screenshots + page console saved to test-artifacts/ when a test fails.
A test that passes leaves none behind (its step screenshots are removed at its end), so green
runs do not pile pictures up; DATAMAP_KEEP_ARTIFACTS=1 keeps them all.

Missing Chromium or JupyterLab makes these tests FAIL with the install command, never skip:
CI installs them, so their absence is a broken set-up, not an optional feature.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `harness` is shared with benchmarks/

from harness import (
    ARTIFACTS,
    Browser,
    LabServer,
    NotebookPage,
    require_prerequisites,
    safe_name,
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def lab_server():
    problem = None
    try:
        require_prerequisites()
    except RuntimeError as exc:
        problem = str(exc)
    if problem:
        pytest.fail(problem, pytrace=False)
    server = LabServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium alone (pages that need no JupyterLab, e.g. a saved HTML map)."""
    try:
        require_prerequisites()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    chromium = Browser()
    try:
        chromium.start()
        yield chromium
    finally:
        chromium.stop()


@pytest.fixture(scope="session")
def chromium(lab_server, browser):
    return browser


@pytest.fixture
def notebook(request, lab_server, chromium):
    """A new notebook open in a new tab, its kernel started and idle."""
    nb = NotebookPage(lab_server, chromium.context, artifact_prefix=request.node.name)
    request.node._dmw_notebook = nb
    try:
        nb.open()
        yield nb
    finally:
        nb.close()


@pytest.fixture(scope="session")
def widget_available():
    """The widget under test must be in this checkout (fail, naming the missing files)."""
    from dmw import widget_missing

    missing = widget_missing()
    if missing:
        pytest.fail(f"DataMapWidget files missing: {missing}", pytrace=False)


@pytest.fixture
def wnb(notebook, widget_available):
    """A fresh notebook whose kernel has imported numpy and DataMapWidget."""
    from dmw import KERNEL_PRELUDE

    notebook.execute(KERNEL_PRELUDE, timeout=120)
    return notebook


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item._dmw_failed = True
    if report.when == "teardown" and not getattr(item, "_dmw_failed", False):
        _remove_artifacts_of(item)
    nb = getattr(item, "_dmw_notebook", None)
    if (
        report.failed
        and nb is not None
        and nb.page is not None
        and report.when in ("setup", "call")
    ):
        try:
            nb.screenshot(f"FAILED-{report.when}")
        except Exception as exc:  # a dead page must not hide the real failure
            nb.console.append(f"[harness] screenshot failed: {exc}")
        nb.save_console()


def _remove_artifacts_of(item) -> None:
    """A passing test's screenshots and logs are not kept (unless DATAMAP_KEEP_ARTIFACTS=1)."""
    if os.environ.get("DATAMAP_KEEP_ARTIFACTS") == "1" or not ARTIFACTS.is_dir():
        return
    for path in ARTIFACTS.glob(f"{safe_name(item.name)}-*"):
        if path.suffix in (".png", ".log"):
            path.unlink(missing_ok=True)
    try:
        ARTIFACTS.rmdir()  # only when nothing else is left in it
    except OSError:
        pass
