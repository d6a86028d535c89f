"""Which retraining policy becomes ``label_issues()``'s ``action`` column, chosen by
leave-one-family-out on the retraining results.

A cell *meets the target* of the issue when retraining under the policy lowers the test macro F1
by at most ``HARM`` against training on the noisy labels, and, where clean labels beat noisy ones
by ``GAP`` or more, recovers at least half of that gap. A policy's objective is the share of cells
meeting it, averaged per family and then over families (the mean change breaks ties), so the 40
go_emotions one-vs-rest tasks do not outvote the rest.
"""

from __future__ import annotations

import pandas as pd
from label_error_report import GAP, HARM

#: ``Settings.policy`` -> the retraining policy (benchmark column) that measures it
CANDIDATES = {
    "relabel": "relabel flagged",
    "relabel_sure": "relabel sure (score>=0.9)",
    "remove": "remove flagged",
}


def change(c: pd.DataFrame, column: str) -> pd.Series:
    """Per cell: test macro F1 after retraining under ``column`` minus with the noisy labels."""
    return c[f"f1:{column}"] - c["f1:noisy"]


def meets_target(c: pd.DataFrame, column: str) -> pd.Series:
    delta, gap = change(c, column), c["f1:clean"] - c["f1:noisy"]
    return (delta >= -HARM) & ((gap < GAP) | (delta >= 0.5 * gap))


def objective(c: pd.DataFrame, column: str) -> tuple[float, float]:
    family = c["family"]
    met = meets_target(c, column).groupby(family).mean().mean()
    return float(met), float(change(c, column).groupby(family).mean().mean())


def choose(c: pd.DataFrame) -> str:
    """The ``Settings.policy`` whose column has the best objective on these cells."""
    return max(CANDIDATES, key=lambda p: objective(c, CANDIDATES[p]))


def lofo_table(c: pd.DataFrame) -> pd.DataFrame:
    """Per family: the policy chosen without it, and how it does there (cells with retraining)."""
    c = c.dropna(subset=["f1:noisy"])
    rows = {}
    for family in c["family"].unique():
        held = c[c["family"] == family]
        policy = choose(c[c["family"] != family])
        column = CANDIDATES[policy]
        gap = held["f1:clean"] - held["f1:noisy"]
        delta = change(held, column)
        rows[family] = {
            "policy chosen without it": policy,
            "cells": len(held),
            "clean - noisy": gap.mean(),
            "change": delta.mean(),
            "worst cell": delta.min(),
            "cells not hurt": f"{int((delta >= -HARM).sum())}/{len(held)}",
            "half the gap recovered": f"{int(((delta >= 0.5 * gap) & (gap >= GAP)).sum())}/"
            f"{int((gap >= GAP).sum())}",
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("held-out family")
