"""The committed JS bundles (the widget's, and the saved HTML map's) are what the sources build to,
and they ship in the wheel (no Node at install)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
JS = ROOT / "js"
BUNDLE = ROOT / "datamap_widget" / "static" / "widget.js"
STANDALONE = ROOT / "datamap_widget" / "static" / "standalone.js"


def _ensure_node_modules():
    if not (JS / "node_modules" / "esbuild").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to rebuild the bundle (see js/package.json)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300)


def test_committed_bundles_match_a_fresh_build(tmp_path):
    _ensure_node_modules()
    subprocess.run(["node", "build.mjs", str(tmp_path)], cwd=JS, check=True, timeout=120)
    for committed in (BUNDLE, STANDALONE):
        assert (tmp_path / committed.name).read_bytes() == committed.read_bytes(), (
            f"datamap_widget/static/{committed.name} is stale: run `cd js && npm ci && npm run "
            "build` and commit it"
        )


def test_esbuild_is_pinned_exactly():
    import json

    package = json.loads((JS / "package.json").read_text())
    version = package["devDependencies"]["esbuild"]
    assert version[0].isdigit(), f"esbuild must be pinned to an exact version, got {version!r}"
    lock = json.loads((JS / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/esbuild"]["version"] == version


def test_widget_points_at_the_bundle():
    from datamap_widget.widget import DataMapWidget

    # anywidget reads the file given as `_esm`; its text must be the committed bundle
    assert str(DataMapWidget._esm) == BUNDLE.read_text()
    assert "export {" in BUNDLE.read_text()


@pytest.mark.slow
def test_wheel_contains_the_built_js(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("datamap_widget-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "datamap_widget/static/widget.js" in names
        assert "datamap_widget/static/widget.css" in names
        assert archive.read("datamap_widget/static/widget.js") == BUNDLE.read_bytes()
        assert archive.read("datamap_widget/static/standalone.js") == STANDALONE.read_bytes()
