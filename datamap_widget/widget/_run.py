"""The run a widget shows: a saved folder loaded, a TrainingDynamics taken as it is, or one made
from the constructor's inputs; the display names of its classes and the label shown first.

Every check raises before anything is recorded or displayed.
"""

from __future__ import annotations

import pathlib

import numpy as np

from datamap_widget.engine._labels import normalize_names
from datamap_widget.engine._validation import label_index
from datamap_widget.engine.dynamics import TrainingDynamics

_DYNAMICS_METHODS = (
    "gold_probabilities",
    "predictions",
    "correct",
    "gold",
    "add_epoch_listener",
    "metrics",
)


def load_run(path, append_to=None) -> TrainingDynamics:
    """``dynamics="runs/r1"``: a run saved by ``save``/on-disk mode, or cartography files.

    ``append_to`` (the widget's ``path=``): the same folder resumes the run there, so new
    epochs (and reviews) are appended to it; without it the run is read into memory.
    """
    folder = pathlib.Path(path)
    saved = (folder / "meta.json").is_file()
    if append_to is not None:
        if saved and pathlib.Path(append_to).resolve() == folder.resolve():
            return TrainingDynamics.resume(folder)
        raise ValueError(
            f"dynamics={str(path)!r} with path={str(append_to)!r}: path= can only name the "
            "saved run's own folder, to append to it (dynamics=folder, path=folder). To "
            "continue in another folder, copy the run first: "
            f"TrainingDynamics.load({str(path)!r}).save(new_folder), then "
            "dynamics=new_folder, path=new_folder"
        )
    if saved:
        return TrainingDynamics.load(folder)
    if folder.is_dir() and any(folder.glob("dynamics_epoch_*.jsonl")):
        return TrainingDynamics.from_cartography(folder)
    raise FileNotFoundError(
        f"dynamics={str(path)!r}: no saved run there (no meta.json, no dynamics_epoch_*.jsonl); "
        "pass a TrainingDynamics, or the folder of a run written by TrainingDynamics.save / path="
    )


def make_dynamics(
    dynamics, inputs, *, label_names, task, path, variability_threshold, confidence_threshold
):
    if dynamics is not None:
        missing = [m for m in _DYNAMICS_METHODS if not hasattr(dynamics, m)]
        if missing:
            raise TypeError(
                f"dynamics must be a TrainingDynamics (got {type(dynamics).__name__} without {missing})"
            )
        extra = {
            "task": task,
            "path": path,
            "variability_threshold": variability_threshold,
            "confidence_threshold": confidence_threshold,
        }
        if path is not None:
            raise TypeError(
                "path= cannot be combined with a TrainingDynamics object: its folder is "
                "fixed when it is made (TrainingDynamics(labels, path=...)). To append to "
                "a saved run, pass its folder: DataMapWidget(dynamics=folder, path=folder), "
                "or dynamics=TrainingDynamics.resume(folder)"
            )
        given = [k for k, v in extra.items() if v is not None]
        if given:
            raise TypeError(
                f"{given} cannot be combined with dynamics=...: the run brings its own "
                "task, and its thresholds are set on it "
                "(w.dynamics.variability_threshold = 0.25)"
            )
        return dynamics
    kwargs = {}
    if variability_threshold is not None:
        kwargs["variability_threshold"] = variability_threshold
    if confidence_threshold is not None:
        kwargs["confidence_threshold"] = confidence_threshold
    return TrainingDynamics(
        inputs.labels,
        ids=inputs.ids,
        label_names=label_names if label_names is not None else inputs.label_names,
        task=task if task is not None else inputs.task,
        path=path,
        **kwargs,
    )


def display_names(td, label_names) -> list[str]:
    """Display names of the classes (binary/multiclass) or labels (multilabel)."""
    names = td.label_names
    given = normalize_names(label_names)
    if names is None and given is not None:
        names = given
    elif names is not None and given is not None and given != [str(x) for x in names]:
        raise ValueError(
            "label_names differ from the names stored in dynamics; leave label_names out"
        )
    n = int(td.n_classes)
    if names is None:
        names = (
            [f"label {i}" for i in range(n)]
            if td.task == "multilabel"
            else [str(i) for i in range(n)]
        )
    names = [str(x) for x in names]
    if len(names) != n:
        raise ValueError(f"label_names has {len(names)} names but the task has {n} classes/labels")
    return names


def initial_label(td, names, label) -> str:
    if td.task == "multilabel" and label is None:
        return names[0]
    column = label_index(label, td.task, names, len(names))
    return "" if column is None else names[column]


def pack_gold_sets(td) -> bytes:
    """Multilabel: N x L multi-hot uint8, so the panel can list every gold label of an example."""
    if td.task != "multilabel":
        return b""
    matrix = np.stack(
        [np.asarray(td.gold(label=j), dtype=np.uint8) for j in range(int(td.n_classes))], axis=1
    )
    return np.ascontiguousarray(matrix).tobytes()


def pack_texts(texts: list[str]) -> tuple[bytes, bytes]:
    """UTF-8 texts joined into one buffer + uint32 byte offsets (N+1): the page decodes one on click."""
    encoded = [t.encode("utf-8", errors="replace") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype="<u4")
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return b"".join(encoded), offsets.tobytes()
