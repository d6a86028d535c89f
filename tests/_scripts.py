"""Run Python in a fresh interpreter with this checkout first on its path (multi-process tests,
benchmark smoke runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_python(args: list[str], *, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """``python *args`` in the repository root; stdout and stderr captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", **env},
    )


def run_node_json(script: str, *args: str, stdin: str | None = None, timeout: float = 120):
    """Run an ES-module ``script`` under Node (the page's real modules, no browser) and return
    the JSON it prints; a failing script fails the test with Node's stderr."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def modules_loaded_after(statement: str, watched: list[str]) -> list[str]:
    """Which of ``watched`` a fresh interpreter has imported after running ``statement``."""
    code = (
        f"import sys; {statement}; import json; "
        f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    )
    out = run_python(["-c", code])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])
