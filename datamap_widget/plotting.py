"""The Dataset Cartography figure drawn with matplotlib, at its documented path.

The code is in ``datamap_widget.engine.plotting``.
"""

from datamap_widget.engine.plotting import *  # noqa: F403
from datamap_widget.engine.plotting import __all__  # noqa: F401
