"""Leave-one-family-out (LOFO) selection of the label-issue score's constants.

Each choice in ``datamap_widget.engine._issue_score.Settings`` is made in turn (``STEPS``), on the
cached runs, by the objective that choice is for: the evidence and the one-sided-noise rule by
AP minus cleanlab's, the multiclass anchor quantile by calibration (|log(sum of scores / flips)|),
the flag rule by F1 minus find_label_issues'. A task counts once (its cells and seeds averaged),
a family is the mean of its tasks, and the objective is the mean over families, so the 40
go_emotions one-vs-rest tasks do not outvote the rest.

``lofo`` makes every choice once per family with that family's runs left out, and reports the
held-out family's figures under those choices: numbers no constant was tuned on. ``choose``
makes them on all families: the package's defaults must equal it (``bench_label_errors.py``
says so when they do not).
"""

from __future__ import annotations

import math
import pickle
from collections import defaultdict

import numpy as np
import pandas as pd
from label_error_runs import cache_dir
from label_error_scoring import judge, ours

from datamap_widget.engine._issue_score import DEFAULT, Settings

GAINS = (0.0, 0.001, 0.005)
RATIOS = (0.1, 1.0)
STEPS = (
    ("evidence", [{"evidence": e} for e in ("last", "selected", "blend")], "ap"),
    (
        "asymmetry",
        [{"asymmetry_gain": g, "asymmetry_ratio": r} for g in GAINS for r in RATIOS]
        + [{"asymmetry_gain": math.inf, "asymmetry_ratio": 1.0}],
        "ap",
    ),
    ("anchor", [{"anchor_quantile": q} for q in (0.5, 0.75, 0.9, 0.97)], "calibration"),
    ("flags", [{"flag_rule": f} for f in ("expected_f1", "half")], "f1"),
)
_BINARY_ONLY = {"asymmetry_gain", "asymmetry_ratio"}
_MULTICLASS_ONLY = {"anchor_quantile"}


def _relevant(settings: Settings, n_classes: int) -> Settings:
    """Settings with the fields that cannot matter for this task reset (a shared memo key)."""
    unused = _MULTICLASS_ONLY if n_classes == 2 else _BINARY_ONLY
    return settings._replace(**{f: getattr(DEFAULT, f) for f in unused})


class Memo:
    """judge() results per (run, settings), persisted so reruns only score what is new."""

    def __init__(self):
        self.path = cache_dir() / "selection_memo.pkl"
        self.table = pickle.loads(self.path.read_bytes()) if self.path.exists() else {}

    def fill(self, runs, settings_list):
        changed = False
        for run in runs:
            key = (run.task.name, run.kind, run.seed)
            wanted = {_relevant(s, run.task.n_classes) for s in settings_list}
            missing = [s for s in wanted if (key, s) not in self.table]
            if not missing:
                continue
            td = run.dynamics()
            for s in missing:
                self.table[(key, s)] = judge(run, ours(run, s, td))
            changed = True
        if changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps(self.table))

    def get(self, run, settings: Settings) -> dict | None:
        """The judge() result of ``run`` under ``settings``, if scored before."""
        key = (run.task.name, run.kind, run.seed)
        return self.table.get((key, _relevant(settings, run.task.n_classes)))

    def frame(self, runs, settings: Settings) -> pd.DataFrame:
        rows = []
        for run in runs:
            key = (run.task.name, run.kind, run.seed)
            result = self.table[(key, _relevant(settings, run.task.n_classes))]
            rows.append({"family": run.task.family, "task": run.task.name, "kind": run.kind,
                         "n_classes": run.task.n_classes, **result})  # fmt: skip
        return pd.DataFrame(rows)


def objective(frame: pd.DataFrame, what: str) -> float:
    """Mean over families of the mean over tasks (cells and seeds averaged) of the objective."""
    if what == "ap":
        value = frame["ap_ours"] - frame["ap_cl"]
    elif what == "f1":
        value = frame["f1_ours"] - frame["f1_cl"]
    else:
        value = -np.abs(np.log(np.clip(frame["sum_ratio"], 1e-3, None)))
    per_task = value.groupby([frame["family"], frame["task"]]).mean()
    return float(per_task.groupby(level=0).mean().mean())


def choose(memo: Memo, runs, start: Settings = DEFAULT):
    """Make every choice in turn on ``runs``; returns the settings and each step's scores."""
    settings = start
    trail = {}
    for step, options, what in STEPS:
        candidates = [settings._replace(**o) for o in options]
        memo.fill(runs, candidates)
        scores = [objective(memo.frame(runs, c), what) for c in candidates]
        settings = candidates[int(np.argmax(scores))]
        trail[step] = max(scores)
    return settings, trail


def lofo(memo: Memo, runs):
    """{family: (settings chosen without it, its runs' judge() frame under them)}."""
    by_family = defaultdict(list)
    for run in runs:
        by_family[run.task.family].append(run)
    out = {}
    for family, held_out in by_family.items():
        training = [r for r in runs if r.task.family != family]
        settings, _ = choose(memo, training)
        memo.fill(held_out, [settings])
        out[family] = (settings, memo.frame(held_out, settings))
    return out


def describe(settings: Settings) -> str:
    """The choices in a few words, for tables."""
    if math.isinf(settings.asymmetry_gain):
        asym = "never"
    else:
        asym = f"gain>{settings.asymmetry_gain:g}&ratio<{settings.asymmetry_ratio:g}"
    return (
        f"{settings.evidence}; one-sided: {asym}; anchor q{settings.anchor_quantile:g}; "
        f"flags {settings.flag_rule}"
    )
