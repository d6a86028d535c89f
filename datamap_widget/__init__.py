"""Live, animated Data Maps (Dataset Cartography) of a training run in Jupyter.

The numeric engine (`TrainingDynamics`) is importable without any widget machinery; the widget
(`DataMapWidget`) is loaded on first use so that scripts that only record dynamics stay light.
Framework integrations live in `datamap_widget.integrations` and import their framework lazily.
"""

from datamap_widget.dynamics import REGIONS, TrainingDynamics

__all__ = ["REGIONS", "DataMapWidget", "TrainingDynamics"]
__version__ = "0.1.0"


def __getattr__(name):
    if name == "DataMapWidget":
        from datamap_widget.widget import DataMapWidget

        return DataMapWidget
    raise AttributeError(f"module 'datamap_widget' has no attribute {name!r}")
