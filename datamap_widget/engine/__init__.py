"""The numeric engine: per-epoch model outputs in, the data map and what is derived from it out.

numpy and pandas only (scikit-learn and matplotlib imported where used), so a script records
and reads a run with no frontend. Nothing here imports ``widget/``, ``review/`` or
``integrations/``: they build on the engine, never the reverse (tests/test_import_boundaries.py).
"""

from datamap_widget.engine.dynamics import REGIONS, TrainingDynamics

__all__ = ["REGIONS", "TrainingDynamics"]
