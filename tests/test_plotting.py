"""The paper's figure (td.plot / w.plot): its panels, what each shows, and the files it saves.

The hand run (tests/_hand_run.py) gives counts worked out by hand; larger random runs check the
saved images and that vector files hold the points as one image.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from _hand_run import CORRECTNESS_COUNTS, REGION_COUNTS, hand_run
from matplotlib.colors import to_hex
from PIL import Image

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.plotting import plot_data_map

matplotlib.use("Agg")
import matplotlib.pyplot as plt

REPO = Path(__file__).resolve().parents[1]


def random_run(n: int, epochs: int = 4, seed: int = 0) -> TrainingDynamics:
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    td = TrainingDynamics(gold, label_names=["neg", "neu", "pos"])
    for e in range(epochs):
        z = rng.normal(size=(n, 3))
        z[np.arange(n), gold] += rng.normal(1.5 * e / epochs, 1.5, n)
        p = np.exp(z)
        td.log_epoch(p / p.sum(axis=1, keepdims=True))
    return td


def points(ax) -> dict:
    """{colour hex: sorted [(variability, confidence)]} of the points drawn in the map."""
    drawn = {}
    for line in ax.get_lines():
        if line.get_gid() == "points":
            xy = zip(line.get_xdata().tolist(), line.get_ydata().tolist())
            drawn.setdefault(to_hex(line.get_color()), []).extend(xy)
    return {color: sorted(xy) for color, xy in drawn.items()}


def region_texts(ax) -> dict:
    return {
        t.get_gid().split(":", 1)[1]: t.get_text()
        for t in ax.texts
        if (t.get_gid() or "").startswith("region:")
    }


def legend_labels(ax) -> list:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ------------------------------------------------------------------ what the figure shows
def test_the_figure_has_the_map_and_three_histograms():
    fig = hand_run().plot()
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes] == [
        ("variability", "confidence"),
        ("confidence", "examples"),
        ("variability", ""),
        ("correctness", ""),
    ]
    assert fig.axes[0].get_title() == "Data map: 8 examples, 2 epochs"
    assert fig.axes[0].get_xlim() == (-0.01, 0.51) and fig.axes[0].get_ylim() == (-0.02, 1.02)


def test_regions_are_named_with_their_counts_and_guides_at_the_thresholds():
    td = hand_run()
    main = td.plot().axes[0]
    texts = region_texts(main)
    for name, count in REGION_COUNTS.items():
        assert texts[name] == f"{name}\n{count} ({100 * count / 8:.1f}%)"
    guides = [ln for ln in main.get_lines() if ln.get_gid() == "guide"]
    assert [(ln.get_xdata().tolist(), ln.get_ydata().tolist()) for ln in guides] == [
        ([0.2, 0.2], [0.0, 1.0]),
        ([0.0, 0.2], [0.5, 0.5]),
    ]
    td.variability_threshold = 0.3  # c and d (variability .25, confidence .5) become easy
    main = td.plot().axes[0]
    assert region_texts(main)["easy-to-learn"].startswith("easy-to-learn\n5 (62.5%)")
    assert region_texts(main)["ambiguous"].startswith("ambiguous\n1 (12.5%)")
    assert next(ln for ln in main.get_lines() if ln.get_gid() == "guide").get_xdata()[0] == 0.3


def test_every_example_is_drawn_once_in_the_colour_of_its_correctness():
    td = hand_run()
    fig = td.plot()
    main, _, _, correctness = fig.axes
    drawn = points(main)
    assert sum(len(xy) for xy in drawn.values()) == 8
    metrics = td.metrics()
    by_level = metrics.groupby(metrics.correctness.round(1))
    expected = {
        level: sorted(zip(rows.variability.tolist(), rows.confidence.tolist()))
        for level, rows in by_level
    }
    legend = dict(zip(legend_labels(main), main.get_legend().legend_handles))
    assert list(legend) == [f"{level} ({count})" for level, count in CORRECTNESS_COUNTS.items()]
    colors = {float(label.split()[0]): to_hex(h.get_color()) for label, h in legend.items()}
    assert {colors[level]: xy for level, xy in expected.items()} == drawn
    assert colors[0.0] == "#d73027" and colors[1.0] == "#4575b4"  # the live map's scale ends
    heights = [int(bar.get_height()) for bar in correctness.patches]
    assert heights == [2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3]


def test_hue_region_and_gold_label():
    td = hand_run()
    main = td.plot(hue="region").axes[0]
    assert legend_labels(main) == ["easy-to-learn (3)", "ambiguous (3)", "hard-to-learn (2)"]
    assert {c: len(xy) for c, xy in points(main).items()} == {
        "#4575b4": 3,
        "#9b59b6": 3,
        "#d73027": 2,
    }
    run = random_run(300)
    gold = pd.Series(run.gold()).value_counts()
    main = run.plot(hue="gold_label").axes[0]
    assert legend_labels(main) == [f"{n} ({gold[k]})" for k, n in enumerate(["neg", "neu", "pos"])]


def test_epochs_draws_an_earlier_map():
    main = hand_run().plot(epochs=1).axes[0]
    assert main.get_title() == "Data map: 8 examples, 1 epoch"
    # after one epoch every variability is 0: regions by confidence alone (a, d, e, h >= .5)
    assert region_texts(main) == {
        "easy-to-learn": "easy-to-learn\n4 (50.0%)",
        "ambiguous": "ambiguous\n0 (0.0%)",
        "hard-to-learn": "hard-to-learn\n4 (50.0%)",
    }


def test_ax_draws_only_the_map_into_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    try:
        assert hand_run().plot(ax=right) is fig
        assert len(fig.axes) == 2
        assert left.get_lines() == [] and left.get_legend() is None
        assert sum(len(xy) for xy in points(right).values()) == 8
        assert set(region_texts(right)) == set(REGION_COUNTS)
    finally:
        plt.close(fig)


def test_the_figure_is_not_left_open_in_pyplot():
    open_before = plt.get_fignums()
    hand_run().plot()
    assert plt.get_fignums() == open_before


# ------------------------------------------------------------------ files
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    fig = random_run(5_000).plot()
    for ext in ("png", "svg", "pdf"):
        fig.savefig(folder / f"map.{ext}", dpi=60)
    return folder


def test_png_is_the_figure_drawn(saved):
    image = Image.open(saved / "map.png").convert("RGB")
    assert image.size == (11 * 60, int(8.5 * 60))
    pixels = np.asarray(image).reshape(-1, 3)
    assert (pixels.min(axis=1) < 200).mean() > 0.1  # not blank: points and bars cover >10%
    colours = {tuple(p) for p in pixels[::7].tolist()}
    assert len(colours) > 50  # the correctness scale, histograms, text: not a flat image


def test_vector_files_hold_the_points_as_one_image(saved):
    svg = (saved / "map.svg").read_text()
    assert len(re.findall(r"<image\b", svg)) == 1  # the rasterised map
    # vector markers would be 5,000 <use> elements; the text's glyphs take a few hundred
    assert len(re.findall(r"<use\b", svg)) < 1_000
    pdf = (saved / "map.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" in pdf
    assert (saved / "map.svg").stat().st_size < 600_000


@pytest.mark.slow
def test_a_large_map_stays_small_in_vector_files(tmp_path):
    fig = random_run(120_000, epochs=3).plot()
    sizes = {}
    for ext in ("svg", "pdf"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext)
        sizes[ext] = buffer.tell()
    assert max(sizes.values()) < 2_000_000, sizes


# ------------------------------------------------------------------ the widget's figure
def test_widget_plot_draws_the_shown_label_with_its_names():
    w = DataMapWidget(
        texts=list("abcdef"),
        labels=[[0], [0, 1], [1], [0], [1], []],
        label_names=["joy", "anger"],
        task="multilabel",
    )
    rng = np.random.default_rng(2)
    for _ in range(3):
        w.log_epoch(rng.random((6, 2)).astype(np.float32))
    w.label = "anger"
    main = w.plot(hue="gold_label").axes[0]
    assert main.get_title() == "Data map: 6 examples, 3 epochs, label anger"
    assert legend_labels(main) == ["not anger (3)", "anger (3)"]
    counts = w.to_dataframe().region.value_counts()
    for name, text in region_texts(main).items():
        assert text.startswith(f"{name}\n{counts[name]} (")
    assert w.plot(label="joy").axes[0].get_title().endswith("label joy")


# ------------------------------------------------------------------ errors and the extra
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: hand_run().plot(hue="loss"), ValueError, "hue must be one of"),
        (lambda: hand_run(epochs=0).plot(), ValueError, "no epochs yet"),
        (lambda: hand_run().plot(epochs=3), ValueError, "epochs must lie in 0..2"),
        (lambda: hand_run().plot(label="x"), TypeError, "only applies to multilabel"),
        (
            lambda: plot_data_map(pd.DataFrame({"confidence": [0.5]})),
            ValueError,
            r"lacks the columns \['variability', 'correctness', 'region'\]",
        ),
    ],
)
def test_bad_arguments_say_what_is_wrong(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_without_matplotlib_the_error_names_the_extra(monkeypatch):
    td = hand_run()
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "datamap-widget\[plot\]"'):
        td.plot()


def test_importing_the_package_does_not_import_matplotlib():
    code = (
        "import sys, numpy as np, datamap_widget\n"
        "from datamap_widget import TrainingDynamics\n"
        "td = TrainingDynamics([0, 1]); td.log_epoch(np.array([0.3, 0.6])); td.subset('ambiguous')\n"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_a_notebook_shows_the_figure_once(monkeypatch):
    """A cell ending in td.plot() shows one image (a figure left open in pyplot would be shown
    a second time when the cell ends); a figure assigned to a name is shown when asked for."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    cells = [
        "import sys; sys.path.insert(0, 'tests')\nfrom _hand_run import hand_run\ntd = hand_run()",
        "td.plot()",
        "fig = td.plot(hue='region')",
        "fig",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=180, resources={"metadata": {"path": str(REPO)}}).execute()
    images = [sum("image/png" in o.get("data", {}) for o in cell.outputs) for cell in nb.cells]
    assert images == [0, 1, 0, 1]


def test_the_figure_uses_the_live_maps_colours():
    """Saved figures read like the page: the palettes written twice (Python, JS) agree."""
    from datamap_widget._palette import CATEGORY_COLORS, REGION_COLORS

    js = (REPO / "js" / "src" / "map_style.js").read_text(encoding="utf-8")
    categories = re.search(r"CATEGORY_COLORS = \[(.*?)\]", js, flags=re.S).group(1)
    assert re.findall(r'"(#[0-9a-f]{6})"', categories) == CATEGORY_COLORS
    regions = re.search(r"REGION_COLORS = \{(.*?)\}", js, flags=re.S).group(1)
    pairs = re.findall(r'"?([\w-]+)"?: "(#[0-9a-f]{6})"', regions)
    assert dict(pairs) == REGION_COLORS
