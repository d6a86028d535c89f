"""Match the rows of a user's DataFrame or Hugging Face ``Dataset`` to a run's examples by id.

Shared by ``apply_corrections`` and ``subset_of``: rows are found by example id (the DataFrame's
index or an id column; a ``Dataset`` without an id column by row position), never by position
in the run, and repeated or unknown ids raise before anything is built, since either would
pair rows with the wrong examples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget._labels import materialize


def is_dataset(data) -> bool:
    """A Hugging Face ``datasets.Dataset`` (duck-typed: the package never imports ``datasets``)."""
    return hasattr(data, "column_names") and hasattr(data, "select") and hasattr(data, "features")


def columns_of(data) -> list:
    """Column names of a DataFrame or a ``Dataset``; TypeError for anything else."""
    if isinstance(data, pd.DataFrame):
        return list(data.columns)
    if is_dataset(data):
        return list(data.column_names)
    raise TypeError(
        f"data must be a pandas DataFrame or a datasets.Dataset, got {type(data).__name__}"
    )


def need_column(columns, name, what) -> None:
    if name not in columns:
        raise ValueError(
            f"data has no {what} column {name!r}; its columns are {columns}. Pass "
            f"{what}_column='<name>'"
        )


def row_ids(data, id_column) -> tuple[np.ndarray, str]:
    """(the id of every row of ``data``, where the ids came from, for messages)."""
    columns = columns_of(data)
    if id_column is not None:
        need_column(columns, id_column, "id")
        values = data[id_column]
        ids = values.to_numpy() if isinstance(data, pd.DataFrame) else materialize(values)
        return np.asarray(ids), f"column {id_column!r}"
    if isinstance(data, pd.DataFrame):
        return data.index.to_numpy(), "the DataFrame's index"
    return np.arange(len(data)), "row position (pass id_column= to match by an id column)"


def run_positions(ids, where: str, run_index: pd.Index, run_ids, run_name: str) -> np.ndarray:
    """Position in the run of each row's id; ValueError for repeated or unknown ids."""
    ids = np.asarray(ids)
    index = pd.Index(ids)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise ValueError(
            f"ids in {where} are repeated (e.g. {dup}); rows must be matched to "
            "the run's examples one to one"
        )
    positions = run_index.get_indexer(ids)
    unknown = positions < 0
    if unknown.any():
        raise ValueError(
            f"{int(unknown.sum())} of {ids.shape[0]} rows of data have ids (from "
            f"{where}) that {run_name} does not know (e.g. "
            f"{ids[unknown][:5].tolist()}; the run's ids look like "
            f"{np.asarray(run_ids)[:3].tolist()}). Pass the data the run was recorded on, and "
            "id_column= if its ids are in a column"
        )
    return positions


def take_rows(data, rows: np.ndarray):
    """Rows ``rows`` (positions, in that order) of a DataFrame or ``Dataset``, same type back."""
    if isinstance(data, pd.DataFrame):
        return data.iloc[rows]
    return data.select(rows)
