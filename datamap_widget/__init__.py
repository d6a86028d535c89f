"""Live, animated Data Maps (Dataset Cartography) of a training run in Jupyter.

The package has four parts, each a folder (docs/architecture.md has the plan):

- ``engine/``: the numeric core, numpy/pandas only: ``TrainingDynamics`` records a run and
  derives the map, its rankings, label issues, cross-fitting, saved runs and the matplotlib
  figure. It imports nothing from the other parts.
- ``review/``: decisions about examples (``ReviewLog``), their ``reviews.jsonl`` and the
  corrected data. It imports the engine only.
- ``widget/``: the anywidget (``DataMapWidget``), its bqplot figure and what it sends the page.
- ``integrations/``: one module per training framework, each importing its framework lazily.

The engine is importable without any widget machinery; the widget is loaded on first use so
that scripts that only record dynamics stay light. ``datamap_widget.crossfit``,
``datamap_widget.reviews`` and ``datamap_widget.plotting`` are the documented paths of
``engine.crossfit``, ``review`` and ``engine.plotting``.
"""

from datamap_widget.engine.dynamics import REGIONS, TrainingDynamics

__all__ = ["REGIONS", "DataMapWidget", "TrainingDynamics"]
__version__ = "0.1.0"


def __getattr__(name):
    if name == "DataMapWidget":
        from datamap_widget.widget import DataMapWidget

        return DataMapWidget
    raise AttributeError(f"module 'datamap_widget' has no attribute {name!r}")
