"""Importing the package or the integrations namespace never pulls in a deep-learning framework,
and the engine never pulls in the widget's frontend stack."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ["torch", "transformers", "keras", "tensorflow", "jax", "accelerate", "lightning"]
FRONTEND = ["anywidget", "ipywidgets", "bqplot", "bqplot_gl", "traitlets", "IPython"]


def loaded_after(statement: str, watched=HEAVY) -> list[str]:
    code = (
        f"import sys; {statement}; import json; "
        f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_package_and_integrations_namespace_stay_light():
    assert loaded_after("import datamap_widget, datamap_widget.integrations") == []
    assert loaded_after("import datamap_widget.integrations.sklearn") == []


def test_the_probe_detects_a_framework_import():
    # the check above can fail: importing the torch integration does load torch
    assert loaded_after("import datamap_widget.integrations.torch") == ["torch"]


def test_the_engine_imports_no_widget_machinery():
    """Scripts that only record dynamics (numpy/pandas) must not load the Jupyter stack."""
    assert loaded_after("import datamap_widget.dynamics", FRONTEND) == []
    assert loaded_after("from datamap_widget import TrainingDynamics", FRONTEND) == []
    assert (
        loaded_after("import datamap_widget.persistence, datamap_widget.cartography", FRONTEND)
        == []
    )


def test_the_frontend_probe_detects_a_widget_import():
    # the check above can fail: the widget does load them
    assert {"anywidget", "ipywidgets", "bqplot"} <= set(
        loaded_after("from datamap_widget import DataMapWidget", FRONTEND)
    )
