"""Benchmark of the paper's figure (``td.plot``): draw and save times, and file sizes.

For each size it draws the full figure (map + three histograms) and saves it as PNG, SVG and
PDF, then does the same with the map drawn the plain matplotlib way as a baseline, in the same
run: one ``ax.scatter`` with a colour per point (what the reference code's seaborn
``scatterplot`` does), rasterised, and, up to ``--vector-max`` points, not rasterised (every
point a vector marker, as the reference's PDF has). The synthetic run has the usual data-map
shape: easy examples whose p(gold) climbs to ~1, hard ones that stay low, ambiguous ones that
swing across epochs.

Targets (issue 18): readable at 43k and 550k points; SVG/PDF under a few MB at 550k; a draw
time a user waits for without wondering (seconds, not minutes).

    python benchmarks/bench_plot.py [--sizes 43410 550000] [--epochs 10] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from a checkout
from datamap_widget import TrainingDynamics
from datamap_widget._palette import CORRECTNESS_COLORS


def synthetic_run(n: int, epochs: int, seed: int = 0) -> TrainingDynamics:
    """Binary run: learnability sets where p(gold) heads, noise how much it swings."""
    rng = np.random.default_rng(seed)
    learnability = rng.normal(2.0, 2.5, n)
    swing = rng.gamma(1.5, 0.8, n)
    td = TrainingDynamics(np.ones(n, dtype=np.int64), task="binary")
    for e in range(epochs):
        z = learnability * (e + 1) / epochs + rng.normal(0.0, 1.0, n) * swing
        td.log_epoch((1.0 / (1.0 + np.exp(-z))).astype(np.float32))
    return td


def scatter_figure(td: TrainingDynamics, rasterized: bool):
    """The same layout with the map as one scatter with a colour per point (the baseline)."""
    df = td.metrics()
    cmap = matplotlib.colors.LinearSegmentedColormap.from_list("c", CORRECTNESS_COLORS)
    fig = plt.figure(figsize=(11, 8.5), layout="constrained")
    plt.close(fig)
    grid = fig.add_gridspec(2, 3, height_ratios=[3, 1])
    main = fig.add_subplot(grid[0, :])
    main.scatter(
        df.variability,
        df.confidence,
        c=cmap(df.correctness.round(1).to_numpy()),
        s=1.0 if len(df) > 50_000 else 4.0,
        linewidths=0,
        rasterized=rasterized,
    )
    main.set(xlim=(0, 0.5), ylim=(0, 1), xlabel="variability", ylabel="confidence")
    for i, column in enumerate(("confidence", "variability", "correctness")):
        fig.add_subplot(grid[1, i]).hist(df[column], bins=25)
    return fig


def measure(make, out_stem=None) -> dict:
    row = {}
    t0 = time.perf_counter()
    fig = make()
    row["draw_s"] = time.perf_counter() - t0
    for ext in ("png", "svg", "pdf"):
        buffer = io.BytesIO()
        t0 = time.perf_counter()
        fig.savefig(buffer, format=ext)
        row[f"{ext}_s"] = time.perf_counter() - t0
        row[f"{ext}_bytes"] = buffer.tell()
        if out_stem is not None:
            out_stem.with_suffix(f".{ext}").write_bytes(buffer.getvalue())
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[43_410, 550_000])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--vector-max", type=int, default=50_000)
    parser.add_argument("--out", type=pathlib.Path, help="also write each figure here")
    args = parser.parse_args()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    header = (
        f"| N | method | draw s | PNG s | SVG s | PDF s | PNG kB | SVG kB | PDF kB | "
        f"total s vs scatter |\n|{'---|' * 10}"
    )
    print(header)
    for n in args.sizes:
        td = synthetic_run(n, args.epochs)
        methods = {  # name -> (file name, figure maker)
            "td.plot()": ("td_plot", lambda td=td: td.plot()),
            "scatter, rasterised": ("scatter_raster", lambda td=td: scatter_figure(td, True)),
        }
        if n <= args.vector_max:
            methods["scatter, vector"] = ("scatter_vector", lambda td=td: scatter_figure(td, False))
        rows = {
            name: measure(make, args.out / f"{n}_{slug}" if args.out else None)
            for name, (slug, make) in methods.items()
        }
        base = rows["scatter, rasterised"]
        base_total = base["draw_s"] + base["png_s"] + base["svg_s"] + base["pdf_s"]
        for name, r in rows.items():
            total = r["draw_s"] + r["png_s"] + r["svg_s"] + r["pdf_s"]
            print(
                f"| {n:,} | {name} | {r['draw_s']:.2f} | {r['png_s']:.2f} | {r['svg_s']:.2f} | "
                f"{r['pdf_s']:.2f} | {r['png_bytes'] / 1e3:,.0f} | {r['svg_bytes'] / 1e3:,.0f} | "
                f"{r['pdf_bytes'] / 1e3:,.0f} | {total / base_total:.2f}x |"
            )


if __name__ == "__main__":
    main()
