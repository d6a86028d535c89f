"""Tables and target checks of the label-error suite (printed as Markdown).

A *cell* is a task under one noise kind (its rate is fixed), averaged over seeds; a family
averages its cells. Ties with cleanlab are AP differences within ``TIE``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIE = 0.005  # AP within this of cleanlab's counts as a tie (and meets the per-task target)
HARM = 0.002  # a fix may lower the test metric by at most this
GAP = 0.01  # clean-vs-noisy differences from this on must be half recovered


def cells(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (family, task, noise kind): means over seeds of every numeric column."""
    keys = ["family", "task", "kind", "rate"]
    out = results.groupby(keys, sort=False).mean(numeric_only=True).reset_index()
    out["d_ap"] = out["ap_ours"] - out["ap_cl"]
    return out.drop(columns=["seed"], errors="ignore")


def cell_table(c: pd.DataFrame) -> pd.DataFrame:
    """The per-cell figures worth printing: ranking, flags, calibration, retraining changes."""
    out = c[["family", "task", "kind", "rate", "n_flips", "ap_ours", "ap_cl", "d_ap"]].copy()
    for col in ("f1_ours", "f1_cl", "sum_ratio", "max_gap"):
        out[col] = c[col]
    for p in retrain_columns(c):
        if p not in ("clean", "noisy"):
            out[p] = c[f"f1:{p}"] - c["f1:noisy"]
    if "f1:clean" in c.columns:
        out["clean - noisy"] = c["f1:clean"] - c["f1:noisy"]
    return out.set_index(["family", "task", "kind"])


def retrain_columns(frame: pd.DataFrame) -> list[str]:
    return [c.removeprefix("f1:") for c in frame.columns if c.startswith("f1:")]


def family_table(c: pd.DataFrame) -> pd.DataFrame:
    """Per family: ranking, flags, calibration and the retraining change of each policy."""
    g = c.groupby("family", sort=False)
    t = pd.DataFrame(
        {
            "cells": g.size(),
            "AP ours": g["ap_ours"].mean(),
            "AP cleanlab": g["ap_cl"].mean(),
            "AUROC ours": g["auroc_ours"].mean(),
            "AUROC cleanlab": g["auroc_cl"].mean(),
            "P@k ours": g["p_at_k_ours"].mean(),
            "P@k cleanlab": g["p_at_k_cl"].mean(),
            "flags P/R ours": g["precision_ours"].mean().map("{:.2f}".format)
            + "/"
            + g["recall_ours"].mean().map("{:.2f}".format),
            "flags P/R cleanlab": g["precision_cl"].mean().map("{:.2f}".format)
            + "/"
            + g["recall_cl"].mean().map("{:.2f}".format),
            "F1 ours": g["f1_ours"].mean(),
            "F1 find_label_issues": g["f1_cl"].mean(),
            "sum ratio (min-max)": g["sum_ratio"].min().map("{:.2f}".format)
            + "-"
            + g["sum_ratio"].max().map("{:.2f}".format),
            "max reliability gap": g["max_gap"].max(),
        }
    )
    policies = retrain_columns(c)
    if policies:
        t["clean - noisy"] = g["f1:clean"].mean() - g["f1:noisy"].mean()
        for p in policies:
            if p not in ("clean", "noisy"):
                t[p] = (c[f"f1:{p}"] - c["f1:noisy"]).groupby(c["family"], sort=False).mean()
    return t


def win_tie_loss(c: pd.DataFrame) -> str:
    wins = int((c["d_ap"] > TIE).sum())
    ties = int((c["d_ap"].abs() <= TIE).sum())
    losses = int((c["d_ap"] < -TIE).sum())
    return f"AP vs cleanlab over {len(c)} cells: {wins} wins / {ties} ties / {losses} losses"


def targets(c: pd.DataFrame, policy: str = "action column") -> list[str]:
    """Each target of the issue, met or missed, with by how much."""
    lines = []
    worst = c.loc[c["d_ap"].idxmin()]
    below = c[c["d_ap"] < -TIE]
    lines.append(
        f"AP >= cleanlab - {TIE} on every cell: {len(c) - len(below)}/{len(c)} "
        f"(worst {worst['d_ap']:+.3f}: {worst['task']}, {worst['kind']})"
    )
    lines.append(f"mean AP - cleanlab over cells: {c['d_ap'].mean():+.3f} (target +0.020)")
    fam = c.groupby("family", sort=False)
    ratio = fam["sum_ratio"].agg(lambda s: np.abs(np.log(s)).max())
    lines.append(
        f"families whose every cell has sum of scores within 25% of the flips: "
        f"{int((ratio <= np.log(1.25)).sum())}/{len(ratio)}; reliability gap <= 0.1: "
        f"{int((fam['max_gap'].max() <= 0.1).sum())}/{len(ratio)}"
    )
    f1 = fam["f1_ours"].mean() - fam["f1_cl"].mean()
    lines.append(
        f"families with flags' F1 >= find_label_issues': {int((f1 >= 0).sum())}/{len(f1)} "
        f"(worst {f1.min():+.3f})"
    )
    if f"f1:{policy}" in c.columns:
        change = c[f"f1:{policy}"] - c["f1:noisy"]
        gap = c["f1:clean"] - c["f1:noisy"]
        hurt = change < -HARM
        needs = gap >= GAP
        recovered = change >= 0.5 * gap
        lines.append(
            f"retraining ({policy}) never lowers macro F1 by > {HARM}: "
            f"{len(c) - int(hurt.sum())}/{len(c)} cells (worst {change.min():+.3f})"
        )
        lines.append(
            f"where clean - noisy >= {GAP}: half the gap recovered in "
            f"{int((recovered & needs).sum())}/{int(needs.sum())} cells"
        )
    return lines


def markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    """A plain Markdown table (no extra dependency)."""
    frame = frame.reset_index()
    fmt = [
        (lambda v, d=digits: f"{v:.{d}f}") if pd.api.types.is_float_dtype(dt) else str
        for dt in frame.dtypes
    ]
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(f(v) for f, v in zip(fmt, row)) + " |")
    return "\n".join(lines)
