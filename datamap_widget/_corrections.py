"""Apply a review's corrected labels to the user's own data (pandas DataFrame or HF Dataset).

Rows are matched to the run by example id, never by position alone, and every way of going
wrong (unknown or repeated ids, reviewed ids missing, labels that are not the run's gold labels,
class names the run does not know) raises before anything is built. The label column keeps its
form: class indexes stay indexes (same dtype), names stay names, bools stay bools, lists of
label indexes or names (multilabel) stay lists.
"""

from __future__ import annotations

import hashlib
import itertools
import json

import numpy as np
import pandas as pd

from datamap_widget._labels import materialize
from datamap_widget._rows import columns_of, need_column, row_ids, run_positions


def apply(data, log, *, label_column: str, id_column, check_gold: bool):
    columns_of(data)  # TypeError for anything but a DataFrame or a Dataset
    if isinstance(data, pd.DataFrame):
        return _apply_frame(data, log, label_column, id_column, check_gold)
    return _apply_dataset(data, log, label_column, id_column, check_gold)


# --------------------------------------------------------------------------- per container
def _apply_frame(df, log, label_column, id_column, check_gold):
    need_column(list(df.columns), label_column, "label")
    ids, where = row_ids(df, id_column)
    column = df[label_column]
    categories = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else None
    values = column.to_numpy() if categories is None else np.array(column.tolist())
    keep, new = _corrected(values, ids, where, log, check_gold, class_names=None)
    new = [new[i] for i in keep] if isinstance(new, list) else new[keep]
    out = df.iloc[keep].copy()
    if categories is not None:
        extra = [v for v in pd.unique(np.asarray(new, dtype=object)) if v not in categories]
        series = pd.Series(
            pd.Categorical(new, categories=list(categories) + extra, ordered=column.cat.ordered),
            index=out.index,
        )
    elif isinstance(new, list):  # lists of labels per row (multilabel) stay Python lists
        series = pd.Series(new, index=out.index, dtype=object)
    else:
        series = pd.Series(new, index=out.index).astype(column.dtype)
    out[label_column] = series
    return out


def _apply_dataset(ds, log, label_column, id_column, check_gold):
    columns = list(ds.column_names)
    need_column(columns, label_column, "label")
    ids, where = row_ids(ds, id_column)
    feature = ds.features[label_column]
    class_names = _feature_names(feature)
    values = materialize(ds[label_column])
    if log.task != "multilabel":
        values = np.asarray(values)
    keep, new = _corrected(values, ids, where, log, check_gold, class_names)
    if isinstance(new, np.ndarray):
        new = new.tolist()
    # `datasets` would fingerprint the new column by hashing all of it (most of the time spent);
    # the decisions applied to this dataset's own fingerprint identify the result as well.
    fingerprint = _fingerprint(ds, log, label_column, id_column)
    # Replace the column first, then select: selecting last keeps an indices mapping instead of
    # rewriting the table (add_column after select would flatten it).
    out = ds.remove_columns(label_column)
    try:
        out = out.add_column(
            label_column, new, feature=feature, new_fingerprint=fingerprint + "-labels"
        )
    except TypeError:  # datasets < 3 has no feature= here: cast afterwards
        out = out.add_column(label_column, new).cast_column(label_column, feature)
    out = out.select_columns(columns)
    if keep.size == len(ds):
        return out
    return out.select(keep, new_fingerprint=fingerprint + "-kept")


def _fingerprint(ds, log, label_column, id_column) -> str:
    with log._lock:
        decisions = [log._to_json(d) for d in log.decisions]
    payload = [getattr(ds, "_fingerprint", None), len(ds), label_column, id_column, decisions]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()[:32]


def _feature_names(feature):
    """Class names of a ClassLabel (or a sequence of ClassLabel) feature, else None."""
    inner = getattr(feature, "feature", feature)
    names = getattr(inner, "names", None)
    return [str(n) for n in names] if names else None


# --------------------------------------------------------------------------- matching
def _positions(ids, where, log):
    positions = run_positions(ids, where, log._index, log.ids, "the reviewed run")
    decided = np.unique(np.asarray(log._positions, dtype=np.int64))
    absent = decided[~np.isin(decided, positions)]
    if absent.size:
        raise ValueError(
            f"{absent.size} reviewed examples are not in data (e.g. ids "
            f"{log.ids[absent[:5]].tolist()}); their decisions would be lost. Pass "
            "the data the review was made on"
        )
    return positions


def _corrected(values, ids, where, log, check_gold, class_names):
    """(row positions to keep, corrected labels of every row in the data's own form)."""
    positions = _positions(ids, where, log)
    run_names = log.label_names
    if class_names is not None and run_names is not None and class_names != run_names:
        raise ValueError(
            f"the data's class names {class_names} differ from the run's "
            f"{run_names}: class indexes would not mean the same classes"
        )
    with log._lock:
        labels, removed, _ = log._state()
    codec = _MultiLabelCodec(values, log) if log.task == "multilabel" else _ClassCodec(values, log)
    if check_gold:
        current = codec.decode()
        gold = log._gold[positions]
        differ = np.flatnonzero(
            current != gold if current.ndim == 1 else (current != gold).any(axis=1)
        )
        if differ.size:
            raise ValueError(
                f"{differ.size} of {len(positions)} rows of data have labels that "
                f"are not the run's gold labels (e.g. ids "
                f"{np.asarray(ids)[differ[:5]].tolist()}); the rows may be matched "
                "to the wrong examples (check id_column), or the labels were "
                "already changed. Pass check_gold=False to apply anyway"
            )
    keep = np.flatnonzero(~removed[positions])
    return keep, codec.encode(labels[positions])


# --------------------------------------------------------------------------- label forms
class _ClassCodec:
    """Binary/multiclass: class indexes, bools or class names."""

    def __init__(self, values, log):
        self.values = np.asarray(values)
        if self.values.dtype == object and self.values.size:  # e.g. Python ints in a list
            inferred = np.array(self.values.tolist())
            self.values = inferred if inferred.dtype != object else self.values
        self.log = log
        kind = self.values.dtype.kind
        if kind == "b":
            if log.task != "binary":
                raise ValueError("bool labels only fit a binary run; this run is multiclass")
            self.form = "bool"
        elif kind in "iuf":
            self.form = "index"
        elif kind in "OUT" and all(isinstance(v, str) for v in self.values.tolist()):
            if log.label_names is None:
                raise ValueError(
                    "the data's labels are class names but the run has no "
                    "label_names to match them to"
                )
            self.form = "name"
        else:
            raise TypeError(
                f"labels must be class indexes, bools or class names, got dtype {self.values.dtype}"
            )

    def decode(self) -> np.ndarray:
        if self.form == "name":
            lookup = {name: i for i, name in enumerate(self.log.label_names)}
            unknown = sorted({v for v in self.values.tolist() if v not in lookup})
            if unknown:
                raise ValueError(
                    f"labels hold class names the run does not know: {unknown[:5]};"
                    f" its classes are {self.log.label_names}"
                )
            return np.array([lookup[v] for v in self.values.tolist()], dtype=np.int64)
        return self.values.astype(np.int64)

    def encode(self, labels: np.ndarray):
        if self.form == "name":
            return np.asarray(self.log.label_names, dtype=object)[labels]
        if self.form == "bool":
            return labels.astype(bool)
        return labels.astype(self.values.dtype)


class _MultiLabelCodec:
    """Multilabel: per row a list of label indexes or of label names."""

    def __init__(self, values, log):
        self.rows = [np.atleast_1d(r).tolist() if hasattr(r, "__array__") else r for r in values]
        self.log = log
        bad = next((i for i, r in enumerate(self.rows) if not isinstance(r, (list, tuple))), None)
        if bad is not None:
            raise TypeError(
                f"multilabel labels must be lists of label indexes or names per row;"
                f" row {bad} holds {self.rows[bad]!r}"
            )
        first = next((r[0] for r in self.rows if len(r)), 0)
        self.form = "name" if isinstance(first, str) else "index"
        if self.form == "name" and log.label_names is None:
            raise ValueError("the data's labels are label names but the run has no label_names")

    def decode(self) -> np.ndarray:
        if getattr(self, "_decoded", None) is None:
            self._decoded = self._decode()
        return self._decoded

    def _decode(self) -> np.ndarray:
        n_labels = self.log.n_classes
        lengths = np.fromiter(map(len, self.rows), np.int64, len(self.rows))
        flat = list(itertools.chain.from_iterable(self.rows))
        if self.form == "name":
            lookup = {name: i for i, name in enumerate(self.log.label_names)}
            cols = np.array(
                [lookup.get(v, -1) if isinstance(v, str) else -1 for v in flat], dtype=np.int64
            )
        else:
            ints = [
                v if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else -1
                for v in flat
            ]
            cols = np.array(ints, dtype=np.int64)
        bad = (cols < 0) | (cols >= n_labels)
        row_of = np.repeat(np.arange(len(self.rows)), lengths)
        if bad.any():
            k = int(np.argmax(bad))
            raise ValueError(
                f"row {int(row_of[k])} holds label {flat[k]!r}, which the run does "
                f"not know ({n_labels} labels: {self.log.label_names or 'indexes'})"
            )
        hot = np.zeros((len(self.rows), n_labels), dtype=bool)
        hot[row_of, cols] = True
        return hot

    def encode(self, labels: np.ndarray) -> list:
        """Changed rows get new lists (label order); unchanged rows keep their own values."""
        out = list(self.rows)
        names = self.log.label_names
        for i in np.flatnonzero((labels != self.decode()).any(axis=1)):
            cols = np.flatnonzero(labels[i]).tolist()
            out[i] = [names[j] for j in cols] if self.form == "name" else cols
        return out
