"""Example id -> row position, cheap enough to run on every training batch.

``log_batch`` looks ids up once per batch, so a fixed per-call cost of pandas
``Index.get_indexer`` (20-50 us) would weigh on a small model's training step. The default ids
0..N-1 are their own positions; other int or string ids are found by binary search in a sorted
copy built on first use (O(N) memory, no Python objects). Anything else (mixed objects) falls
back to pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
