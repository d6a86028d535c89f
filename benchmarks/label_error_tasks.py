"""The task suite of bench_label_errors.py: datasets x models x class weights, in families.

A *family* is what leave-one-family-out selection holds out at once: tasks that share a data
source and a model kind, so a constant tuned on one of them is never judged on its sibling.
Every task is trained the same way (10 epochs of ``partial_fit``, 5 folds for the held-out map)
and gets two kinds of label noise (``NOISE_KINDS``), each at a rate that cycles over the tasks of
a family, so every family sees every rate without multiplying the cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

EPOCHS, FOLDS = 10, 5
#: the 10 most frequent go_emotions labels after "neutral" (base rates 9.5% down to 3.6%)
OVR_EMOTIONS = [
    "admiration",
    "approval",
    "gratitude",
    "annoyance",
    "amusement",
    "curiosity",
    "love",
    "disapproval",
    "optimism",
    "anger",
]
MULTICLASS_SUBSETS = {
    "6a": ["admiration", "amusement", "anger", "curiosity", "gratitude", "sadness"],
    "6b": ["approval", "annoyance", "disapproval", "joy", "love", "optimism"],
    "ekman": ["anger", "disgust", "fear", "joy", "sadness", "surprise"],
}
#: go_emotions' own sentiment grouping: comments whose labels all lie on one side
POSITIVE = [
    "admiration", "amusement", "approval", "caring", "desire", "excitement", "gratitude", "joy",
    "love", "optimism", "pride", "relief",
]  # fmt: skip
NEGATIVE = [
    "anger", "annoyance", "disappointment", "disapproval", "disgust", "embarrassment", "fear",
    "grief", "nervousness", "remorse", "sadness",
]  # fmt: skip
#: noise kind -> the rates it cycles through over the tasks of a family
NOISE_KINDS = {"uniform": (0.05, 0.10, 0.20), "class-conditional": (0.20, 0.40)}
SMALL = 2_000  # tasks with fewer training examples get more seeds (their AP is noisy)


@dataclass(frozen=True, eq=False)
class Task:
    """One dataset + model + class weighting; ``rates`` maps each noise kind to its rate."""

    name: str
    family: str
    X_train: object
    y_train: np.ndarray
    X_test: object
    y_test: np.ndarray
    n_classes: int
    model: str = "sgd"  # "sgd": SGDClassifier(log_loss, alpha); "mlp": MLPClassifier((64,))
    alpha: float = 1e-4
    class_weight: object = None  # None, "balanced" or {class: weight} (follows the labels)
    rates: dict = field(default_factory=dict)

    @property
    def n_seeds_default(self) -> int:
        return 3 if len(self.y_train) >= SMALL else 10

    def estimator(self, seed: int):
        if self.model == "mlp":
            return MLPClassifier(
                hidden_layer_sizes=(64,), alpha=self.alpha, batch_size=200, random_state=seed
            )
        return SGDClassifier(loss="log_loss", alpha=self.alpha, random_state=seed)

    def sample_weight(self, labels: np.ndarray, extra=None):
        """Per-row weights for training on ``labels`` (class weights follow the labels)."""
        w = None
        if self.class_weight is not None:
            w = compute_sample_weight(self.class_weight, labels)
        if extra is not None:
            w = extra if w is None else w * extra
        return w


def uniform_flips(y, rate, n_classes, rng):
    """``round(rate * N)`` labels, chosen at random, moved to another class chosen at random."""
    flipped = np.zeros(len(y), bool)
    flipped[rng.choice(len(y), round(rate * len(y)), replace=False)] = True
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, n_classes, flipped.sum())) % n_classes
    return noisy, flipped


def class_conditional_flips(y, rate, n_classes, rng):
    """Binary: ``rate`` of the positives become negative (missed labels, never the reverse).

    Multiclass: ``rate`` of every class c moves to class c + 1 (mod C): a fixed confusion.
    """
    noisy = y.copy()
    flipped = np.zeros(len(y), bool)
    sources = [1] if n_classes == 2 else range(n_classes)
    for c in sources:
        rows = np.flatnonzero(y == c)
        flipped[rng.choice(rows, round(rate * len(rows)), replace=False)] = True
    noisy[flipped] = 0 if n_classes == 2 else (y[flipped] + 1) % n_classes
    return noisy, flipped


def add_noise(task: Task, kind: str, seed: int):
    """(noisy labels, flipped mask) for one cell; the same seed gives the same flips."""
    rng = np.random.default_rng([seed, sum(map(ord, task.name)), len(kind)])
    flips = uniform_flips if kind == "uniform" else class_conditional_flips
    return flips(task.y_train, task.rates[kind], task.n_classes, rng)


def _with_rates(tasks):
    """Give the i-th task of each family the i-th rate of each noise kind (cycling)."""
    seen: dict = {}
    out = []
    for t in tasks:
        i = seen.get(t.family, 0)
        seen[t.family] = i + 1
        rates = {kind: values[i % len(values)] for kind, values in NOISE_KINDS.items()}
        out.append(Task(**{**t.__dict__, "rates": rates}))
    return out


@cache
def _go_emotions(folder: str):
    """Train/test comments, label lists and TF-IDF (1-3 grams) fitted on the training texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from datamap_widget.datasets import load_go_emotions

    train, test = (load_go_emotions(s, local_dir=folder) for s in ("train", "test"))
    names = train.features["labels"].feature.names
    vec = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True, dtype=np.float32)
    X_tr = vec.fit_transform(train["text"])
    X_te = vec.transform(test["text"])
    return names, X_tr, list(train["labels"]), X_te, list(test["labels"])


def _single_label_subset(labels, classes):
    """Rows whose labels are all in one group of ``classes`` (lists of label indexes) -> group."""
    group_of = {label: g for g, members in enumerate(classes) for label in members}
    rows, y = [], []
    for i, labs in enumerate(labels):
        groups = {group_of.get(label, -1) for label in labs}
        if len(groups) == 1 and -1 not in groups:
            rows.append(i)
            y.append(groups.pop())
    return np.array(rows), np.array(y, np.int64)


def go_emotions_tasks(folder: str, limit: int | None = None):
    """One-vs-rest (10 emotions x weights x alpha), 3 six-class subsets, positive vs negative."""
    names, X_tr, labels_tr, X_te, labels_te = _go_emotions(folder)
    index = {n: i for i, n in enumerate(names)}
    X_ovr = X_tr if limit is None else X_tr[:limit]  # (slicing a sparse matrix copies it)
    part = "" if limit is None else f" first {limit}"  # (other data: other cache entries)
    tasks = []
    for weights in ("balanced", None):
        family = "go_emotions 1-vs-rest " + ("balanced" if weights else "unweighted")
        for alpha in (1e-4, 1e-5):
            for emotion in OVR_EMOTIONS if limit is None else OVR_EMOTIONS[:1]:
                k = index[emotion]
                y_tr = np.array([k in labs for labs in labels_tr], np.int64)
                y_te = np.array([k in labs for labs in labels_te], np.int64)
                tasks.append(
                    Task(
                        f"{emotion} {'bal' if weights else 'unw'} a{alpha:.0e}{part}",
                        family,
                        X_ovr,
                        y_tr[: X_ovr.shape[0]],
                        X_te,
                        y_te,
                        2,
                        alpha=alpha,
                        class_weight=weights,
                    )
                )
    groups = {f"{k} emotions": [[index[e]] for e in v] for k, v in MULTICLASS_SUBSETS.items()}
    groups["sentiment"] = [[index[e] for e in NEGATIVE], [index[e] for e in POSITIVE]]
    for name, classes in groups.items():
        r_tr, y_tr = _single_label_subset(labels_tr, classes)
        r_te, y_te = _single_label_subset(labels_te, classes)
        if limit is not None:
            r_tr, y_tr = r_tr[:limit], y_tr[:limit]
        family = "go_emotions sentiment" if name == "sentiment" else "go_emotions multiclass"
        for weights in ("balanced", None):
            for alpha in (1e-4, 1e-5):
                tasks.append(
                    Task(
                        f"{name} {'bal' if weights else 'unw'} a{alpha:.0e}{part}",
                        family,
                        X_tr[r_tr],
                        y_tr,
                        X_te[r_te],
                        y_te,
                        len(classes),
                        alpha=alpha,
                        class_weight=weights,
                    )
                )
    return tasks


def _standardised(X, y, seed=0):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), y_tr.astype(np.int64), scaler.transform(X_te), y_te


def sklearn_tasks():
    """scikit-learn's bundled digits, iris, wine, breast_cancer: SGD (alpha 1e-3) and MLP(64)."""
    tasks = []
    for name, load in (
        ("digits", load_digits),
        ("iris", load_iris),
        ("wine", load_wine),
        ("breast_cancer", load_breast_cancer),
    ):
        d = load()
        X_tr, y_tr, X_te, y_te = _standardised(d.data, d.target)
        c = len(np.unique(d.target))
        for model in ("sgd", "mlp"):
            alpha = 1e-3 if model == "sgd" else 1e-4
            family = f"scikit-learn datasets {model.upper()}"
            tasks.append(Task(f"{name} {model}", family, X_tr, y_tr, X_te, y_te, c, model, alpha))
    return tasks


def synthetic_tasks(n=20_000):
    """make_classification: class imbalance, and a model biased by class-skewed weights."""
    tasks = []
    imbalanced = {
        "5 classes 50/25/13/8/4%": (5, [0.5, 0.25, 0.13, 0.08]),
        "binary 90/10": (2, [0.9]),
    }
    for name, (c, weights) in imbalanced.items():
        X, y = make_classification(
            n, 20, n_informative=10, n_classes=c, weights=weights, random_state=1
        )
        X_tr, y_tr, X_te, y_te = _standardised(X, y)
        for model in ("sgd", "mlp"):
            tasks.append(
                Task(f"{name} {model}", "synthetic imbalanced", X_tr, y_tr, X_te, y_te, c, model)
            )
    for c in (2, 5):
        X, y = make_classification(n, 20, n_informative=10, n_classes=c, random_state=2)
        X_tr, y_tr, X_te, y_te = _standardised(X, y)
        for model in ("sgd", "mlp"):
            tasks.append(
                Task(
                    f"{c} classes weight 3 on class 1 {model}",
                    "synthetic biased",
                    X_tr,
                    y_tr,
                    X_te,
                    y_te,
                    c,
                    model,
                    class_weight={k: 3.0 if k == 1 else 1.0 for k in range(c)},
                )
            )
    return tasks


def suite(go_emotions_dir: str, quick: bool = False):
    """Every task, with its noise rates. ``quick``: a small, fast slice (for smoke tests)."""
    if quick:
        small = [t for t in sklearn_tasks() if t.name in ("digits sgd", "breast_cancer sgd")]
        text = go_emotions_tasks(go_emotions_dir, limit=8_000)
        keep = ("admiration bal a1e-05 first 8000", "sentiment unw a1e-04 first 8000")
        text = [t for t in text if t.name in keep]
        return _with_rates(small + text)
    return _with_rates(go_emotions_tasks(go_emotions_dir) + sklearn_tasks() + synthetic_tasks())
