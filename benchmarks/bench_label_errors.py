"""Finding flipped labels: in-sample confidence vs cross-fitted label_issues() vs cleanlab.

For each dataset, noise rate and seed, labels are flipped uniformly at random (to another class),
then three rankings of the training examples are scored against the known flips:

  (a) in-sample 1 - confidence of a plain run (``fit_epochs`` without cv), what ``td.hard()`` uses;
  (b) ``td.label_issues()`` of a cross-fitted run (``fit_epochs(..., cv=5)``);
  (c) cleanlab ``get_label_quality_scores`` (ranking) / ``find_label_issues`` (flags) on 5-fold
      out-of-sample probabilities of the same model, same folds, same epochs.

AUROC, AP and precision at k = number of flips (means over seeds), and the CPU and wall time of
each pipeline, training included (the fastest of the seeds; the pipelines run single-threaded,
so CPU time is what they cost and stays meaningful on a shared machine). Then the payoff:
retrain on the noisy labels, and on the labels fixed by (b) (flagged examples get the suggested
label; flagged ones whose suggestion is their own label are dropped) and by (c) (issues get
cleanlab's argmax label), and report the held-out test F1 gain (binary F1 of the positive class,
macro F1 for multiclass).

    pip install ".[bench]"     # cleanlab, for (c)
    python benchmarks/bench_label_errors.py            # 3 datasets x 3 rates x 3 seeds
    python benchmarks/bench_label_errors.py --quick    # 10% flips, one seed

go_emotions is read from $DATAMAP_GO_EMOTIONS_DIR (default ../shared/data/go_emotions).
Timings on a shared machine are noisy.
"""

# ruff: noqa: E402  (thread limits must be set before numpy is imported)
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # single-threaded pipelines: CPU time = cost, comparable

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from datamap_widget import TrainingDynamics
from datamap_widget.crossfit import fold_assignments
from datamap_widget.integrations.sklearn import fit_epochs

try:
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores
except ImportError:  # pragma: no cover
    sys.exit(
        "this benchmark compares with cleanlab: pip install cleanlab  (or pip install "
        "'.[bench]' from the repository root)"
    )

EPOCHS, FOLDS = 10, 5
MULTICLASS_EMOTIONS = ["admiration", "amusement", "anger", "curiosity", "gratitude", "sadness"]
REPO = Path(__file__).resolve().parents[1]


def go_emotions_dir() -> str:
    return os.environ.get("DATAMAP_GO_EMOTIONS_DIR") or str(
        REPO.parent / "shared" / "data" / "go_emotions"
    )


def load_text_tasks():
    from datamap_widget.datasets import load_go_emotions

    folder = go_emotions_dir()
    train, test = (load_go_emotions(s, local_dir=folder) for s in ("train", "test"))
    names = train.features["labels"].feature.names
    tasks = []
    grat = names.index("gratitude")
    vec = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    X_tr = vec.fit_transform(train["text"])
    X_te = vec.transform(test["text"])
    y_tr = np.array([grat in labels for labels in train["labels"]], np.int64)
    y_te = np.array([grat in labels for labels in test["labels"]], np.int64)
    tasks.append(("go_emotions gratitude", X_tr, y_tr, X_te, y_te, 2, True, 1e-5))
    keep = [names.index(e) for e in MULTICLASS_EMOTIONS]

    def single(ds):
        rows = [
            i for i, labels in enumerate(ds["labels"]) if len(labels) == 1 and labels[0] in keep
        ]
        return rows, np.array([keep.index(ds["labels"][i][0]) for i in rows], np.int64)

    rows_tr, ym_tr = single(train)
    rows_te, ym_te = single(test)
    texts_tr, texts_te = train["text"], test["text"]
    vec = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    Xm_tr = vec.fit_transform([texts_tr[i] for i in rows_tr])
    Xm_te = vec.transform([texts_te[i] for i in rows_te])
    tasks.append(
        (f"go_emotions {len(keep)} emotions", Xm_tr, ym_tr, Xm_te, ym_te, len(keep), True, 1e-5)
    )
    return tasks


def load_digits_task():
    d = load_digits()
    X_tr, X_te, y_tr, y_te = train_test_split(
        d.data, d.target, test_size=0.3, random_state=0, stratify=d.target
    )
    scaler = StandardScaler().fit(X_tr)
    return ("digits", scaler.transform(X_tr), y_tr, scaler.transform(X_te), y_te, 10, False, 1e-3)


def flip(y, rate, n_classes, seed):
    rng = np.random.default_rng(seed)
    flipped = np.zeros(len(y), bool)
    flipped[rng.choice(len(y), round(rate * len(y)), replace=False)] = True
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, n_classes, flipped.sum())) % n_classes
    return noisy, flipped


class Timer:
    """CPU seconds (what a pipeline costs, robust to other jobs on a shared machine) and wall."""

    def __init__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def stop(self):
        return time.process_time() - self.cpu, time.perf_counter() - self.wall


def ranking_scores(flipped, score):
    k = int(flipped.sum())
    top = np.argsort(-score, kind="stable")[:k]
    return (
        roc_auc_score(flipped, score),
        average_precision_score(flipped, score),
        flipped[top].mean(),
    )


def model(alpha, seed=0):
    return SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed)


def weights(y, balanced):
    return compute_sample_weight("balanced", y) if balanced else None


def train_eval(X_tr, y_tr, X_te, y_te, n_classes, balanced, alpha):
    est = model(alpha)
    w = weights(y_tr, balanced)
    for _ in range(EPOCHS):
        est.partial_fit(X_tr, y_tr, classes=np.arange(n_classes), sample_weight=w)
    pred = est.predict(X_te)
    f1 = f1_score(y_te, pred) if n_classes == 2 else f1_score(y_te, pred, average="macro")
    return f1, accuracy_score(y_te, pred)


def run_in_sample(X, y, n_classes, balanced, alpha):
    t = Timer()
    td = TrainingDynamics(y, n_classes=n_classes if n_classes > 2 else None)
    fit_epochs(model(alpha), X, y, td, epochs=EPOCHS, sample_weight=weights(y, balanced))
    score = 1.0 - td.metrics()["confidence"].to_numpy()
    return score, t.stop()


def run_crossfit(X, y, n_classes, balanced, alpha):
    t = Timer()
    td = TrainingDynamics(y, n_classes=n_classes if n_classes > 2 else None)
    fit_epochs(model(alpha), X, y, td, epochs=EPOCHS, cv=FOLDS, sample_weight=weights(y, balanced))
    issues = td.label_issues()
    elapsed = t.stop()
    issues = issues.loc[td.ids]  # back to row order
    return (
        issues["score"].to_numpy(),
        issues["flagged"].to_numpy(),
        issues["suggested"].to_numpy(),
        elapsed,
    )


def run_cleanlab(X, y, n_classes, balanced, alpha):
    t = Timer()
    folds = fold_assignments(y, FOLDS)  # the same folds as fit_epochs(cv=5)
    w = weights(y, balanced)
    probs = np.zeros((len(y), n_classes))
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        est = clone(model(alpha))
        X_k, y_k, w_k = X[train], y[train], None if w is None else w[train]
        for _ in range(EPOCHS):
            est.partial_fit(X_k, y_k, classes=np.arange(n_classes), sample_weight=w_k)
        probs[test] = est.predict_proba(X[test])
    quality = get_label_quality_scores(y, probs)
    issues = find_label_issues(y, probs)
    return 1.0 - quality, issues, probs.argmax(axis=1), t.stop()


def fixed_labels(y, flagged, suggested):
    """Flagged examples take the suggested label; those whose suggestion is their label go."""
    y = y.copy()
    y[flagged] = suggested[flagged]
    keep = ~(flagged & (suggested == y))
    return y, keep


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10%% flips and one seed only")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    rates = [0.1] if args.quick else [0.05, 0.1, 0.2]
    seeds = range(1 if args.quick else args.seeds)
    tasks = [load_digits_task(), *load_text_tasks()]
    rows = []
    header = (
        f"{'dataset':24s} {'flips':>5s} {'method':10s} {'AUROC':>6s} {'AP':>6s} {'P@k':>6s} "
        f"{'cpu s':>6s} {'wall s':>6s} {'flagged':>7s} {'F1 gain':>7s}"
    )
    print(header)
    print("-" * len(header))
    for name, X_tr, y_true, X_te, y_te, n_classes, balanced, alpha in tasks:
        clean_f1, _ = train_eval(X_tr, y_true, X_te, y_te, n_classes, balanced, alpha)
        for rate in rates:
            acc = {m: [] for m in ("a", "b", "c")}
            for seed in seeds:
                y, flipped = flip(y_true, rate, n_classes, seed)
                noisy_f1, _ = train_eval(X_tr, y, X_te, y_te, n_classes, balanced, alpha)
                sa, ta = run_in_sample(X_tr, y, n_classes, balanced, alpha)
                sb, fb, gb, tb = run_crossfit(X_tr, y, n_classes, balanced, alpha)
                sc, fc, gc, tc = run_cleanlab(X_tr, y, n_classes, balanced, alpha)
                for key, score, t, flags, sugg in (
                    ("a", sa, ta, None, None),
                    ("b", sb, tb, fb, gb),
                    ("c", sc, tc, fc, gc),
                ):
                    gain = np.nan
                    n_flag = np.nan
                    if flags is not None:
                        y_fix, keep = fixed_labels(y, flags, sugg)
                        f1, _ = train_eval(
                            X_tr[keep], y_fix[keep], X_te, y_te, n_classes, balanced, alpha
                        )
                        gain, n_flag = f1 - noisy_f1, flags.sum()
                    acc[key].append(
                        (*ranking_scores(flipped, score), t[0], n_flag, gain, noisy_f1, t[1])
                    )
            for key, label in (("a", "in-sample"), ("b", "crossfit"), ("c", "cleanlab")):
                table = np.array(acc[key], dtype=float)
                m = np.nanmean(table, axis=0) if key != "a" else table.mean(axis=0)
                m[3] = table[:, 3].min()  # fastest of the seeds: the machine may be shared
                m[7] = table[:, 7].min()
                gain = "" if key == "a" else f"{m[5]:+7.3f}"
                flagged = "" if key == "a" else f"{m[4]:7.0f}"
                print(
                    f"{name:24s} {rate:5.0%} {label:10s} {m[0]:6.3f} {m[1]:6.3f} {m[2]:6.3f} "
                    f"{m[3]:6.2f} {m[7]:6.2f} {flagged:>7s} {gain:>7s}"
                )
                rows.append((name, rate, label, *m))
            ap_b = np.mean([r[1] for r in acc["b"]])
            ap_c = np.mean([r[1] for r in acc["c"]])
            t_ratio = min(r[3] for r in acc["b"]) / min(r[3] for r in acc["c"])
            print(
                f"{'':24s} {'':5s} AP (b)-(c) {ap_b - ap_c:+.3f}, "
                f"cpu time (b)/(c) {t_ratio:.2f}x, "
                f"F1 noisy {np.mean([r[6] for r in acc['b']]):.3f} (clean labels "
                f"{clean_f1:.3f})"
            )
    return rows


if __name__ == "__main__":
    main()
