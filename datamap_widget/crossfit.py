"""Cross-fitted (out-of-fold) training dynamics, at its documented path.

The code is in ``datamap_widget.engine.crossfit``.
"""

from datamap_widget.engine.crossfit import *  # noqa: F403
from datamap_widget.engine.crossfit import __all__  # noqa: F401
