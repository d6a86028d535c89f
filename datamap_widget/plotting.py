"""The Dataset Cartography figure (Swayamdipta et al. 2020, Fig. 1) drawn with matplotlib.

Layout after the reference code's ``plot_data_map`` (allenai/cartography): the map (variability
on x, confidence on y, coloured by correctness rounded to one decimal as the paper does) above
three histograms: confidence, variability, correctness. Differences, on purpose: every example
is drawn (the reference samples 25,000); the axes are fixed at [0, 0.5] x [0, 1] like the live
map (plus 2% room), so figures of different runs or epochs compare; the regions are the
package's fixed thresholds, drawn as dashed guides with each region's count.

matplotlib is an optional extra (``pip install "datamap-widget[plot]"``) imported here on first
use only. Points are drawn as one marker line per colour (Agg stamps one cached marker per
point, several times faster than a scatter collection with a colour per point), in random
interleaved chunks so that no colour is always painted last, and rasterised: in SVG and PDF
they are one embedded image, so a figure of 550,000 examples stays under 1 MB.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget._palette import CATEGORY_COLORS, CORRECTNESS_COLORS, REGION_COLORS
from datamap_widget._stats import REGIONS

__all__ = ["HUES", "map_title", "plot_data_map"]

HUES = ("correctness", "region", "gold_label")
"""What ``hue=`` may colour the points by."""
MAP_XLIM, MAP_YLIM = (-0.01, 0.51), (-0.02, 1.02)
"""The live map's fixed axes, [0, 0.5] x [0, 1], with 2% room so points on the edges show whole."""
_CHUNKS = 8  # interleaved draw passes: each paints 1/8 of the points of every colour
_GUIDE = dict(color="#777777", linestyle="--", linewidth=1.2, zorder=2.5)  # above the points
_HIST_COLORS = {"confidence": "#622a87", "variability": "#008080", "correctness": "#86bf91"}


def _matplotlib():
    try:
        import matplotlib
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "plotting needs matplotlib, an optional extra: pip install "
            '"datamap-widget[plot]" (or pip install "matplotlib>=3.6")'
        ) from None
    return matplotlib, plt


def _marker_size(n: int) -> float:
    """Marker diameter in points: separate dots at a few thousand, a fine grain at 550,000."""
    if n <= 2_000:
        return 4.0
    if n <= 50_000:
        return 2.0
    return 1.0


def _hue_classes(frame: pd.DataFrame, hue: str):
    """(class code per example, [(legend name, colour)] per class) for ``hue``."""
    if hue == "correctness":
        codes = np.rint(frame["correctness"].to_numpy(np.float64) * 10).astype(np.int64)
        matplotlib, _ = _matplotlib()
        cmap = matplotlib.colors.LinearSegmentedColormap.from_list(
            "correctness", CORRECTNESS_COLORS
        )
        return codes, [(f"{k / 10:.1f}", cmap(k / 10)) for k in range(11)]
    column = frame[hue]
    categories = list(REGIONS) if hue == "region" else list(column.cat.categories)
    codes = pd.Categorical(column, categories=categories).codes.astype(np.int64)
    if hue == "region":
        return codes, [(name, REGION_COLORS[name]) for name in categories]
    palette = CATEGORY_COLORS
    return codes, [(str(name), palette[k % len(palette)]) for k, name in enumerate(categories)]


def _draw_points(ax, frame: pd.DataFrame, hue: str) -> None:
    x = frame["variability"].to_numpy(np.float64)
    y = frame["confidence"].to_numpy(np.float64)
    codes, classes = _hue_classes(frame, hue)
    n = x.shape[0]
    size = _marker_size(n)
    order = np.random.default_rng(0).permutation(n)  # fixed seed: the same figure every time
    chunks = np.array_split(order, min(_CHUNKS, max(n, 1)))
    for chunk in chunks:
        chunk_codes = codes[chunk]
        for k, (_, color) in enumerate(classes):
            rows = chunk[chunk_codes == k]
            if rows.size:
                ax.plot(
                    x[rows],
                    y[rows],
                    linestyle="none",
                    marker="o",
                    markersize=size,
                    markeredgewidth=0,
                    color=color,
                    rasterized=True,
                    gid="points",
                )
    counts = np.bincount(codes[codes >= 0], minlength=len(classes))
    matplotlib, _ = _matplotlib()
    handles = [
        matplotlib.lines.Line2D([], [], linestyle="none", marker="o", markersize=7, color=color)
        for _, color in classes
    ]
    labels = [f"{name} ({count:,})" for (name, _), count in zip(classes, counts)]
    keep = [i for i, count in enumerate(counts) if count]
    ax.legend(
        [handles[i] for i in keep],
        [labels[i] for i in keep],
        title=hue.replace("_", " "),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        frameon=False,
    )


def _draw_regions(ax, frame: pd.DataFrame, vt: float, ct: float) -> None:
    """Dashed guides at the thresholds; each region's name and count in a corner of it.

    Corners at the top and bottom of the map, towards high variability: the map's arch leaves
    few points there (a mean p(gold) near 0 or 1 leaves little room for variability).
    """
    ax.plot([vt, vt], [0.0, 1.0], gid="guide", **_GUIDE)
    ax.plot([0.0, vt], [ct, ct], gid="guide", **_GUIDE)
    counts = frame["region"].value_counts()
    n = max(len(frame), 1)
    inner = vt >= 0.12  # room left of the vertical guide for right-aligned labels
    x_left, align = (vt - 0.006, "right") if inner else (0.006, "left")
    places = {
        "easy-to-learn": (x_left, 0.985, align, "top"),
        "ambiguous": (0.494, 0.985, "right", "top"),
        "hard-to-learn": (x_left, 0.015, align, "bottom"),
    }
    for name in REGIONS:
        x, y, ha, va = places[name]
        count = int(counts.get(name, 0))
        ax.text(
            x,
            y,
            f"{name}\n{count:,} ({100.0 * count / n:.1f}%)",
            ha=ha,
            va=va,
            fontsize=10,
            fontweight="bold",
            color="#222222",
            bbox=dict(
                boxstyle="round,pad=0.3", ec=REGION_COLORS[name], lw=1.5, fc="white", alpha=0.85
            ),
            gid=f"region:{name}",
        )


def _draw_histograms(axes, frame: pd.DataFrame, hue: str, vt: float, ct: float) -> None:
    confidence_ax, variability_ax, correctness_ax = axes
    confidence_ax.hist(
        frame["confidence"].to_numpy(), bins=np.linspace(0, 1, 26), color=_HIST_COLORS["confidence"]
    )
    confidence_ax.axvline(ct, **_GUIDE)
    confidence_ax.set(xlabel="confidence", ylabel="examples", xlim=(0, 1))
    variability_ax.hist(
        frame["variability"].to_numpy(),
        bins=np.linspace(0, 0.5, 26),
        color=_HIST_COLORS["variability"],
    )
    variability_ax.axvline(vt, **_GUIDE)
    variability_ax.set(xlabel="variability", xlim=(0, 0.5))
    levels = np.rint(frame["correctness"].to_numpy(np.float64) * 10).astype(np.int64)
    counts = np.bincount(levels, minlength=11)
    if hue == "correctness":
        colors = [color for _, color in _hue_classes(frame.iloc[:0], hue)[1]]
    else:
        colors = _HIST_COLORS["correctness"]
    correctness_ax.bar(np.arange(11) / 10, counts, width=0.08, color=colors, gid="correctness")
    correctness_ax.set(xlabel="correctness", xlim=(-0.06, 1.06), xticks=np.arange(0, 11, 2) / 10)
    for ax in axes:
        ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
        ax.set_axisbelow(True)


def map_title(n_examples: int, epochs: int, label=None) -> str:
    """ "Data map: 43,410 examples, 10 epochs" (and the label of a multilabel map)."""
    shown = "" if label is None else f", label {label}"
    return f"Data map: {n_examples:,} examples, {epochs} epoch{'' if epochs == 1 else 's'}{shown}"


def plot_data_map(
    frame: pd.DataFrame,
    *,
    variability_threshold: float = 0.2,
    confidence_threshold: float = 0.5,
    hue: str = "correctness",
    ax=None,
    title: str | None = None,
):
    """Draw the Dataset Cartography figure of a metrics table; see ``TrainingDynamics.plot``.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``TrainingDynamics.metrics()`` (or ``DataMapWidget.to_dataframe()``): columns
        confidence, variability, correctness, region (and gold_label for ``hue="gold_label"``).
    variability_threshold, confidence_threshold : float
        Where the dashed region guides are drawn (the thresholds the regions were computed with).
    hue : {"correctness", "region", "gold_label"}
        What colours the points.
    ax : matplotlib.axes.Axes, optional
        Draw only the map, into this Axes. Default: a new figure with the map and three
        histograms (confidence, variability, correctness).
    title : str, optional
        Title of the map.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the figure of ``ax``.
    """
    _matplotlib()
    if hue not in HUES:
        raise ValueError(f"hue must be one of {list(HUES)}, got {hue!r}")
    missing = [c for c in ("confidence", "variability", "correctness", "region") if c not in frame]
    if hue == "gold_label" and "gold_label" not in frame:
        missing.append("gold_label")
    if missing:
        raise ValueError(
            f"frame lacks the columns {missing}; pass TrainingDynamics.metrics() or "
            "DataMapWidget.to_dataframe()"
        )
    if len(frame) and frame["confidence"].isna().all():
        raise ValueError("the map has no epochs yet: log at least one epoch before plotting it")
    vt, ct = float(variability_threshold), float(confidence_threshold)
    if ax is None:
        _, plt = _matplotlib()
        fig = plt.figure(figsize=(11, 8.5), layout="constrained")
        # Not left open in pyplot: a notebook shows the returned figure once (not a second time
        # when the cell ends), and a figure per epoch does not pile up in memory.
        plt.close(fig)
        grid = fig.add_gridspec(2, 3, height_ratios=[3, 1])
        main = fig.add_subplot(grid[0, :])
        histograms = [fig.add_subplot(grid[1, i]) for i in range(3)]
    else:
        main, fig, histograms = ax, ax.figure, None
    _draw_points(main, frame, hue)
    _draw_regions(main, frame, vt, ct)
    main.set(xlim=MAP_XLIM, ylim=MAP_YLIM, xlabel="variability", ylabel="confidence")
    if title:
        main.set_title(title)
    if histograms is not None:
        _draw_histograms(histograms, frame, hue, vt, ct)
    return fig
