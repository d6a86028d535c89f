"""Normalise the widget's constructor arguments before anything is created or displayed.

Everything here only reads and checks: a bad argument raises a clear error while nothing has been
recorded or sent to a page yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from datamap_widget._labels import feature_names, ids_from_index, materialize

RENDERERS = ("auto", "svg", "gl")
SVG_MAX_POINTS = 2000
"""Above this many points, ``renderer="auto"`` draws with WebGL (SVG gets too slow to animate)."""


@dataclass
class WidgetInputs:
    """What the widget needs from its arguments, in plain Python/numpy form."""

    n_examples: int
    labels: Any
    ids: Any
    texts: list[str] | None
    images: np.ndarray | None  # (N, h, w) uint8
    label_names: list[str] | None = None  # from a Hugging Face ClassLabel feature
    task: str | None = None  # "multilabel" for a Sequence(ClassLabel) feature


def _columns_of(data) -> list[str]:
    if hasattr(data, "column_names"):  # datasets.Dataset
        return list(data.column_names)
    if hasattr(data, "columns"):  # pandas.DataFrame
        return [str(c) for c in data.columns]
    raise TypeError(
        "data must be a pandas DataFrame or a datasets.Dataset, "
        f"got {type(data).__name__}; or pass texts=..., labels=... directly"
    )


def _column(data, name: str, what: str):
    columns = _columns_of(data)
    if name not in columns:
        raise ValueError(
            f"data has no {what} column {name!r}; its columns are {columns}. "
            f"Pass {what}_column='<name>' to choose another one."
        )
    return data[name]  # a pandas Series keeps its index (the default ids); a datasets column
    # keeps its features (the label names)


def _sized(values):
    """Generators and other one-shot iterables as a list; sized sequences as they are."""
    if values is None or hasattr(values, "__len__"):
        return values
    return materialize(values)


def _features_of(data, column: str):
    """(label names, task hint) from a Hugging Face dataset's ClassLabel feature, if any."""
    features = getattr(data, "features", None)
    if not hasattr(data, "column_names") or features is None or column not in features:
        return None, None
    names, listed = feature_names(features[column])
    return names, ("multilabel" if listed else None)


def _check_aligned(texts, labels) -> None:
    """pandas texts and labels with different indexes would pair each text with another label."""
    index_t, index_l = getattr(texts, "index", None), getattr(labels, "index", None)
    if (
        hasattr(texts, "to_numpy")
        and hasattr(labels, "to_numpy")
        and index_t is not None
        and index_l is not None
        and not index_t.equals(index_l)
    ):
        raise ValueError(
            "texts and labels are pandas objects with different indexes, so row i "
            "of one is not row i of the other; align them first (e.g. "
            "texts.loc[labels.index]) or pass plain lists"
        )


def _in_run_order(texts, ids):
    """pandas texts indexed by a recorded run's ids, in the run's order (a shuffled Series
    finds its rows by id); texts without such an index are taken in order."""
    index = getattr(texts, "index", None)
    if not isinstance(texts, pd.Series) or ids_from_index(texts, len(texts), "texts") is None:
        return texts
    wanted = pd.Index(np.asarray(ids))
    if len(index) != len(wanted) or not wanted.isin(index).all():
        missing = wanted[~wanted.isin(index)][:5].tolist()
        raise ValueError(
            f"texts is a pandas Series whose index is not the run's ids (e.g. ids {missing} "
            "have no text); pass texts indexed by the run's ids, or a plain list in the "
            "run's order"
        )
    return texts.loc[wanted]


def _as_texts(texts, n_expected: int | None) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            "texts must be a sequence of strings (one per example), not a single string"
        )
    if hasattr(texts, "to_list"):
        texts = texts.to_list()
    texts = list(texts)
    out = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]
    if n_expected is not None and len(out) != n_expected:
        raise ValueError(
            f"texts has {len(out)} entries but there are {n_expected} examples (labels/dynamics); "
            "pass one text per example, in the same order"
        )
    return out


def _as_images(images, n_expected: int | None) -> np.ndarray:
    """(N, h, w) or (N, h*w) numbers -> (N, h, w) uint8 (floats and wide ints rescaled min..max)."""
    arr = np.asarray(images)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"images must be a numeric array, got dtype {arr.dtype}")
    if arr.ndim == 2:
        side = math.isqrt(arr.shape[1])
        if side * side != arr.shape[1]:
            raise ValueError(
                f"images of shape {arr.shape} are flat but {arr.shape[1]} is not a square number; "
                "pass them as an (N, height, width) array"
            )
        arr = arr.reshape(arr.shape[0], side, side)
    if arr.ndim != 3:
        raise ValueError(
            f"images must have shape (N, height, width) or (N, height*width), got {arr.shape}"
        )
    if n_expected is not None and arr.shape[0] != n_expected:
        raise ValueError(
            f"images has {arr.shape[0]} entries but there are {n_expected} examples; "
            "pass one image per example, in the same order"
        )
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    values = arr.astype(np.float64)
    finite = np.isfinite(values)
    low = float(values[finite].min()) if finite.any() else 0.0
    high = float(values[finite].max()) if finite.any() else 1.0
    if np.issubdtype(arr.dtype, np.integer) and low >= 0 and high <= 255:
        low, high = 0.0, 255.0
    span = high - low if high > low else 1.0
    scaled = np.where(finite, (values - low) / span * 255.0, 0.0)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _length(values) -> int:
    try:
        return len(values)
    except TypeError:
        raise TypeError(f"expected a sequence, got {type(values).__name__}") from None


def resolve_inputs(
    data,
    *,
    texts,
    labels,
    ids,
    images,
    dynamics,
    text_column: str,
    label_column: str,
    id_column: str | None,
) -> WidgetInputs:
    """Pick texts/labels/ids/images from `data` or the keyword arguments and check their lengths."""
    labels, ids, texts = _sized(labels), _sized(ids), _sized(texts)
    names = task = None
    if data is not None:
        columns = _columns_of(data)
        if texts is None and images is None and text_column in columns:
            texts = _column(data, text_column, "text")
        elif texts is None and images is None and text_column != "text":
            _column(data, text_column, "text")  # raises the helpful error
        if labels is None and dynamics is None:
            labels = _column(data, label_column, "label")
            names, task = _features_of(data, label_column)
        if ids is None and id_column is not None:
            ids = _column(data, id_column, "id")
    if texts is not None and labels is not None:
        _check_aligned(texts, labels)
    if texts is not None and dynamics is not None:
        texts = _in_run_order(texts, dynamics.ids)

    if dynamics is not None:
        if labels is not None:
            raise TypeError(
                "pass either dynamics=... or labels=..., not both: the labels of a recorded run "
                "come from its TrainingDynamics"
            )
        if ids is not None:
            raise TypeError(
                "pass either dynamics=... or ids=..., not both (the run has its own ids)"
            )
        n = int(dynamics.n_examples)
    else:
        if labels is None:
            raise TypeError(
                "DataMapWidget needs the gold labels: pass labels=..., data=<DataFrame/Dataset> "
                "with a label column, or dynamics=<TrainingDynamics>"
            )
        n = _length(labels)
        if ids is None and not isinstance(labels, (pd.Series, pd.DataFrame)):
            ids = ids_from_index(texts, n, "texts")  # numpy labels, pandas texts: their index
        if ids is not None and _length(ids) != n:
            raise ValueError(
                f"ids has {_length(ids)} entries but labels has {n}; pass one id per example"
            )

    out_texts = _as_texts(texts, n) if texts is not None else None
    out_images = _as_images(images, n) if images is not None else None
    return WidgetInputs(
        n_examples=n,
        labels=labels,
        ids=ids,
        texts=out_texts,
        images=out_images,
        label_names=names,
        task=task,
    )


def resolve_renderer(renderer: str, n_points: int) -> str:
    """'auto' -> 'svg' up to SVG_MAX_POINTS points, 'gl' above."""
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {RENDERERS}, got {renderer!r}")
    if renderer == "auto":
        return "svg" if n_points <= SVG_MAX_POINTS else "gl"
    return renderer
