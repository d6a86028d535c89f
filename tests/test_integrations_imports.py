"""Importing the package or the integrations namespace never pulls in a deep-learning framework
(the engine's frontend-free imports are checked in test_import_boundaries.py)."""

from _scripts import modules_loaded_after

HEAVY = ["torch", "transformers", "keras", "tensorflow", "jax", "accelerate", "lightning"]


def loaded_after(statement: str) -> list[str]:
    return modules_loaded_after(statement, HEAVY)


def test_package_and_integrations_namespace_stay_light():
    assert loaded_after("import datamap_widget, datamap_widget.integrations") == []
    assert loaded_after("import datamap_widget.integrations.sklearn") == []


def test_the_probe_detects_a_framework_import():
    # the check above can fail: importing the torch integration does load torch
    assert loaded_after("import datamap_widget.integrations.torch") == ["torch"]
