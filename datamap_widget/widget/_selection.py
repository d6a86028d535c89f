"""The page's multi-point selection from Python: read (``selected``), and set (``w.select``).

``w.select(...)`` takes what a user hands the widget to select and turns it into map positions.

Accepted: ids (list, array, pandas Index, a Series' values, one scalar id), a boolean mask
(one value per example, by position), a boolean Series (a mask over ids: its index), or a
DataFrame (its index holds the ids, e.g. ``issues[issues.flagged]``); None selects nothing.
Anything that names an example the run does not have is refused before the selection changes:
a silently shorter selection would look like a complete one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from datamap_widget.widget._sync import wire_array


def _ids_of(selection, n: int):
    """(ids as a 1-D array, or positions when given a positional mask; where they came from)."""
    if isinstance(selection, pd.DataFrame):
        return selection.index.to_numpy(), "the DataFrame's index", None
    if isinstance(selection, pd.Series):
        if selection.dtype == bool:
            if not selection.index.is_unique:
                dup = selection.index[selection.index.duplicated()].unique()[:5].tolist()
                raise ValueError(
                    f"w.select: the boolean Series' index repeats ids (e.g. {dup}); a boolean "
                    "Series is read as a mask over ids (its index), one value per id"
                )
            return selection.index.to_numpy()[selection.to_numpy()], "the boolean Series", None
        return selection.to_numpy(), "the Series' values", None
    if isinstance(selection, (bool, np.bool_)):
        raise TypeError(
            "w.select: a single True/False is not a selection; pass ids, a boolean mask with "
            f"one value per example ({n}), or None to clear"
        )
    if isinstance(selection, (str, bytes, int, np.integer)):
        return np.asarray([selection]), "the id given", None
    values = np.asarray(list(selection) if isinstance(selection, (set, frozenset)) else selection)
    if values.ndim != 1:
        raise ValueError(
            f"w.select: ids must be 1-D (a list, array or Index), got shape {values.shape}"
        )
    if values.dtype == bool:
        if values.shape[0] != n:
            raise ValueError(
                f"w.select: a boolean mask needs one value per example ({n}), got "
                f"{values.shape[0]}; pass a boolean Series indexed by id to select by id"
            )
        return None, "the boolean mask", np.flatnonzero(values)
    return values, "the ids given", None


def selection_positions(selection, run_index: pd.Index) -> np.ndarray:
    """Ascending, unique int64 positions of ``selection`` in the run (see the module doc).

    Raises ValueError (counts, examples and the fix) when any id is unknown, and TypeError
    for something that is no selection; nothing is selected then.
    """
    n = len(run_index)
    if selection is None:
        return np.zeros(0, np.int64)
    ids, where, positions = _ids_of(selection, n)
    if positions is None:
        if ids.size == 0:
            return np.zeros(0, np.int64)
        if ids.dtype.kind == "f" and np.isnan(ids).any():
            raise ValueError(f"w.select: {where} holds NaN, which is no example id")
        positions = run_index.get_indexer(pd.Index(ids).unique())
        unknown = positions < 0
        if unknown.any():
            missing = pd.Index(ids).unique()[unknown]
            raise ValueError(
                f"w.select: {len(missing)} of {len(pd.Index(ids).unique())} ids from {where} "
                f"are not examples of this map (e.g. {missing[:5].tolist()}); the map's ids "
                f"look like {run_index[:3].tolist()}. Nothing was selected: pass the ids the "
                "run was recorded with (w.dynamics.ids)"
            )
    return np.unique(np.asarray(positions, dtype=np.int64))


def selection_value(positions: np.ndarray, request: int) -> dict:
    """The ``_selection`` trait value the page reads (js/src/selection_sync.js): int32 positions
    as one binary frame, plus ``from_python``, a number that changes with every ``w.select`` so
    the page opens its review list even on the same selection again."""
    raw = wire_array(positions, "int32")
    return {
        "dtype": "int32",
        "shape": [int(raw.size)],
        "buffer": raw.tobytes(),
        "from_python": int(request),
    }


class Selection:
    """The page's selection read from Python (``selected``, ``selected_df``) and set from it
    (``select``)."""

    def _selection_positions(self) -> np.ndarray:
        """Positions selected in the page, ascending and unique (int64).

        The page sends ``{"dtype": "int32", "shape": [k], "buffer": bytes}`` (4 bytes a point);
        a malformed value selects nothing (with a warning) rather than wrong examples. Falls back
        to the clicked point when no multi-point selection was ever sent (older pages).
        """
        n = int(self._dynamics.n_examples)
        value = self._selection or {}
        if not value:
            return np.asarray([i for i in self._selected_index if 0 <= i < n], dtype=np.int64)
        try:
            if value.get("dtype") != "int32":
                raise ValueError(f"dtype {value.get('dtype')!r}")
            raw = np.frombuffer(bytes(value["buffer"]), dtype="<i4")
            if raw.size != int(np.prod(value.get("shape", [raw.size]))):
                raise ValueError(f"{raw.size} values for shape {value.get('shape')}")
        except (KeyError, TypeError, ValueError) as exc:
            warnings.warn(
                f"DataMapWidget ignored a malformed page selection ({exc}); select again",
                RuntimeWarning,
                stacklevel=3,
            )
            return np.zeros(0, dtype=np.int64)
        positions = np.unique(raw.astype(np.int64))
        return positions[(positions >= 0) & (positions < n)]

    @property
    def selected(self) -> list:
        """Ids of the examples selected in the page, in dataset (position) order; [] if none.

        A click selects one point; a rectangle / lasso drag, shift-drag (adds) or the "Select"
        control select many; Esc or a click on empty space clears.
        """
        ids = np.asarray(self._dynamics.ids)
        return ids[self._selection_positions()].tolist()

    @property
    def selected_df(self) -> pd.DataFrame:
        """Rows of :meth:`to_dataframe` for the selected examples (in :attr:`selected` order)."""
        return self.to_dataframe().iloc[self._selection_positions()]

    def select(self, ids) -> None:
        """Select examples from Python: the page shows them selected and opens its review list.

        Works while the page is open (also during a running cell) and for a page displayed
        later; :attr:`selected` agrees at once. Unknown ids raise ``ValueError`` (counts,
        examples) and leave the selection as it was.

        Parameters
        ----------
        ids : ids, boolean mask, boolean Series, DataFrame or None
            Example ids (list, array, pandas Index, a Series' values, or one id); a boolean
            mask with one value per example (by position); a boolean Series (a mask over ids,
            its index); a DataFrame (its index holds the ids). ``None`` (or ``[]``) clears.

        Examples
        --------
        >>> issues = w.dynamics.label_issues()
        >>> w.select(issues[issues.flagged])  # the flagged examples, listed for review
        >>> w.select(None)
        """
        index = getattr(self, "_id_index", None)
        if index is None:
            index = self._id_index = pd.Index(np.asarray(self._dynamics.ids))
        positions = selection_positions(ids, index)
        self._select_requests = getattr(self, "_select_requests", 0) + 1
        current = list(self._selected_index)
        if positions.size == 1:
            current = [int(positions[0])]  # one example: it is also the current point
        elif current and not np.isin(current[0], positions):
            current = []  # the panel must not show an example outside the selection
        with self.hold_sync():
            self.set_trait("_selection", selection_value(positions, self._select_requests))
            self.set_trait("_selected_index", current)
