"""The Jupyter widget: an anywidget that draws the engine's map live and relays the page.

Imports anywidget, ipywidgets and bqplot, so it is loaded only when ``DataMapWidget`` is first
used (``datamap_widget.__getattr__``).
"""

from datamap_widget.widget._data_map import DataMapWidget

__all__ = ["DataMapWidget"]
