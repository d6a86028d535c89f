"""Finding flipped labels: td.label_issues() vs cleanlab over a suite of 72 tasks in 8 families.

For every task (``label_error_tasks``: go_emotions one-vs-rest for 10 emotions with and without
balanced class weights at alpha 1e-4 and 1e-5, three 6-emotion subsets, positive vs negative
sentiment; scikit-learn's digits, iris, wine, breast_cancer; make_classification with class
imbalance or class-skewed sample weights; SGD and an MLP), two kinds of label noise (uniform
flips; class-conditional: binary positives missed, multiclass c -> c+1) at a rate cycling over
the tasks of a family, and 3 seeds (10 for tasks under 2,000 examples):

1. train once, cross-fitted (10 epochs, 5 folds), caching both maps' outputs of every epoch
   (``label_error_runs``; the cache lives in benchmarks/.cache, git-ignored);
2. choose the score's constants by leave-one-family-out and report each family under the
   constants chosen without it (``label_error_selection``);
3. score every run with ``td.label_issues()`` and with cleanlab 2.x (self-confidence ranking,
   ``find_label_issues`` flags) on the same held-out probabilities of the last epoch;
4. retrain on the labels each policy fixes (first 3 seeds of each cell) and compare the clean
   test split's macro F1 with training on the noisy labels (``label_error_retrain``); choose the
   policy behind the ``action`` column by leave-one-family-out (``label_error_policy``);
5. print per-family tables, win / tie / loss against cleanlab, and every target met or missed.

    pip install ".[bench]"                      # cleanlab
    python benchmarks/bench_label_errors.py      # the whole suite: from an empty cache ~1.5 h
                                                 # of training + ~25 min of retraining per seed
                                                 # on 2 shared cores; from the cache, minutes
    python benchmarks/bench_label_errors.py --retrain-seeds 1   # what the README reports
    python benchmarks/bench_label_errors.py --quick   # 4 small tasks, 1 seed (a smoke test)

go_emotions is read from $DATAMAP_GO_EMOTIONS_DIR (default ../shared/data/go_emotions).
"""

# ruff: noqa: E402  (thread limits must be set before numpy is imported)
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # single-threaded pipelines: CPU time = cost, comparable

import pandas as pd

try:
    import cleanlab  # noqa: F401
except ImportError:  # pragma: no cover
    sys.exit(
        "this benchmark compares with cleanlab: pip install cleanlab  (or pip install "
        "'.[bench]' from the repository root)"
    )

from label_error_policy import lofo_table
from label_error_report import cell_table, cells, family_table, markdown, targets, win_tie_loss
from label_error_retrain import policy_results
from label_error_runs import cleanlab_baseline, collect
from label_error_scoring import judge, ours
from label_error_selection import Memo, choose, describe, lofo
from label_error_tasks import NOISE_KINDS, suite

from datamap_widget.engine._issue_score import DEFAULT

REPO = Path(__file__).resolve().parents[1]


def go_emotions_dir() -> str:
    return os.environ.get("DATAMAP_GO_EMOTIONS_DIR") or str(
        REPO.parent / "shared" / "data" / "go_emotions"
    )


def all_runs(tasks, seeds):
    runs = []
    for task in tasks:
        started = time.perf_counter()
        n = seeds or task.n_seeds_default
        runs += [collect(task, kind, seed) for kind in NOISE_KINDS for seed in range(n)]
        print(f"  {task.family} / {task.name}: {time.perf_counter() - started:.1f} s", flush=True)
    return runs


def selection_report(runs):
    memo = Memo()
    chosen, _ = choose(memo, runs)
    print(f"\nChosen on all families: {describe(chosen)}")
    if chosen != DEFAULT:
        print(f"  NOTE: the package's defaults differ: {describe(DEFAULT)}")
    rows = {}
    for family, (settings, frame) in lofo(memo, runs).items():
        c = cells(frame.assign(rate=0.0, seed=0))
        rows[family] = {
            "chosen without it": describe(settings),
            "AP ours": c["ap_ours"].mean(),
            "AP cleanlab": c["ap_cl"].mean(),
            "worst cell AP - cleanlab": c["d_ap"].min(),
            "F1 ours": c["f1_ours"].mean(),
            "F1 find_label_issues": c["f1_cl"].mean(),
            "sum ratio": c["sum_ratio"].mean(),
        }
    print("\nLeave-one-family-out: each family scored with the constants chosen without it\n")
    print(markdown(pd.DataFrame.from_dict(rows, orient="index").rename_axis("held-out family")))


def score_all(runs, retrain_seeds: int) -> pd.DataFrame:
    """judge() of every run under the package's defaults (read from the selection memo when it
    holds them), and the retraining policies of the first ``retrain_seeds`` seeds."""
    memo = Memo()
    rows = []
    for run in runs:
        known = memo.get(run, DEFAULT)
        retrain = run.seed < retrain_seeds
        mine = ours(run) if retrain or known is None else None
        row = {"family": run.task.family, "task": run.task.name, "kind": run.kind,
               "rate": run.rate, "seed": run.seed, **(known or judge(run, mine))}  # fmt: skip
        if retrain:
            results = policy_results(run, mine, cleanlab_baseline(run))
            row.update({f"f1:{k}": v["macro_f1"] for k, v in results.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 small tasks, 1 seed, no LOFO")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per cell (default 3/10)")
    parser.add_argument(
        "--retrain-seeds",
        type=int,
        default=3,
        help="retrain the policies on the first N seeds of each cell (0: none; default 3)",
    )
    parser.add_argument("--no-lofo", action="store_true", help="skip the LOFO selection")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)  # MLP convergence chatter
    tasks = suite(go_emotions_dir(), quick=args.quick)
    print(f"{len(tasks)} tasks in {len({t.family for t in tasks})} families; training (cached):")
    runs = all_runs(tasks, 1 if args.quick else args.seeds)
    if not (args.quick or args.no_lofo):
        selection_report(runs)
    results = score_all(runs, args.retrain_seeds)
    c = cells(results)
    print("\nPer cell (means over seeds; rate: the flip rate; policy columns: change in the")
    print("test split's macro F1 after retraining, against training on the noisy labels)\n")
    print(markdown(cell_table(c)))
    print("\nPer family\n")
    print(markdown(family_table(c)))
    if "f1:noisy" in c.columns:
        print("\nRetraining policy for the action column, leave-one-family-out (the change in")
        print(f"test macro F1 against the noisy labels; package default: {DEFAULT.policy})\n")
        print(markdown(lofo_table(c)))
    print("\n" + win_tie_loss(c))
    for line in targets(c):
        print("- " + line)
    cpu = results[["cpu_ours", "cpu_cl"]].median()
    print(
        f"\nCPU seconds per run (median): label_issues() {cpu['cpu_ours']:.3f}, cleanlab "
        f"ranking + find_label_issues {cpu['cpu_cl']:.3f}"
    )
    return results


if __name__ == "__main__":
    main()
