"""What ``label_issues()`` costs, next to ``metrics()`` of the same run (the widget recomputes
both after every epoch).

Runs shaped like a cross-fitted run with 10% flipped labels: binary and 10-class at 43,410 x 10
(go_emotions' training split, 10 epochs) and binary at 550,000 x 20. Prints the median CPU
milliseconds of each call (process time: the machine may be shared) over --repeats, after one
warm-up call, and their ratio.

    python benchmarks/bench_label_issues_cost.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import functools
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from a checkout

from datamap_widget import TrainingDynamics
from datamap_widget.engine.label_issues import label_issues


def noisy_run(n: int, epochs: int, n_classes: int, seed: int = 0) -> TrainingDynamics:
    """Held-out outputs of a model that learns the true class while 10% of labels are flipped."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, n_classes, n)
    flipped = rng.random(n) < 0.1
    labels = np.where(flipped, (true + rng.integers(1, n_classes, n)) % n_classes, true)
    td = TrainingDynamics(labels, n_classes=None if n_classes == 2 else n_classes)
    for e in range(epochs):
        logits = rng.normal(0.0, 1.0, (n, n_classes)).astype(np.float32)
        logits[np.arange(n), true] += 0.3 * (e + 1)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        td.log_epoch(p[:, 1] if n_classes == 2 else p)
    return td


def median_ms(call, repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        started = time.process_time()
        call()
        times.append((time.process_time() - started) * 1000.0)
    return float(np.median(times))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print("| run | label_issues() ms | metrics() ms | ratio |")
    print("|---|---|---|---|")
    for n, epochs, classes in ((43_410, 10, 2), (43_410, 10, 10), (550_000, 20, 2)):
        td = noisy_run(n, epochs, classes)
        issues = median_ms(functools.partial(label_issues, td), args.repeats)
        metrics = median_ms(td.metrics, args.repeats)
        kind = "binary" if classes == 2 else f"{classes} classes"
        print(
            f"| {n:,} x {epochs}, {kind} | {issues:.1f} | {metrics:.1f} | {issues / metrics:.1f}x |"
        )


if __name__ == "__main__":
    main()
