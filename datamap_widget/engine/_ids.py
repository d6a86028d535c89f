"""Example ids: checked as the user gives them, and looked up on every training batch.

Ids are unique ints or strings; by default the index of pandas labels (``ids_from_index``), so
results index like the user's rows. ``log_batch`` looks ids up once per batch, so a fixed
per-call cost of pandas ``Index.get_indexer`` (20-50 us) would weigh on a small model's
training step. The default ids 0..N-1 are their own positions; other int or string ids are
found by binary search in a sorted copy built on first use (O(N) memory, no Python objects).
Anything else (mixed objects) falls back to pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget.engine._labels import materialize


class IdLookup:
    def __init__(self, ids: np.ndarray, index: pd.Index):
        self._ids = ids
        self._index = index
        n = ids.shape[0]
        self._positional = ids.dtype.kind in "iu" and bool((ids == np.arange(n)).all())
        self._order = self._sorted = None

    def positions(self, query: np.ndarray) -> np.ndarray:
        """int64 positions of a 1-D, non-empty array of ids; -1 marks unknown ids."""
        n = self._ids.shape[0]
        kind = query.dtype.kind
        if self._positional and kind in "iu":
            if query.min() >= 0 and query.max() < n:
                return query.astype(np.int64)  # a copy: never hand back the caller's array
            pos = query.astype(np.int64)  # uint64 beyond int64 wraps negative: unknown too
            pos[(pos < 0) | (pos >= n)] = -1
            return pos
        if kind != self._ids.dtype.kind or kind not in "iuU":
            return self._index.get_indexer(query).astype(np.int64, copy=False)
        if self._sorted is None:
            self._order = np.argsort(self._ids, kind="stable")
            self._sorted = self._ids[self._order]
        at = np.minimum(np.searchsorted(self._sorted, query), n - 1)
        pos = self._order[at]
        found = self._sorted[at] == query
        if not found.all():
            pos = np.where(found, pos, -1)
        return pos

    def __getstate__(self) -> dict:
        """Pickle without the sorted copy: it is rebuilt on first use."""
        return {**self.__dict__, "_order": None, "_sorted": None}


def id_type_hint(unknown: list, ids: np.ndarray) -> str:
    """A hint when ids were asked for as the wrong type ("3" for the int id 3, or 3 for "3")."""
    if ids.dtype.kind in "iu" and unknown and all(isinstance(v, str) for v in unknown):
        if all(v.strip().lstrip("-").isdigit() for v in unknown):
            return (
                f"; this run's ids are ints, not strings: pass {int(unknown[0].strip())}, not "
                f"{unknown[0]!r} (e.g. [int(i) for i in ids])"
            )
        return "; this run's ids are ints"
    if (
        ids.dtype.kind == "U"
        and unknown
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in unknown)
    ):
        return (
            f"; this run's ids are strings, not ints: pass {str(unknown[0])!r}, not "
            f"{unknown[0]} (e.g. [str(i) for i in ids])"
        )
    return ""


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
