"""Does fixing the flags help? Retrain on corrected labels and score the clean test split.

A *fix* is what a retraining policy does to the noisy training set: new labels, rows kept, and
extra per-row weights. Every fix trains the task's model from scratch the way the cell was
trained (10 epochs, the task's class weights recomputed on the new labels) and reports the
test split's macro F1 and accuracy. Results are cached by a hash of the fix, so a policy that
changes nothing, or a rerun, costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from label_error_metrics import test_metrics
from label_error_runs import PROTOCOL, Run, _slug, cache_dir
from label_error_tasks import EPOCHS


@dataclass
class Fix:
    """Training labels, rows kept, and per-row weights (None: all 1)."""

    labels: np.ndarray
    keep: np.ndarray
    weight: np.ndarray | None = None

    def digest(self) -> str:
        h = hashlib.sha1()
        for part in (self.labels, self.keep, self.weight):
            if part is not None:
                h.update(np.ascontiguousarray(part).tobytes())
        return h.hexdigest()[:16]


def relabel(noisy, flagged, suggested) -> Fix:
    """Flagged rows take the suggested label (a suggestion equal to the label drops the row)."""
    labels = np.where(flagged, suggested, noisy)
    return Fix(labels, ~(flagged & (suggested == noisy)))


def drop(noisy, flagged) -> Fix:
    return Fix(noisy, ~flagged)


def down_weight(noisy, score) -> Fix:
    """sample_weight = 1 - score: each label counts as much as it is likely right."""
    return Fix(noisy, np.ones(len(noisy), bool), np.clip(1.0 - score, 0.0, 1.0))


def by_action(noisy, action, suggested) -> Fix:
    """``action`` per row: "relabel" -> suggested label, "remove" -> dropped, "keep"."""
    action = np.asarray(action, dtype=object)
    labels = np.where(action == "relabel", suggested, noisy)
    return Fix(labels, action != "remove")


def train_and_test(run: Run, fix: Fix) -> dict:
    task = run.task
    rows = np.flatnonzero(fix.keep)
    X, y = task.X_train[rows], fix.labels[rows]
    extra = None if fix.weight is None else fix.weight[rows]
    w = task.sample_weight(y, extra)
    est = task.estimator(run.seed)
    classes = np.arange(task.n_classes)
    for _ in range(EPOCHS):
        if w is None:
            est.partial_fit(X, y, classes=classes)
        else:
            est.partial_fit(X, y, classes=classes, sample_weight=w)
    return test_metrics(task.y_test, est.predict(task.X_test))


class RetrainCache:
    """Test metrics of every fix trained for one cell, persisted as JSON next to the run."""

    def __init__(self, run: Run):
        self.run = run
        name = f"{_slug(run.task.name)}__s{run.seed}__{PROTOCOL}.json"
        self.path = cache_dir() / "retrain" / _slug(run.task.family) / name
        self.results = json.loads(self.path.read_text()) if self.path.exists() else {}

    def evaluate(self, fix: Fix) -> dict:
        key = fix.digest()
        if key not in self.results:
            self.results[key] = train_and_test(self.run, fix)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.results))
            tmp.replace(self.path)
        return self.results[key]


#: policy name -> how it turns a run's label_issues() (row order) into a fix
POLICIES = {
    "relabel flagged": lambda run, li: relabel(run.noisy, li["flagged"], li["suggested"]),
    "remove flagged": lambda run, li: drop(run.noisy, li["flagged"]),
    "down-weight": lambda run, li: down_weight(run.noisy, li["score"]),
    "relabel sure (score>=0.9)": lambda run, li: relabel(
        run.noisy, li["flagged"] & (li["score"] >= 0.9), li["suggested"]
    ),
    "action column": lambda run, li: by_action(run.noisy, li["action"], li["suggested"]),
}


def policy_results(run: Run, mine: dict, cleanlab: dict) -> dict:
    """Test macro F1 of the model retrained after each policy, and on noisy / clean labels."""
    cache = RetrainCache(run)
    everything = np.ones(len(run.noisy), bool)
    out = {
        "noisy": cache.evaluate(Fix(run.noisy, everything)),
        "clean": cache.evaluate(Fix(run.task.y_train, everything)),
    }
    for name, make in POLICIES.items():
        out[name] = cache.evaluate(make(run, mine))
    out["cleanlab relabel"] = cache.evaluate(
        relabel(run.noisy, cleanlab["flagged"], cleanlab["suggested"])
    )
    out["cleanlab remove"] = cache.evaluate(drop(run.noisy, cleanlab["flagged"]))
    return out
