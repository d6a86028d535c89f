"""Importing the package or the integrations namespace never pulls in a deep-learning framework
(the engine's frontend-free imports are checked in test_import_boundaries.py)."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ["torch", "transformers", "keras", "tensorflow", "jax", "accelerate", "lightning"]


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
