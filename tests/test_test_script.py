"""scripts/test.sh respects the user's machine: before anything is installed it names what is
missing (Node, a browser, Python) and how to get it, and it only ever installs into its own
.venv (issue 16, item 8). The full run is what CI does (.ci/run)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_script(tmp_path, *args, tools=("dirname",), **env):
    """scripts/test.sh with a PATH holding only `tools` (and python3 unless PYTHON says else)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    if not (bin_dir / "python3").exists():
        (bin_dir / "python3").symlink_to(sys.executable)
    environment = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "DATAMAP_VENV": str(tmp_path / "venv"),
        **env,
    }
    return subprocess.run(
        [shutil.which("bash"), str(REPO / "scripts" / "test.sh"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_missing_node_and_browser_are_named_with_the_fix_before_anything_is_installed(tmp_path):
    result = run_script(tmp_path, DATAMAP_CHROMIUM=str(tmp_path / "no-chromium"))
    assert result.returncode == 1, result.stdout + result.stderr
    message = result.stderr
    assert "Node.js with npm" in message and "https://nodejs.org" in message
    assert "Chromium for the browser tests" in message and "apt-get install chromium" in message
    assert "bash scripts/test.sh -m 'not browser'" in message
    assert not (tmp_path / "venv").exists()  # nothing was made or installed


def test_without_browser_tests_no_browser_is_asked_for(tmp_path):
    result = run_script(
        tmp_path, "-m", "not browser", DATAMAP_CHROMIUM=str(tmp_path / "no-chromium")
    )
    assert result.returncode == 1 and "Chromium" not in result.stderr
    assert "Node.js with npm" in result.stderr


def test_a_missing_or_old_python_is_named(tmp_path):
    result = run_script(tmp_path, PYTHON=str(tmp_path / "no-python"))
    assert result.returncode == 1 and "Python 3.10 or newer" in result.stderr


def test_the_script_installs_only_into_its_own_environment():
    text = (REPO / "scripts" / "test.sh").read_text()
    commands = [line.strip() for line in text.splitlines() if not line.strip().startswith("#")]
    assert not any(re.match(r"(sudo|as_root|apt-get|apt)\b", c) for c in commands)
    assert all(
        c.startswith('"$PY" -m pip') for c in commands if " pip install" in c or "-m pip" in c
    )
    assert '--index-url "$TORCH_CPU_INDEX"' in text
    assert "https://download.pytorch.org/whl/cpu" in text
    ci = (REPO / ".ci" / "run").read_text()
    assert "apt-get install" in ci and "scripts/test.sh" in ci  # CI may install the browser
