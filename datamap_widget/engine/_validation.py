"""Argument checks and rules shared by the engine, the widget and the integrations.

One place for each check (in the spirit of scikit-learn's ``sklearn/utils/validation.py``), so
that the same mistake gets the same message wherever it is made and a rule such as "what counts
as correct" cannot drift between the engine, its replay and the per-example trajectory.
Every function either returns the checked value in canonical form or raises; none keeps state.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_bool(value, name: str) -> bool:
    """``value`` as a Python bool; TypeError for anything but True/False (0/1 and None too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_int(value, name: str, *, minimum: int | None = None, allow_none: bool = False):
    """``value`` as an int (bools refused), at least ``minimum``; None passes if ``allow_none``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = "a positive int" if minimum == 1 else "an int"
        raise TypeError(f"{name} must be {kind}{' or None' if allow_none else ''}, got {value!r}")
    if minimum is not None and value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def check_positive_int(value, name: str, *, allow_none: bool = False):
    """``value`` as an int >= 1 (``epochs``, ``every``, ``batch_size``...)."""
    return check_int(value, name, minimum=1, allow_none=allow_none)


def check_threshold(value, name: str, upper: float) -> float:
    """A region threshold: a real number in [0, upper]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not 0.0 <= value <= upper:
        raise ValueError(f"{name} must lie in [0, {upper}], got {value}")
    return value


def label_index(label, task: str, label_names, n_labels: int):
    """Resolve ``label=`` (a label name or index) to a multilabel column; None for other tasks.

    ``label`` only picks one label of a multilabel run; given for a binary or multiclass run it
    is a TypeError rather than silently ignored.
    """
    if task != "multilabel":
        if label is not None:
            raise TypeError(
                f"label=... only applies to multilabel data (it picks one label's "
                f"map); this run is {task}: leave label out"
            )
        return None
    if label is None:
        raise ValueError(
            "multilabel dynamics: pass label= (a label name or index) to pick one label's map"
        )
    if isinstance(label, str):
        if label_names is None or label not in label_names:
            known = (
                list(label_names)
                if label_names is not None
                else f"none (no label_names were given: use an index 0..{n_labels - 1})"
            )
            raise ValueError(f"unknown label {label!r}; known labels: {known}")
        return list(label_names).index(label)
    if isinstance(label, bool) or not isinstance(label, numbers.Integral):
        raise TypeError(f"label must be a label name or index, got {label!r}")
    if not 0 <= label < n_labels:
        raise ValueError(f"label index {label} outside 0..{n_labels - 1}")
    return int(label)


def is_correct(task: str, p_gold: np.ndarray, pred, gold) -> np.ndarray:
    """Correct per example: argmax == gold (multiclass), p(gold) >= 0.5 (binary, per label).

    An exact 0.5 tie counts as correct in binary/multilabel tasks (Swayamdipta et al.'s code
    thresholds p(gold) the same way).
    """
    if task == "multiclass":
        return pred == gold
    return p_gold >= 0.5


def predicted_class(task: str, p_gold: np.ndarray, pred, gold) -> np.ndarray:
    """Predicted class; binary/multilabel: gold when correct, the other class otherwise."""
    if task == "multiclass":
        return pred
    return (p_gold >= 0.5) == gold  # bool; 1 exactly when (correct) == (gold is 1)
