"""Review decisions and corrected labels, at their documented path.

The code is in ``datamap_widget.review``.
"""

from datamap_widget.review import *  # noqa: F403
from datamap_widget.review import __all__  # noqa: F401
