"""Datasets for the tutorials: go_emotions (hub or a local TSV copy) and digits with flipped labels.

The tutorials should run on any machine. go_emotions comes from the Hugging Face hub when it is
reachable, or from a local copy of its TSV files when one is named, so a notebook runs offline
with exactly the same columns. `noisy_digits` needs no network at all (scikit-learn ships the
digits) and knows which labels it flipped, so a data map can be checked against the truth.
`datasets` is imported lazily: it is heavy and only go_emotions needs it.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from datamap_widget.engine._validation import label_index

__all__ = ["GO_EMOTIONS_DIR_ENV", "binary_task", "load_go_emotions", "noisy_digits"]

#: Environment variable naming a local go_emotions copy (used when `local_dir` is not given).
GO_EMOTIONS_DIR_ENV = "DATAMAP_GO_EMOTIONS_DIR"

# Hub split name -> file of the local copy (the original GoEmotions release calls it dev.tsv).
_LOCAL_SPLIT_FILES = {"train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"}


def load_go_emotions(split="train", local_dir=None):
    """go_emotions ("simplified"): a `datasets.Dataset` with columns text, labels, id.

    `labels` is a list of label indexes per comment (28 labels; their names are in
    ``ds.features["labels"].feature.names``). With `local_dir`, or the environment variable
    ``DATAMAP_GO_EMOTIONS_DIR``, the data is read from a folder holding train.tsv, dev.tsv,
    test.tsv and labels.txt (tab-separated ``text, labels, id``, no header, labels comma-separated);
    otherwise it is downloaded from the Hugging Face hub. `split` accepts the hub's split syntax,
    e.g. ``"train[:1000]"``.
    """
    if not isinstance(split, str):
        raise TypeError(f"split must be a string such as 'train', got {type(split).__name__}")
    local_dir = local_dir if local_dir is not None else os.environ.get(GO_EMOTIONS_DIR_ENV) or None
    if local_dir is not None:
        return _load_local_go_emotions(Path(local_dir), split)

    import datasets

    try:
        return datasets.load_dataset("go_emotions", "simplified", split=split)
    except (OSError, ConnectionError, datasets.exceptions.DatasetNotFoundError) as err:
        raise ConnectionError(
            "Could not load go_emotions from the Hugging Face hub "
            f"({type(err).__name__}: {err}). Without network access, point at a local copy of "
            "its TSV files (train.tsv, dev.tsv, test.tsv, labels.txt): "
            "load_go_emotions(local_dir='path/to/go_emotions'), or set the environment "
            f"variable {GO_EMOTIONS_DIR_ENV}=path/to/go_emotions."
        ) from err


def _load_local_go_emotions(folder, split):
    """Read the TSV copy with the hub's columns and features (labels as a ClassLabel sequence)."""
    import datasets

    if not folder.is_dir():
        raise FileNotFoundError(
            f"go_emotions folder {str(folder)!r} does not exist; pass local_dir= (or set "
            f"{GO_EMOTIONS_DIR_ENV}) to a folder holding train.tsv, dev.tsv, test.tsv, labels.txt"
        )
    names_file = folder / "labels.txt"
    if not names_file.is_file():
        raise FileNotFoundError(f"{names_file} is missing: it lists the 28 label names, one a line")
    label_names = [line.strip() for line in names_file.read_text(encoding="utf-8").splitlines()]
    label_names = [name for name in label_names if name]
    data_files = {
        name: str(folder / file)
        for name, file in _LOCAL_SPLIT_FILES.items()
        if (folder / file).is_file()
    }
    base_split = split.split("[", 1)[0].strip()
    if base_split not in data_files:
        wanted = _LOCAL_SPLIT_FILES.get(base_split, f"a file for split {base_split!r}")
        raise ValueError(
            f"split {split!r} is not available in {str(folder)!r} (needs {wanted}); "
            f"available splits: {sorted(data_files)}"
        )
    as_text = datasets.Value("string")
    raw = datasets.load_dataset(
        "csv",
        data_files=data_files,
        split=split,
        delimiter="\t",
        column_names=["text", "labels", "id"],
        quoting=3,  # csv.QUOTE_NONE: several comments contain double quotes
        keep_default_na=False,  # a comment reading "NA" or "null" is text, not missing
        na_filter=False,
        features=datasets.Features({"text": as_text, "labels": as_text, "id": as_text}),
    )
    features = datasets.Features(
        {
            "text": as_text,
            "labels": datasets.Sequence(datasets.ClassLabel(names=label_names)),
            "id": as_text,
        }
    )
    return raw.map(_split_labels, batched=True, features=features, desc="parsing labels")


def _split_labels(batch):
    return {
        "labels": [[int(x) for x in str(cell).split(",") if x.strip()] for cell in batch["labels"]]
    }


def binary_task(ds, label_name, *, column="label"):
    """`ds` with one more column, `column`: 1 where `label_name` is among the example's labels.

    Turns a multi-label dataset (go_emotions' ``labels`` lists) into the one-label-versus-rest
    task of the tutorial, e.g. ``binary_task(ds, "gratitude")``. `label_name` is a label name
    (looked up in ``ds.features["labels"]``) or a label index.
    """
    if "labels" not in ds.column_names:
        raise ValueError(
            f"ds needs a 'labels' column of label-index lists; it has {ds.column_names}"
        )
    if column in ds.column_names:
        raise ValueError(f"ds already has a column {column!r}; pass column= with a new name")
    index = _label_index(ds, label_name)
    flags = np.fromiter((index in labels for labels in ds["labels"]), dtype=np.int64, count=len(ds))
    return ds.add_column(column, flags)


def _label_index(ds, label_name):
    feature = getattr(ds.features["labels"], "feature", None)
    names = list(getattr(feature, "names", None) or [])
    if not names and isinstance(label_name, numbers.Integral) and not isinstance(label_name, bool):
        return int(label_name)  # no names to check the index against
    return label_index(label_name, "multilabel", names, len(names))


def noisy_digits(flip_fraction=0.1, seed=0):
    """scikit-learn's 1,797 handwritten 8x8 digits with a known, seeded fraction of labels flipped.

    Each flipped label is replaced by a different digit chosen at random, so a data map's
    hard-to-learn region can be checked against the truth. Returns a `sklearn.utils.Bunch` with
    ``data`` (N, 64) float pixels 0..16, ``images`` (N, 8, 8), ``labels`` (the noisy labels to
    train on), ``true_labels``, ``flipped`` (bool mask) and ``label_names`` ("0".."9").
    """
    from sklearn.datasets import load_digits

    if isinstance(flip_fraction, bool) or not isinstance(flip_fraction, (int, float, np.floating)):
        raise TypeError(f"flip_fraction must be a number in [0, 1), got {flip_fraction!r}")
    if not 0 <= flip_fraction < 1:
        raise ValueError(
            f"flip_fraction must be in [0, 1) (a fraction of the labels), got {flip_fraction}"
        )
    digits = load_digits()
    true_labels = digits.target.astype(np.int64)
    n, n_classes = len(true_labels), len(digits.target_names)
    rng = np.random.default_rng(seed)
    flipped = np.zeros(n, dtype=bool)
    flipped[rng.choice(n, size=round(flip_fraction * n), replace=False)] = True
    labels = true_labels.copy()
    # A shift of 1..C-1 classes always lands on a different digit, each with equal chance.
    shift = rng.integers(1, n_classes, size=int(flipped.sum()))
    labels[flipped] = (true_labels[flipped] + shift) % n_classes
    return Bunch(
        data=digits.data.astype(np.float64),
        images=digits.images.astype(np.float64),
        labels=labels,
        true_labels=true_labels,
        flipped=flipped,
        label_names=[str(name) for name in digits.target_names],
    )
