"""Turn user-supplied gold labels and example ids into validated numpy arrays.

Kept apart from the engine so that every way of describing a dataset (arrays, lists, pandas
columns, Hugging Face `datasets` columns of label-index lists) ends up in one canonical form:
binary/multiclass gold as int64 (N,), multilabel gold as bool (N, L).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from datamap_widget._validation import check_int

TASKS = ("binary", "multiclass", "multilabel")


def _as_int_array(values, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all():
        return arr.astype(np.int64)
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        rows = np.flatnonzero(np.isnan(arr).reshape(arr.shape[0], -1).any(axis=1))
        raise ValueError(
            f"{what} are missing (NaN) in {rows.size} rows (first rows: "
            f"{rows[:5].tolist()}); drop or fill those rows first"
        )
    kinds = "integers, bools or class names (strings)" if arr.ndim == 1 else "0/1 or bools"
    raise TypeError(
        f"{what} must be {kinds}, got dtype {arr.dtype}"
        + (" with fractional values" if arr.dtype.kind == "f" else "")
    )


def materialize(values):
    """Array-likes as they are; other sequences as a list (slicing first: a Hugging Face
    `datasets` Column slices to a list in microseconds but iterates row by row)."""
    if hasattr(values, "__array__") or isinstance(values, (list, tuple)):
        return values
    try:
        values = values[:]
    except (TypeError, KeyError, IndexError):
        pass
    return values if isinstance(values, list) or hasattr(values, "__array__") else list(values)


def normalize_names(label_names) -> list[str] | None:
    if label_names is None:
        return None
    if isinstance(label_names, str):
        raise TypeError("label_names must be a sequence of names, not a single string")
    if isinstance(label_names, Mapping):
        label_names = _names_by_index(label_names)
    names = [str(n) for n in label_names]
    if len(set(names)) != len(names):
        raise ValueError(f"label_names must be unique, got {names}")
    return names


def _names_by_index(mapping: Mapping) -> list:
    """A ``{class index: name}`` dict (a model's ``config.id2label``) as names in index order."""
    try:
        keys = {
            int(k): v for k, v in mapping.items() if not isinstance(k, (bool, float, np.floating))
        }
    except (TypeError, ValueError):
        keys = {}
    if len(keys) != len(mapping) or sorted(keys) != list(range(len(mapping))):
        raise ValueError(
            f"label_names as a dict must map the class indexes 0..C-1 to names, "
            f"like a model's config.id2label; got keys {list(mapping)[:10]}"
        )
    return [keys[i] for i in range(len(keys))]


def _is_scalar_label(value) -> bool:
    return not isinstance(value, (list, tuple, np.ndarray, set, dict))


def _try_array(labels):
    """Return labels as an array, or None when they are lists per example (multilabel)."""
    if isinstance(labels, np.ndarray) and labels.dtype != object:
        return labels
    try:
        arr = np.asarray(labels)
    except ValueError:  # numpy refuses ragged nested lists
        return None
    if arr.dtype.kind == "U" and arr.ndim == 1 and not all(isinstance(v, str) for v in labels):
        arr = np.empty(len(labels), dtype=object)  # numpy turned [1, "a"] into strings
        arr[:] = list(labels)
    if arr.dtype == object:  # one value per example (strings, None...) or lists per example
        return arr if arr.ndim == 1 and all(map(_is_scalar_label, arr)) else None
    return arr


def _from_index_lists(labels, names: list[str] | None):
    """Lists of label indexes (or of label names) per example -> (N x L multi-hot, names,
    whether the lists held names)."""
    rows = [np.atleast_1d(r).tolist() if hasattr(r, "__array__") else r for r in labels]
    if any(not isinstance(r, (list, tuple)) for r in rows):
        bad = next(i for i, r in enumerate(rows) if not isinstance(r, (list, tuple)))
        raise TypeError(
            f"labels mix lists and single values (labels[{bad}] = {rows[bad]!r}); "
            "give one label per example, or a list of labels per example "
            "(multilabel)"
        )
    lengths = np.fromiter(map(len, rows), np.int64, len(rows))
    values = list(itertools.chain.from_iterable(rows))
    by_name = bool(values) and all(isinstance(v, str) for v in values)
    if by_name:  # lists of label names
        names = sorted(set(values)) if names is None else names
        where = {name: i for i, name in enumerate(names)}
        unknown = sorted({v for v in values if v not in where})
        if unknown:
            raise ValueError(
                f"labels hold {len(unknown)} label names that are not in label_names: {unknown[:5]}"
            )
        flat = np.fromiter((where[v] for v in values), np.int64, len(values))
    else:
        if names is None:
            raise ValueError(
                "labels look like lists of label indexes (multilabel); pass "
                "label_names so the number of labels is known"
            )
        try:
            flat = np.fromiter(values, np.int64, len(values))
        except (TypeError, ValueError):
            raise TypeError(
                "lists of labels must hold label indexes (ints) or label names (strings)"
            ) from None
    bad = (flat < 0) | (flat >= len(names))
    if bad.any():
        i = int(np.repeat(np.arange(len(rows)), lengths)[np.argmax(bad)])
        raise ValueError(
            f"labels[{i}] = {list(rows[i])} holds label indexes outside "
            f"0..{len(names) - 1} (there are {len(names)} label_names)"
        )
    hot = np.zeros((len(rows), len(names)), dtype=bool)
    hot[np.repeat(np.arange(len(rows)), lengths), flat] = True
    return hot, names, by_name


def _classes_of_values(values: np.ndarray, names, categories=None):
    """Class names (strings, categories...) per example -> (int64 class indexes, class names).

    Classes are ``names`` when given, else ``categories`` (pandas Categorical), else the sorted
    distinct values.
    """
    missing = pd.isna(values)
    if missing.any():
        rows = np.flatnonzero(missing)
        raise ValueError(
            f"labels are missing (None/NaN) in {rows.size} rows (first rows: "
            f"{rows[:5].tolist()}); drop or fill those rows first"
        )
    kinds = {type(v) for v in values.tolist()}
    if len(kinds) > 1 and not all(issubclass(k, str) for k in kinds):
        raise TypeError(
            f"labels mix value types {sorted(k.__name__ for k in kinds)}; give "
            "class indexes (ints) or class names (strings), not both"
        )
    values = values.astype(str)
    if names is not None:
        classes = list(names)
    elif categories is not None:
        classes = [str(c) for c in categories]
    else:
        classes = sorted(set(values.tolist()))
    where = {name: i for i, name in enumerate(classes)}
    gold = np.fromiter((where.get(v, -1) for v in values.tolist()), np.int64, values.shape[0])
    if (gold < 0).any():
        unknown = sorted(set(values[gold < 0].tolist()))
        raise ValueError(
            f"labels hold {len(unknown)} class names that are not in label_names "
            f"{classes}: {unknown[:5]}"
        )
    return gold, classes


def feature_names(feature):
    """Label names of a Hugging Face ``ClassLabel`` or ``Sequence``/``List(ClassLabel)`` feature.

    Returns (names or None, True when the feature is a list of labels per example).
    """
    if type(feature).__name__ == "ClassLabel":
        return list(feature.names), False
    inner = getattr(feature, "feature", None)
    if type(inner).__name__ == "ClassLabel":
        return list(inner.names), True
    return None, False


def _warn_one_hot(n_columns: int) -> None:
    warnings.warn(
        f"labels look one-hot (each row has exactly one 1 among {n_columns} columns): "
        "read as one class per example (the column of the 1). If an example may "
        "have several labels, pass task='multilabel'",
        UserWarning,
        stacklevel=4,
    )


class Labels(NamedTuple):
    """Gold labels in canonical form (see ``normalize_labels``)."""

    task: str
    gold: np.ndarray
    names: list[str] | None
    n_classes: int
    unsorted_names: bool = False
    """True when the labels were class names whose given order (``label_names`` or a
    Categorical's categories) is not the sorted order: a model's output columns may follow
    either (scikit-learn's ``classes_`` is sorted), so outputs need ``classes=``."""


def normalize_labels(labels, task=None, label_names=None, n_classes=None) -> Labels:
    """Return (task, gold, label_names, n_classes, unsorted_names) after checking labels.

    Labels may be class indexes, bools, class names (strings, a pandas Categorical, a Hugging
    Face string or ``ClassLabel`` column), N x L multi-hot (array or DataFrame, whose column
    names become the label names) or lists of label indexes or names per example.
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} or None (inferred), got {task!r}")
    names = normalize_names(label_names)
    n_classes = check_int(n_classes, "n_classes", allow_none=True)
    unsorted = False
    if labels is None or isinstance(labels, (str, bytes)):
        raise TypeError("labels must be a sequence of gold labels")
    categories = None
    if isinstance(labels, pd.DataFrame):
        if labels.shape[1] == 1 and task != "multilabel":  # df[["label"]]: one label per row
            labels = labels.iloc[:, 0]
        else:
            if not all(kind in "biuf" for kind in labels.dtypes.map(lambda d: d.kind)):
                raise TypeError(
                    f"labels is a DataFrame with columns {list(labels.columns)[:10]}"
                    "; pass its label column (df['label']), or a DataFrame of 0/1 "
                    "columns, one per label (multilabel)"
                )
            if names is None:
                names = [str(c) for c in labels.columns]
    if isinstance(labels, pd.Series) and isinstance(labels.dtype, pd.CategoricalDtype):
        if labels.cat.categories.dtype.kind not in "iub":
            categories = labels.cat.categories
        labels = labels.to_numpy(dtype=object if categories is not None else None)
    elif not isinstance(labels, (pd.Series, pd.DataFrame)) and names is None:
        hf_names, listed = feature_names(getattr(labels, "features", None))
        if hf_names is not None:
            names = hf_names
            task = "multilabel" if listed and task is None else task
    labels = materialize(labels)
    arr = _try_array(labels)

    if arr is None or (
        arr.ndim == 2
        and task == "multilabel"
        and names is not None
        and (arr.shape[1] != len(names) or not np.isin(arr, (0, 1)).all())
    ):
        if task not in (None, "multilabel"):
            raise ValueError(f"task={task!r} needs one label per example, but labels are lists")
        given = names is not None
        gold, names, by_name = _from_index_lists(labels, names)
        unsorted = given and by_name and names != sorted(names)
        task = "multilabel"
    elif arr.ndim == 2 and arr.shape[1] == 1 and task != "multilabel":
        return normalize_labels(arr[:, 0], task, names, n_classes)
    elif arr.ndim == 2:
        if task not in (None, "multilabel"):
            if arr.dtype.kind in "biuf" and _is_one_hot(arr):
                return normalize_labels(arr.argmax(axis=1), task, names, n_classes)
            raise ValueError(f"2-D labels mean multilabel (N x L multi-hot), not task={task!r}")
        values = _as_int_array(arr, "multilabel labels")
        if not np.isin(values, (0, 1)).all():
            raise ValueError(
                "2-D labels must be multi-hot (0/1); for lists of label indexes "
                "pass task='multilabel' and label_names"
            )
        if names is not None and len(names) != values.shape[1]:
            raise ValueError(f"labels have {values.shape[1]} columns but {len(names)} label_names")
        if task is None and _is_one_hot(values):
            _warn_one_hot(values.shape[1])
            return normalize_labels(
                values.argmax(axis=1),
                None,
                names,
                n_classes if n_classes is not None else values.shape[1],
            )
        gold = values.astype(bool)
        task = "multilabel"
    elif arr.ndim == 1:
        if (
            arr.dtype == object
            and categories is None
            and not pd.isna(arr).any()
            and not any(isinstance(v, str) for v in arr.tolist())
        ):
            arr = np.asarray(arr.tolist())  # numbers that came as objects: class indexes
        if arr.dtype.kind in "USO" or categories is not None:
            if task == "multilabel":
                raise ValueError(
                    "multilabel labels must be N x L multi-hot or lists of labels per example"
                )
            given = names is not None or categories is not None
            gold, names = _classes_of_values(arr, names, categories)
            unsorted = given and names != sorted(names)
            if task is None and len(names) == 2 and n_classes in (None, 2):
                task = "binary"
        else:
            gold = _as_int_array(arr, "labels")
        if task == "multilabel":
            raise ValueError("multilabel labels must be N x L multi-hot or lists of label indexes")
        if gold.size and gold.min() < 0:
            raise ValueError(f"labels must be >= 0, found {int(gold.min())}")
        is_01 = bool(np.isin(gold, (0, 1)).all())
        if task is None:
            fits_binary = (names is None or len(names) == 2) and n_classes in (None, 2)
            task = "binary" if is_01 and fits_binary else "multiclass"
        if task == "binary" and not is_01:
            bad = np.unique(gold[~np.isin(gold, (0, 1))])[:5].tolist()
            raise ValueError(f"binary labels must be 0/1 or bools, found {bad}")
        if (
            task == "multiclass"
            and names is None
            and n_classes is None
            and gold.size
            and gold.min() > 0
        ):
            raise ValueError(
                f"labels run from {int(gold.min())} to {int(gold.max())} and never use class 0, "
                "but class indexes start at 0 (1-based labels would add an empty class 0). "
                "Pass labels - 1 (or the class names as strings); if class 0 exists but does "
                "not occur here, pass n_classes= or label_names="
            )
    else:
        raise ValueError(
            f"labels must be 1-D (binary/multiclass) or 2-D (multilabel), got {arr.ndim}-D"
        )

    if gold.shape[0] == 0:
        raise ValueError("labels is empty: a data map needs at least one example")
    if task == "multilabel":
        c = gold.shape[1]
    elif task == "binary":
        c = 2
    else:
        c = len(names) if names is not None else (n_classes or int(gold.max()) + 1)
    if n_classes is not None and n_classes != c:
        raise ValueError(f"n_classes={n_classes} contradicts the labels/label_names ({c} classes)")
    if c < 2 and task != "multilabel":
        raise ValueError(
            "a classification task needs at least 2 classes; pass label_names or n_classes"
        )
    if task == "multiclass" and int(gold.max()) >= c:
        one_based = int(gold.min()) >= 1 and int(gold.max()) == c
        raise ValueError(
            f"labels go up to {int(gold.max())} but there are only {c} classes "
            "(label_names / n_classes), numbered 0.."
            f"{c - 1}"
            + (
                f". The labels run from 1 to {c}: they look 1-based; pass labels - 1"
                if one_based
                else ""
            )
        )
    if names is not None and len(names) != c:
        raise ValueError(f"{task} task has {c} classes but {len(names)} label_names were given")
    # never share (or freeze) the caller's array
    return Labels(task, gold.copy(), names, c, unsorted)


def _is_one_hot(values: np.ndarray) -> bool:
    return (
        values.shape[1] >= 2
        and bool(np.isin(values, (0, 1)).all())
        and bool((values.sum(axis=1) == 1).all())
    )


def ids_from_index(labels, n: int, what: str = "labels"):
    """Default ids of pandas labels: their index, unless it is just 0..N-1 (then None).

    pandas users select rows by index (``df.loc[td.hard().index]``), so results must carry the
    index of the labels they came from; a clear error when that index cannot serve as ids.
    """
    index = getattr(labels, "index", None)
    if not isinstance(labels, (pd.Series, pd.DataFrame)) or not isinstance(index, pd.Index):
        return None
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return None
    if isinstance(index, pd.MultiIndex):
        raise ValueError(
            f"{what} have a MultiIndex ({index.nlevels} levels); results are "
            f"indexed like the {what}, so give one id per example: pass ids=..., "
            f"or {what}.reset_index(drop=True) for ids 0..N-1"
        )
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise ValueError(
            f"the index of {what} repeats values (e.g. {dup}); results are indexed "
            f"like the {what}, so the index must be unique: use "
            f"{what}.reset_index(drop=True) (ids 0..N-1) or pass ids=..."
        )
    if index.dtype.kind in "iu" and np.array_equal(index.to_numpy(), np.arange(n)):
        return None
    values = index.to_numpy()
    if values.dtype.kind not in "iuUO" or (
        values.dtype == object and not all(isinstance(v, str) for v in values.tolist())
    ):
        raise TypeError(
            f"the index of {what} (dtype {index.dtype}) cannot serve as example "
            "ids, which must be ints or strings: pass ids=..., or "
            f"{what}.reset_index(drop=True) for ids 0..N-1"
        )
    return values


def normalize_ids(ids, n: int):
    """Return (ids array, pandas Index named 'id'); ids are unique ints or strings."""
    if ids is None:
        return np.arange(n, dtype=np.int64), pd.RangeIndex(n, name="id")
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be a sequence of ids, not a single string")
    ids = materialize(ids)
    if isinstance(ids, (list, tuple)) or getattr(getattr(ids, "dtype", None), "kind", "") == "O":
        arr = np.empty(len(ids), dtype=object)  # no coercion: [1, "a"] must not become strings
        arr[:] = list(ids)
        kinds = {type(v) for v in arr.tolist()}
        if any(issubclass(k, str) for k in kinds) and not all(issubclass(k, str) for k in kinds):
            raise TypeError(
                f"ids mix strings and other types ({sorted(k.__name__ for k in kinds)}"
                "); use one type, e.g. [str(i) for i in ids]"
            )
    else:
        arr = np.asarray(ids)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"ids must be 1-D with one id per example ({n}), got shape {arr.shape}")
    if arr.dtype == object:
        if all(isinstance(v, str) for v in arr):
            arr = arr.astype(str)
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in arr):
            arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuU":
        raise TypeError(f"ids must all be ints or all strings, got dtype {arr.dtype}")
    index = pd.Index(arr, name="id")
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"ids must be unique; repeated: {dup}")
    arr = arr.copy()
    arr.flags.writeable = False
    return arr, index
