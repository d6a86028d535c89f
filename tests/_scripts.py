"""Run Python in a fresh interpreter with this checkout first on its path (multi-process tests,
benchmark smoke runs)."""

from __future__ import annotations

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
