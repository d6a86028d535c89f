"""One cell of the label-error suite: flip labels, cross-fit, keep every epoch's outputs on disk.

Training is the expensive part, so each (task, noise kind, seed) is trained once: the held-out and
in-sample outputs of every epoch (full probability rows; binary: p(class 1)) go to an ``.npz``
under the cache folder (git-ignored), and scoring variants, cleanlab and leave-one-family-out
selection read them back in milliseconds. ``dynamics`` rebuilds the TrainingDynamics pair exactly
as ``fit_epochs(..., cv=5)`` left it, by logging the same rows.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from label_error_tasks import EPOCHS, FOLDS, Task, add_noise

from datamap_widget import TrainingDynamics
from datamap_widget.integrations.sklearn import fit_epochs

REPO = Path(__file__).resolve().parents[1]
PROTOCOL = f"e{EPOCHS}f{FOLDS}v1"  # part of every cache name: change it to retrain everything


def cache_dir() -> Path:
    return Path(os.environ.get("DATAMAP_BENCH_CACHE") or REPO / "benchmarks" / ".cache")


class _Recorder:
    """A sink that keeps each epoch's output rows (float32; binary: the class-1 column)."""

    def __init__(self, n_classes: int):
        self.n_classes = n_classes
        self.epochs: list[np.ndarray] = []

    def log_epoch(self, outputs, logits=False):
        rows = np.asarray(outputs, np.float32)
        self.epochs.append(rows[:, 1].copy() if self.n_classes == 2 else rows.copy())

    def log_batch(self, ids, outputs, logits=False):
        raise NotImplementedError("fit_epochs(cv=...) logs whole epochs")

    def end_epoch(self):
        pass


@dataclass
class Run:
    """What one cell left: labels, flips and the outputs of both maps at every epoch."""

    task: Task
    kind: str
    seed: int
    noisy: np.ndarray
    flipped: np.ndarray
    held: np.ndarray  # (E, N) p(class 1) for binary, (E, N, C) rows for multiclass
    inside: np.ndarray
    fit_cpu_s: float

    @property
    def rate(self) -> float:
        return self.task.rates[self.kind]

    def probabilities(self, epoch: int = -1) -> np.ndarray:
        """(N, C) held-out class probabilities at ``epoch`` (what cleanlab is given)."""
        rows = self.held[epoch].astype(np.float64)
        return np.column_stack([1.0 - rows, rows]) if rows.ndim == 1 else rows

    def dynamics(self) -> TrainingDynamics:
        """The held-out TrainingDynamics, its ``in_sample`` map attached, as fit_epochs left it."""
        n_classes = None if self.task.n_classes == 2 else self.task.n_classes
        td = TrainingDynamics(self.noisy, n_classes=n_classes)
        inside = TrainingDynamics(self.noisy, n_classes=n_classes)
        for held, ins in zip(self.held, self.inside):
            td.log_epoch(held)
            inside.log_epoch(ins)
        td.in_sample = inside
        return td


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", text).strip("_")


def cache_path(task: Task, kind: str, seed: int) -> Path:
    rate = task.rates[kind]
    name = f"{_slug(task.name)}__{kind}{rate:g}__s{seed}__{PROTOCOL}.npz"
    return cache_dir() / "runs" / _slug(task.family) / name


def collect(task: Task, kind: str, seed: int) -> Run:
    """The cell's Run, from the cache or trained now (and cached)."""
    path = cache_path(task, kind, seed)
    noisy, flipped = add_noise(task, kind, seed)
    if path.exists():
        with np.load(path) as z:
            if np.array_equal(z["noisy"], noisy):
                return Run(
                    task, kind, seed, noisy, flipped, z["held"], z["inside"], float(z["cpu"])
                )
    held, inside = _Recorder(task.n_classes), _Recorder(task.n_classes)
    started = time.process_time()
    fit_epochs(
        task.estimator(seed),
        task.X_train,
        noisy,
        held,
        epochs=EPOCHS,
        classes=np.arange(task.n_classes),
        sample_weight=task.sample_weight(noisy),
        cv=FOLDS,
        random_state=seed,
        in_sample=inside,
    )
    cpu = time.process_time() - started
    run = Run(task, kind, seed, noisy, flipped, np.stack(held.epochs), np.stack(inside.epochs), cpu)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, noisy=noisy, held=run.held, inside=run.inside, cpu=cpu)
    tmp.replace(path)
    return run


def cleanlab_baseline(run: Run) -> dict:
    """cleanlab on the run's last-epoch held-out probabilities (cached next to the run).

    ``score``: 1 - self-confidence (``get_label_quality_scores``), ``flagged``:
    ``find_label_issues`` (default ``prune_by_noise_rate``), ``suggested``: the argmax class,
    ``cpu_s``: what computing both took.
    """
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    path = cache_path(run.task, run.kind, run.seed).with_suffix(".cleanlab.npz")
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    probs = run.probabilities(-1)
    started = time.process_time()
    score = 1.0 - get_label_quality_scores(run.noisy, probs)
    flagged = find_label_issues(run.noisy, probs)
    cpu = time.process_time() - started
    out = {"score": score, "flagged": flagged, "suggested": probs.argmax(axis=1), "cpu_s": cpu}
    np.savez(path, **out)
    return out
