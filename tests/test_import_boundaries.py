"""The package's parts import each other one way only (docs/architecture.md): the engine builds
on nothing of ours, review on the engine, the widget and the integrations on both below them.
Checked on the source (every import statement, lazy ones inside functions included) and by
importing the engine in a fresh interpreter."""

import ast
import sys
from pathlib import Path

import pytest
from _scripts import modules_loaded_after

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datamap_widget"
PARTS = ("engine", "review", "widget", "integrations")
# part -> the parts it must never import (datasets: the tutorials' data, a leaf of its own)
FORBIDDEN = {
    "engine": {"review", "widget", "integrations", "datasets"},
    "review": {"widget", "integrations", "datasets"},
    "integrations": {"widget", "review"},
}
FRONTEND = ["anywidget", "ipywidgets", "bqplot", "bqplot_gl", "traitlets", "IPython"]
DOCUMENTED_PATHS = {  # module path users were shown -> where the code lives
    "datamap_widget.crossfit": "datamap_widget.engine.crossfit",
    "datamap_widget.plotting": "datamap_widget.engine.plotting",
    "datamap_widget.reviews": "datamap_widget.review",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every datamap_widget module an import statement in ``path`` names (absolute or relative)."""
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import mod`
    return {m for m in found if m == "datamap_widget" or m.startswith("datamap_widget.")}


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def violations(part: str) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / part).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            if part_of(module) in FORBIDDEN[part]:
                bad.append(f"{path.relative_to(REPO)} imports {module}")
    return bad


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_a_part_imports_nothing_from_the_parts_above_it(part):
    assert violations(part) == []


def test_every_module_belongs_to_a_part():
    """Code at the top level is the package's front door only: no new flat modules."""
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    shims = {name.rpartition(".")[2] for name in DOCUMENTED_PATHS}
    assert set(top) == {"__init__", "datasets"} | shims, top
    assert all((PACKAGE / part / "__init__.py").exists() for part in PARTS)


def test_the_checker_sees_a_backwards_import(tmp_path, monkeypatch):
    """The check above can fail: a lazy import inside a function and a relative one count."""
    engine = tmp_path / "datamap_widget" / "engine"
    engine.mkdir(parents=True)
    (engine / "bad.py").write_text(
        "def f():\n    from datamap_widget.widget import DataMapWidget\nfrom ..review import log\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "datamap_widget")
    assert violations("engine") == [
        "datamap_widget/engine/bad.py imports datamap_widget.review",
        "datamap_widget/engine/bad.py imports datamap_widget.review.log",
        "datamap_widget/engine/bad.py imports datamap_widget.widget",
        "datamap_widget/engine/bad.py imports datamap_widget.widget.DataMapWidget",
    ]


def loaded_after(statement: str) -> list[str]:
    return modules_loaded_after(statement, FRONTEND)


def test_the_engine_loads_no_widget_machinery():
    """Scripts that only record dynamics (numpy/pandas) must not load the Jupyter stack."""
    assert loaded_after("import datamap_widget; from datamap_widget import TrainingDynamics") == []
    modules = sorted(module_name(p) for p in (PACKAGE / "engine").glob("*.py"))
    assert loaded_after("; ".join(f"import {m}" for m in modules)) == []
    assert loaded_after("import datamap_widget.review, datamap_widget.reviews") == []


def test_the_frontend_probe_detects_a_widget_import():
    # the checks above can fail: the widget does load them
    assert {"anywidget", "ipywidgets", "bqplot"} <= set(
        loaded_after("from datamap_widget import DataMapWidget")
    )


@pytest.mark.parametrize("documented, home", sorted(DOCUMENTED_PATHS.items()))
def test_documented_module_paths_still_work(documented, home):
    import importlib

    old, new = importlib.import_module(documented), importlib.import_module(home)
    assert old.__all__ == new.__all__
    assert all(getattr(old, name) is getattr(new, name) for name in new.__all__)
