"""House rules, enforced: ruff (Python lint + format), biome (JS lint + format) and tsc (the
page's pure modules) report nothing.

The rule sets live in pyproject.toml ([tool.ruff]) and js/biome.json; fix what they report with
`ruff format . && ruff check --fix .` and `cd js && npm run format`.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
JS = ROOT / "js"


def _run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def _ruff(*args):
    return _run([sys.executable, "-m", "ruff", *args], ROOT)


def test_python_passes_ruff_lint():
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def test_python_is_ruff_formatted():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, f"files need `ruff format`:\n{result.stdout}{result.stderr}"


def test_js_passes_biome_lint_and_format():
    biome = JS / "node_modules" / ".bin" / "biome"
    if not biome.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to run biome (see js/package.json)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300)
    result = _run([str(biome), "check", "--max-diagnostics=50"], JS)
    assert result.returncode == 0, f"biome check found problems:\n{result.stdout}{result.stderr}"


def test_pure_js_modules_type_check():
    """The page's pure modules (`// @ts-check`, listed in js/tsconfig.json) pass tsc --checkJs."""
    tsc = JS / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to run tsc (see js/package.json)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300)
    result = _run([str(tsc), "-p", "tsconfig.json"], JS)
    assert result.returncode == 0, f"tsc found type errors:\n{result.stdout}{result.stderr}"


def test_linters_are_pinned():
    """Formatting differs between releases: unpinned linters would fail CI on their own update."""
    import json
    import re

    test_extra = re.search(
        r"^test = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S
    )
    assert test_extra and re.search(r'"ruff==[0-9.]+"', test_extra.group(1)), "pin ruff== in [test]"
    dev = json.loads((JS / "package.json").read_text())["devDependencies"]
    for name in ("@biomejs/biome", "typescript"):
        assert dev[name][0].isdigit(), f"{name} must be pinned exactly, got {dev[name]!r}"
