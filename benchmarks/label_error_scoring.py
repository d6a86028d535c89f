"""Score a cached run the way a user would, and judge it next to cleanlab.

``ours`` rebuilds the run's TrainingDynamics and calls ``td.label_issues()`` (optionally with
other ``Settings``), so the benchmark measures exactly what users get. Rankings are judged by
the order ``label_issues()`` returns (its ties are broken by p(gold)), not by the raw score.
"""

from __future__ import annotations

import time

import numpy as np
from label_error_metrics import calibration, flags, ranking
from label_error_runs import Run, cleanlab_baseline

from datamap_widget.engine._issue_score import DEFAULT, Settings
from datamap_widget.engine.label_issues import label_issues


def ours(run: Run, settings: Settings = DEFAULT, td=None) -> dict:
    """label_issues() of the run, back in row order: order score, score, flags, actions."""
    td = run.dynamics() if td is None else td
    started = time.process_time()
    issues = label_issues(td, settings=settings)
    cpu = time.process_time() - started
    position = np.empty(len(issues), np.int64)
    position[td.index_of(issues.index.to_numpy())] = np.arange(len(issues))
    rows = issues.loc[td.ids]
    return {
        "rank_score": -position.astype(np.float64),  # first in the list = highest
        "score": rows["score"].to_numpy(),
        "flagged": rows["flagged"].to_numpy(),
        "action": rows["action"].to_numpy(),
        "suggested": rows["suggested_label"].cat.codes.to_numpy(),
        "attrs": dict(issues.attrs),
        "cpu_s": cpu,
    }


def judge(run: Run, mine: dict) -> dict:
    """Ranking, flag and calibration metrics of ours and cleanlab's for one run."""
    cl = cleanlab_baseline(run)
    out = {}
    for who, rank_score, flagged in (
        ("ours", mine["rank_score"], mine["flagged"]),
        ("cl", cl["score"], cl["flagged"]),
    ):
        for k, v in {**ranking(run.flipped, rank_score), **flags(run.flipped, flagged)}.items():
            out[f"{k}_{who}"] = v
    out.update(calibration(run.flipped, mine["score"]))
    out["cpu_ours"], out["cpu_cl"] = mine["cpu_s"], float(cl["cpu_s"])
    out["n_flips"] = int(run.flipped.sum())
    return out
