"""Browser tests keep screenshots only when they fail: green runs leave test-artifacts/ empty
(issue 16, item 8). Runs the browser conftest's hook on two stand-in tests, no browser needed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STAND_INS = """
from harness import ARTIFACTS, safe_name


def shot(request, step):
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{safe_name(request.node.name)}-01-{step}.png").write_bytes(b"png")


def test_green(request):
    shot(request, "step")


def test_red(request):
    shot(request, "step")
    assert False, "fails on purpose"
"""


def run_stand_ins(tmp_path, **env):
    browser = tmp_path / "tests" / "browser"
    browser.mkdir(parents=True)
    for name in ("conftest.py", "harness.py"):
        shutil.copy(REPO / "tests" / "browser" / name, browser / name)
    (browser / "test_stand_ins.py").write_text(STAND_INS)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(browser)],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return sorted(p.name for p in (tmp_path / "test-artifacts").glob("*"))


def test_only_failing_tests_leave_screenshots(tmp_path):
    assert run_stand_ins(tmp_path) == ["test_red-01-step.png"]


def test_keep_them_all_on_request(tmp_path):
    kept = run_stand_ins(tmp_path, DATAMAP_KEEP_ARTIFACTS="1")
    assert kept == ["test_green-01-step.png", "test_red-01-step.png"]
