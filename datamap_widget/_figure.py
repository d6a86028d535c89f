"""The bqplot figures the widget's page drives: the data map and the per-example trajectory chart.

Python builds them once with fixed scales; afterwards the browser sets their marks' x/y/color
directly (no kernel round trip), so the map keeps moving and answering clicks while a training
cell is busy. The marks are created empty-but-sized here and filled by the page.
"""

from __future__ import annotations

import bqplot as bq
import numpy as np
from ipywidgets import Layout

from datamap_widget._palette import CORRECTNESS_COLORS

ANIMATION_MS = 500
MAP_MARGIN = {"top": 20, "bottom": 52, "left": 62, "right": 92}


def _marker_size(n_points: int) -> int:
    """Marker area in px^2: big enough to click at a few thousand points, small enough at 43k."""
    if n_points <= 500:
        return 64
    if n_points <= 5000:
        return 36
    return 12


def build_map(
    n_points: int, renderer: str, variability_threshold: float, confidence_threshold: float
):
    """Return (figure, parts) where parts names the models the page drives."""
    sx = bq.LinearScale(min=0.0, max=0.5, allow_padding=False)
    sy = bq.LinearScale(min=0.0, max=1.0, allow_padding=False)
    sc = bq.ColorScale(min=0.0, max=1.0, colors=CORRECTNESS_COLORS)
    # Big maps are drawn by the page's own raster layer (js/src/raster.js): their bqplot-gl mark
    # stays empty and hidden, so no N-sized zeros travel for it.
    zeros = np.zeros(n_points if renderer != "gl" else 0, dtype=np.float32)
    common = dict(
        x=zeros,
        y=zeros,
        color=zeros,
        scales={"x": sx, "y": sy, "color": sc},
        default_size=_marker_size(n_points),
        visible=False,  # shown by the page once an epoch is logged
    )
    if renderer == "gl":
        from bqplot_gl import ScatterGL

        points = ScatterGL(**common)
    else:
        points = bq.Scatter(stroke_width=0, **common)

    guides = bq.Lines(
        scales={"x": sx, "y": sy},
        colors=["#777777"],
        line_style="dashed",
        stroke_width=1.5,
    )
    regions = bq.Label(
        text=["easy-to-learn", "ambiguous", "hard-to-learn"],
        scales={"x": sx, "y": sy},
        colors=["#444444"],
        default_size=13,
        font_weight="bolder",
        align="start",
    )
    highlight = bq.Scatter(
        x=np.zeros(1, dtype=np.float32),
        y=np.zeros(1, dtype=np.float32),
        scales={"x": sx, "y": sy},
        colors=["#111111"],
        fill=False,
        stroke="#111111",
        stroke_width=2.5,
        default_size=260,
        visible=False,
    )
    place_region_guides(guides, regions, variability_threshold, confidence_threshold)
    axes = [
        bq.Axis(scale=sx, label="variability", tick_format=".2f", grid_lines="none"),
        bq.Axis(scale=sy, label="confidence", side="left", tick_format=".1f", grid_lines="none"),
        bq.ColorAxis(scale=sc, label="correctness", side="right", tick_format=".1f"),
    ]
    figure = bq.Figure(
        marks=[guides, points, regions, highlight],
        axes=axes,
        animation_duration=ANIMATION_MS,
        fig_margin=dict(MAP_MARGIN),
        display_toolbar=False,  # pan/zoom would break the fixed axes
        layout=Layout(width="640px", height="460px"),
        title="",
    )
    parts = {
        "map": figure,
        "points": points,
        "highlight": highlight,
        "guides": guides,
        "regions": regions,
    }
    return figure, parts


def place_region_guides(guides, regions, variability_threshold: float, confidence_threshold: float):
    """Dashed lines at the thresholds and the region names inside their regions."""
    vt, ct = float(variability_threshold), float(confidence_threshold)
    with guides.hold_sync():
        guides.x = np.array([[vt, vt], [0.0, vt]])
        guides.y = np.array([[0.0, 1.0], [ct, ct]])
    with regions.hold_sync():
        regions.x = [0.008, min(vt + 0.01, 0.40), 0.008]
        regions.y = [0.965, 0.965, 0.02]


def build_trajectory():
    """Small p(gold)-per-epoch chart: line, 0.5 guide, markers for correct (o) / incorrect (x) epochs."""
    sx = bq.LinearScale(min=0.5, max=1.5, allow_padding=False)
    sy = bq.LinearScale(min=0.0, max=1.0, allow_padding=False)
    empty = np.zeros(0, dtype=np.float32)
    line = bq.Lines(
        x=empty, y=empty, scales={"x": sx, "y": sy}, colors=["#555555"], stroke_width=1.5
    )
    half = bq.Lines(
        x=np.array([0.5, 1.5]),
        y=np.array([0.5, 0.5]),
        scales={"x": sx, "y": sy},
        colors=["#999999"],
        line_style="dashed",
        stroke_width=1,
    )
    right = bq.Scatter(
        x=empty,
        y=empty,
        scales={"x": sx, "y": sy},
        colors=["#4575b4"],
        marker="circle",
        default_size=48,
        stroke_width=0,
    )
    wrong = bq.Scatter(
        x=empty,
        y=empty,
        scales={"x": sx, "y": sy},
        colors=["#d73027"],
        marker="cross",
        default_size=48,
        stroke_width=0,
    )
    x_axis = bq.Axis(scale=sx, label="epoch", tick_format="d", grid_lines="none", tick_values=[1])
    figure = bq.Figure(
        marks=[half, line, right, wrong],
        axes=[
            x_axis,
            bq.Axis(scale=sy, label="p(gold)", side="left", tick_format=".1f", grid_lines="none"),
        ],
        animation_duration=0,
        fig_margin={"top": 10, "bottom": 40, "left": 50, "right": 10},
        display_toolbar=False,
        layout=Layout(width="300px", height="190px"),
    )
    parts = {
        "trajectory": figure,
        "traj_x": sx,
        "traj_x_axis": x_axis,
        "traj_line": line,
        "traj_half": half,
        "traj_right": right,
        "traj_wrong": wrong,
    }
    return figure, parts
