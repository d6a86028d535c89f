"""Colours shared by the widget's figure and the matplotlib figure (the page's own are in
js/src/map_style.js), so that a saved figure reads like the live map."""

CORRECTNESS_COLORS = ["#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4"]
"""Red (never correct) to blue (always correct): ColorBrewer RdYlBu, readable for most colour-blind readers."""
REGION_COLORS = {"easy-to-learn": "#4575b4", "ambiguous": "#9b59b6", "hard-to-learn": "#d73027"}
CATEGORY_COLORS = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]
"""Tableau 10, repeated for more classes (gold-label colouring)."""
