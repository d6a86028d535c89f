"""Review decisions on training examples and the corrected data they lead to.

Builds on the engine (run folders, ids); never imports the widget, which shows and sends the
decisions made in the page.
"""

from datamap_widget.review.log import VERDICTS, Decision, ReviewLog, apply_corrections

__all__ = ["VERDICTS", "Decision", "ReviewLog", "apply_corrections"]
