"""DataMapWidget: a live, animated Data Map with a click-to-inspect panel (anywidget + bqplot).

Design: texts/images/labels travel once in synced traits; each logged epoch travels once, as one
comm message of O(N) bytes (the ``_epoch`` trait holds only the newest epoch; see ``_sync``). The
page keeps the history, asks the kernel for the epochs it lacks (reload, late display), computes
the map for any epoch itself and drives the bqplot marks client-side, so the map animates,
replays and answers clicks while a training cell keeps the kernel busy.
"""

from __future__ import annotations

import os
import pathlib
import threading
import time
import warnings

import anywidget
import numpy as np
import pandas as pd
import traitlets
from ipywidgets import widget_serialization

from datamap_widget._figure import build_map, build_trajectory, place_region_guides
from datamap_widget._inputs import resolve_inputs, resolve_renderer
from datamap_widget._labels import normalize_names
from datamap_widget._sync import (
    epoch_arrays,
    epoch_state,
    history_messages,
    pack_images,
    pack_uint16,
    pred_dtype_for,
    wire_array,
)
from datamap_widget._validation import label_index
from datamap_widget.dynamics import TrainingDynamics
from datamap_widget.label_issues import label_issues
from datamap_widget.reviews import ReviewLog

_STATIC = pathlib.Path(__file__).parent / "static"
_DYNAMICS_METHODS = (
    "gold_probabilities",
    "predictions",
    "correct",
    "gold",
    "add_epoch_listener",
    "metrics",
)


def _load_run(path, append_to=None) -> TrainingDynamics:
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


def _pack_texts(texts: list[str]) -> tuple[bytes, bytes]:
    """UTF-8 texts joined into one buffer + uint32 byte offsets (N+1): the page decodes one on click."""
    encoded = [t.encode("utf-8", errors="replace") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype="<u4")
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return b"".join(encoded), offsets.tobytes()


class _Owned:
    """Mixin for traits that only the widget sets: assigning from outside is a clear error.

    The widget sets them with ``set_trait`` (which bypasses ``__set__``); the page never does.
    """

    def __set__(self, obj, value):
        raise traitlets.TraitError(
            f"{type(obj).__name__}.{self.name} is read-only: the widget sets it itself ({self.help})"
        )


class _OwnedInt(_Owned, traitlets.Int):
    pass


class _OwnedUnicode(_Owned, traitlets.Unicode):
    pass


_OWNED = ("renderer", "n_examples", "n_epochs")
SCORE_BUDGET_MS = 20.0
"""Average kernel time per epoch spent recomputing the label-issue score (see _score_arrays)."""


class DataMapWidget(anywidget.AnyWidget):
    """Live Data Map (Dataset Cartography) of a training run, for Jupyter.

    Construct it with the training examples' gold labels (and texts or images), display it, then
    call :meth:`log_epoch` once per epoch with the model's probabilities (or :meth:`log_batch` +
    :meth:`end_epoch`). Works without any frontend too (plain scripts): logging never waits on a
    page. The numbers come from :attr:`dynamics`, a :class:`~datamap_widget.TrainingDynamics`.

    Parameters
    ----------
    data : pandas.DataFrame or datasets.Dataset, optional
        Columns are taken by name (``text_column``, ``label_column``, ``id_column``). A
        DataFrame's index becomes the example ids (unless it is 0..N-1 or ``id_column`` is
        named); a Hugging Face ``ClassLabel`` / ``Sequence(ClassLabel)`` feature gives the label
        names (and multilabel for a sequence).
    texts : sequence of str, optional
        One text per example, shown in the click panel.
    labels : array-like, optional
        Gold labels, as for :class:`~datamap_widget.TrainingDynamics`: class indexes, bools,
        class names (strings, pandas Categorical), N x L multi-hot, or lists of labels per
        example. A pandas Series' index becomes the ids. Generators are accepted.
    label_names : sequence of str or dict, optional
        Class names (binary/multiclass) or label names (multilabel); a ``{index: name}`` dict
        such as ``model.config.id2label`` is read in index order.
    ids : sequence of int or str, optional
        Unique example ids (default: the pandas index of ``labels``/``data``, else 0..N-1).
    images : array, optional
        (N, h, w) or (N, h*w) numbers shown in the panel instead of texts.
    dynamics : TrainingDynamics or path, optional
        Show a run recorded elsewhere, or the folder of a saved run (``save``/``path=``) or of
        allenai/cartography files. Then ``labels``, ``ids``, ``task``, ``path`` and the
        thresholds come from the run. A new widget on the same run takes over its live updates
        from earlier widgets (re-running a cell does not pile up listeners).
    task : {"binary", "multiclass", "multilabel"}, optional
        Inferred from the labels when not given.
    text_column, label_column, id_column : str
        Column names in ``data`` (defaults "text", "label", none).
    label : str or int, optional
        Multilabel only: the label whose map is shown first (default: the first label).
    renderer : {"auto", "svg", "gl"}
        "auto" draws with SVG up to 2,000 points and WebGL above.
    variability_threshold, confidence_threshold : float, optional
        Region boundaries (defaults 0.2 and 0.5), see :meth:`TrainingDynamics.metrics`.
    path : str or path, optional
        On-disk mode: every finished epoch is written durably under this folder.

    Examples
    --------
    >>> import numpy as np
    >>> from datamap_widget import DataMapWidget
    >>> w = DataMapWidget(texts=["good", "bad", "fine"], labels=["pos", "neg", "pos"])
    >>> w.log_epoch(np.array([0.8, 0.3, 0.6]))  # p(class "pos") per example
    >>> w
    DataMapWidget(task='binary', n_examples=3, n_epochs=1, renderer='svg', class_names=['neg', 'pos'])
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    # Child bqplot models the page drives (figures, marks, a scale), by role.
    _parts = traitlets.Dict().tag(sync=True, **widget_serialization)
    renderer = _OwnedUnicode(
        "svg", help="'svg' or 'gl', resolved from the constructor argument"
    ).tag(sync=True)
    """How the page draws the points: ``"svg"`` (bqplot Scatter) or ``"gl"`` (WebGL ScatterGL).

    Read-only: chosen once by the constructor's ``renderer=`` ("auto": SVG up to 2,000 points).

    Examples
    --------
    >>> DataMapWidget(labels=[0, 1, 1], renderer="gl").renderer
    'gl'
    """
    n_examples = _OwnedInt(0, help="number of examples on the map").tag(sync=True)
    """Number of examples (points) on the map. Read-only.

    Examples
    --------
    >>> DataMapWidget(labels=[0, 1, 1]).n_examples
    3
    """
    n_epochs = _OwnedInt(0, help="epochs logged so far").tag(sync=True)
    """Number of epochs logged so far; grows with each :meth:`log_epoch` / :meth:`end_epoch`.

    Read-only: it follows the recorded run.

    Examples
    --------
    >>> w = DataMapWidget(labels=[0, 1])
    >>> w.log_epoch([0.2, 0.9])
    >>> w.n_epochs
    1
    """
    label = traitlets.Unicode("", help="Multilabel: name of the label whose map is shown").tag(
        sync=True
    )
    """Multilabel only: the name of the label whose map is shown ("" for other tasks).

    Assign a label name to switch the map (the history of that label is sent in one message).

    Examples
    --------
    >>> w = DataMapWidget(labels=[[1, 0], [0, 1], [1, 1]], label_names=["joy", "anger"])
    >>> w.label
    'joy'
    >>> w.label = "anger"
    """
    _meta = traitlets.Dict().tag(sync=True)
    _epoch = traitlets.Dict().tag(sync=True)  # newest epoch of the shown label (see _sync)
    _gold = traitlets.Bytes(b"").tag(sync=True)
    _gold_sets = traitlets.Bytes(b"").tag(sync=True)
    _texts = traitlets.Bytes(b"").tag(sync=True)
    _text_offsets = traitlets.Bytes(b"").tag(sync=True)
    _ids = traitlets.Bytes(b"").tag(sync=True)  # UTF-8 ids (only when not 0..N-1), for the panel
    _id_offsets = traitlets.Bytes(b"").tag(sync=True)
    _images = traitlets.Bytes(b"").tag(sync=True)
    _image_shape = traitlets.List(traitlets.Int()).tag(sync=True)
    _selected_index = traitlets.List(traitlets.Int()).tag(sync=True)
    # ---- review: every decision, in ReviewLog.to_messages() form (kernel-owned; the page shows
    # these plus its own not yet confirmed ones, so a reload or a second view agrees)
    _reviews = traitlets.Unicode("[]").tag(sync=True)  # JSON text (ReviewLog.messages_json)
    # ---- selection (map): the page's multi-point selection (int32 positions)
    _selection = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        data=None,
        *,
        texts=None,
        labels=None,
        label_names=None,
        ids=None,
        images=None,
        dynamics=None,
        task=None,
        text_column="text",
        label_column="label",
        id_column=None,
        label=None,
        renderer="auto",
        variability_threshold=None,
        confidence_threshold=None,
        path=None,
    ):
        """Check every argument, then build the map (parameters: see ``DataMapWidget``).

        Bad input raises here, before anything is recorded or displayed.
        """
        if isinstance(dynamics, (str, os.PathLike)):
            dynamics, path = _load_run(dynamics, path), None
        inputs = resolve_inputs(
            data,
            texts=texts,
            labels=labels,
            ids=ids,
            images=images,
            dynamics=dynamics,
            text_column=text_column,
            label_column=label_column,
            id_column=id_column,
        )
        resolved = resolve_renderer(
            renderer, inputs.n_examples
        )  # checked before any recording starts
        td = self._make_dynamics(
            dynamics,
            inputs,
            label_names=label_names,
            task=task,
            path=path,
            variability_threshold=variability_threshold,
            confidence_threshold=confidence_threshold,
        )
        names = self._names(td, label_names)
        shown = self._initial_label(td, names, label)

        self._dynamics = td
        self._label_names = names
        self._lock = threading.RLock()
        _map_figure, map_parts = build_map(
            int(td.n_examples), resolved, td.variability_threshold, td.confidence_threshold
        )
        _, traj_parts = build_trajectory()
        state = dict(
            _parts={**map_parts, **traj_parts},
            renderer=resolved,
            n_examples=int(td.n_examples),
            label=shown,
            _gold_sets=self._pack_gold_sets(td),
            _image_shape=list(inputs.images.shape[1:]) if inputs.images is not None else [],
            _images=pack_images(inputs.images) if inputs.images is not None else b"",
        )
        if inputs.texts is not None:
            state["_texts"], state["_text_offsets"] = _pack_texts(inputs.texts)
        ids = np.asarray(td.ids)
        if not (ids.dtype.kind in "iu" and np.array_equal(ids, np.arange(len(ids)))):
            state["_ids"], state["_id_offsets"] = _pack_texts([str(i) for i in ids.tolist()])
        state.update(self._label_state(shown))
        for name in _OWNED:  # read-only from outside: set before the first state is sent
            self.set_trait(name, state.pop(name))
        super().__init__(**state)
        self._texts_list = inputs.texts
        self._init_reviews(td, label_column=label_column, id_column=id_column)  # ---- review
        self.on_msg(self._on_page_msg)
        self.observe(self._on_label_change, names="label")
        td.add_epoch_listener(self._on_epoch, key="DataMapWidget")

    def __repr__(self) -> str:
        """Task, sizes, renderer and class names, e.g. ``DataMapWidget(task='binary', ...)``."""
        td = self._dynamics
        shown = f", label={self.label!r}" if td.task == "multilabel" else ""
        names = list(self._label_names)
        kind = "label_names" if td.task == "multilabel" else "class_names"
        listed = names if len(names) <= 10 else [*names[:10], "..."]
        return (
            f"{type(self).__name__}(task={td.task!r}, n_examples={self.n_examples}, "
            f"n_epochs={self.n_epochs}, renderer={self.renderer!r}{shown}, {kind}={listed})"
        )

    # ----------------------------------------------------------------- construction helpers
    @staticmethod
    def _make_dynamics(
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

    @staticmethod
    def _names(td, label_names) -> list[str]:
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
            raise ValueError(
                f"label_names has {len(names)} names but the task has {n} classes/labels"
            )
        return names

    @staticmethod
    def _initial_label(td, names, label) -> str:
        if td.task == "multilabel" and label is None:
            return names[0]
        column = label_index(label, td.task, names, len(names))
        return "" if column is None else names[column]

    def _pack_gold_sets(self, td) -> bytes:
        """Multilabel: N x L multi-hot uint8, so the panel can list every gold label of an example."""
        if td.task != "multilabel":
            return b""
        matrix = np.stack(
            [np.asarray(td.gold(label=j), dtype=np.uint8) for j in range(int(td.n_classes))], axis=1
        )
        return np.ascontiguousarray(matrix).tobytes()

    def _engine_label(self, shown: str):
        """The engine's key for the shown label: its index (the engine may hold no names)."""
        return self._label_names.index(shown) if self._dynamics.task == "multilabel" else None

    def _label_state(self, shown: str) -> dict:
        """Every synced value that depends on the shown label (history, gold, class names)."""
        td = self._dynamics
        key = self._engine_label(shown)
        class_names = (
            [f"not {shown}", shown] if td.task == "multilabel" else list(self._label_names)
        )
        self._pred_dtype = pred_dtype_for(len(class_names))
        meta = {
            "task": td.task,
            "class_names": class_names,
            "label_names": list(self._label_names) if td.task == "multilabel" else [],
            "variability_threshold": float(td.variability_threshold),
            "confidence_threshold": float(td.confidence_threshold),
            "shown_label": shown,
        }
        n_epochs = int(td.n_epochs)
        return {
            "_meta": meta,
            "_gold": pack_uint16(td.gold(label=key)),
            "_epoch": self._newest_epoch_state(shown, n_epochs),
            "n_epochs": n_epochs,
        }

    def _newest_epoch_state(self, shown: str, n_epochs: int) -> dict:
        """The ``_epoch`` value: the newest epoch alone, O(N) (empty before the first epoch)."""
        if n_epochs == 0:
            return {}
        arrays = epoch_arrays(
            self._dynamics, self._engine_label(shown), n_epochs - 1, n_epochs, self._pred_dtype
        )
        arrays.update(self._score_arrays(shown, n_epochs))  # ---- review: label-issue score
        return epoch_state(n_epochs, shown, arrays)

    # ------------------------------------------------------------------------ sync
    def _on_epoch(self, _td=None):
        """Epoch listener: one batched update (one comm message). Never raises into training."""
        try:
            with self._lock:
                n_epochs = int(self._dynamics.n_epochs)
                newest = self._newest_epoch_state(self.label, n_epochs)
                thresholds = self._thresholds()
                with self.hold_sync():
                    self._epoch = newest
                    self.set_trait("n_epochs", n_epochs)
                    if thresholds != (
                        self._meta["variability_threshold"],
                        self._meta["confidence_threshold"],
                    ):
                        self._show_thresholds(thresholds)
        except Exception as exc:  # the training loop must never fail because of the display
            warnings.warn(
                f"DataMapWidget could not update the map: {exc!r}", RuntimeWarning, stacklevel=2
            )

    def _on_page_msg(self, _widget, content, _buffers):
        """A page that lacks epochs (reload, late display, label switch) asks for them here."""
        if isinstance(content, dict) and content.get("type") == "decisions":  # ---- review
            self._on_page_decisions(content.get("decisions"))
            return
        if not isinstance(content, dict) or content.get("type") != "request_epochs":
            return
        try:
            with self._lock:
                shown = self.label
                if content.get("label", shown) != shown:
                    return  # asked for a label no longer shown: the page re-asks for the new one
                n_epochs = int(self._dynamics.n_epochs)
                first = max(1, int(content.get("first", 1)))
                stop = min(n_epochs + 1, int(content.get("stop", n_epochs + 1)))
                messages = list(
                    history_messages(
                        self._dynamics,
                        self._engine_label(shown),
                        shown,
                        first,
                        stop,
                        self._pred_dtype,
                    )
                )
            for message, buffers in messages:
                self.send(message, buffers)
        except Exception as exc:  # a bad request must not break the kernel's message loop
            warnings.warn(
                f"DataMapWidget could not send the history: {exc!r}", RuntimeWarning, stacklevel=2
            )

    def _thresholds(self) -> tuple[float, float]:
        return float(self._dynamics.variability_threshold), float(
            self._dynamics.confidence_threshold
        )

    def _show_thresholds(self, thresholds):
        """Thresholds changed on the dynamics: move the guides, and let the page re-derive regions."""
        vt, ct = thresholds
        self._meta = {**self._meta, "variability_threshold": vt, "confidence_threshold": ct}
        place_region_guides(self._parts["guides"], self._parts["regions"], vt, ct)

    @traitlets.validate("label")
    def _validate_label(self, proposal):
        value = proposal["value"]
        if self._dynamics.task != "multilabel":
            if value:
                raise traitlets.TraitError("label only applies to multilabel data")
            return value
        if value not in self._label_names:
            raise traitlets.TraitError(
                f"unknown label {value!r}; choose one of {self._label_names}"
            )
        return value

    def notify_change(self, change):
        # A label switch and the history it needs travel together, as one message.
        if change.get("name") == "label":
            with self.hold_sync():
                super().notify_change(change)
        else:
            super().notify_change(change)

    def _on_label_change(self, change):
        with self._lock:
            state = self._label_state(change["new"])
            with self.hold_sync():
                for name, value in state.items():
                    self.set_trait(name, value)

    # ------------------------------------------------------------------------ logging
    def log_epoch(self, outputs, logits=False, classes=None):
        """Record one full pass over the data (rows in id order); the map moves to the new epoch.

        ``classes``: the class of each output column (e.g. ``clf.classes_``); see
        :meth:`TrainingDynamics.log_epoch`.
        """
        self._dynamics.log_epoch(outputs, logits=logits, classes=classes)

    def log_batch(self, ids, outputs, logits=False, classes=None):
        """Record one batch keyed by example ids; call :meth:`end_epoch` after the last batch."""
        self._dynamics.log_batch(ids, outputs, logits=logits, classes=classes)

    def end_epoch(self):
        """Finish an epoch recorded with :meth:`log_batch` (checks every example came exactly once)."""
        self._dynamics.end_epoch()

    def log_reduced_epoch(self, p_gold, predicted=None, margin=None):
        """Record an epoch already reduced on the device (see ``TrainingDynamics``)."""
        self._dynamics.log_reduced_epoch(p_gold, predicted=predicted, margin=margin)

    # ------------------------------------------------------------------------ reading
    @property
    def dynamics(self):
        """The :class:`TrainingDynamics` this widget shows."""
        return self._dynamics

    def _label_key(self, label):
        """The engine's key for ``label=`` (default: the shown label of a multilabel run)."""
        if label is None:
            return self._engine_label(self.label)
        td = self._dynamics
        return label_index(label, td.task, self._label_names, len(self._label_names))

    def _with_examples(self, frame: pd.DataFrame, key) -> pd.DataFrame:
        """An engine result in the widget's vocabulary: its class names on the label columns,
        and, matched by id, the ``text`` of each example (multilabel: ``gold_labels``, every
        gold label name of the example)."""
        shown = (
            [f"not {self._label_names[key]}", self._label_names[key]]
            if key is not None
            else list(self._label_names)
        )
        frame = frame.copy()
        for column in ("gold_label", "predicted_label", "suggested_label"):
            values = frame.get(column)  # the widget's names (the run may have none)
            if (
                values is not None
                and isinstance(values.dtype, pd.CategoricalDtype)
                and len(values.cat.categories) == len(shown)
            ):
                frame[column] = values.cat.rename_categories(shown)
        positions = self._dynamics.index_of(frame.index.to_numpy())
        if self._texts_list is not None:
            texts = np.asarray(self._texts_list, dtype=object)
            frame["text"] = texts[positions] if len(positions) else []
        if self._dynamics.task == "multilabel":
            names = np.asarray(self._label_names, dtype=object)
            matrix = (
                np.frombuffer(self._gold_sets, dtype=np.uint8)
                .reshape(int(self._dynamics.n_examples), -1)
                .astype(bool)
            )
            frame["gold_labels"] = pd.Series(
                [list(names[row]) for row in matrix[positions]], index=frame.index, dtype=object
            )
        return frame

    def metrics(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """The data map (:meth:`TrainingDynamics.metrics`) with a ``text`` column.

        One row per example id: confidence, variability, correctness, forgetfulness,
        threshold_closeness, region, ``gold_label`` and ``predicted_label`` (Categoricals of
        the class names), aum (logits), ``text`` (when the widget has texts) and, multilabel,
        ``gold_labels`` (every gold label of the example).

        Parameters
        ----------
        epochs : int, optional
            The map as it stood after the first ``epochs`` epochs (default: all logged).
        label : str or int, optional
            Multilabel only: the label whose map is wanted (default: the shown label).
        regions : {"thresholds", "quantiles"}
            See :meth:`TrainingDynamics.metrics`.

        Examples
        --------
        >>> df = w.metrics()
        >>> df[df.region == "hard-to-learn"].sort_values("confidence").head()
        """
        key = self._label_key(label)
        frame = self._dynamics.metrics(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def to_dataframe(self, epochs=None, label=None) -> pd.DataFrame:
        """Same as :meth:`metrics` (the name pandas users look for)."""
        return self.metrics(epochs=epochs, label=label)

    def easy(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Easy-to-learn rows, most confident first, with texts (see :meth:`metrics`)."""
        key = self._label_key(label)
        frame = self._dynamics.easy(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def ambiguous(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Ambiguous rows, most variable first, with texts (see :meth:`metrics`)."""
        key = self._label_key(label)
        frame = self._dynamics.ambiguous(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def hard(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Hard-to-learn rows, least confident first (mislabel candidates), with texts.

        Examples
        --------
        >>> train_df.loc[w.hard().index]  # the rows of your data
        """
        key = self._label_key(label)
        frame = self._dynamics.hard(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def label_issues(self, label=None, *, in_sample=None) -> pd.DataFrame:
        """Every example, most likely mislabeled first (:meth:`TrainingDynamics.label_issues`),
        with texts. Multilabel: ``label`` defaults to the shown label. Pass the result (or its
        flagged rows) to :meth:`accept_suggestions` to turn it into review decisions.
        """
        key = self._label_key(label)
        frame = self._dynamics.label_issues(key, in_sample=in_sample)
        return self._with_examples(frame, key)

    def save(self, path) -> None:
        """Write the run (with a cross-fitted run's in-sample map) and the review decisions to
        a new or empty folder; ``DataMapWidget(dynamics=path)`` shows it again, and
        ``DataMapWidget(dynamics=path, path=path)`` carries on appending to it."""
        self._dynamics.save(path)
        if len(self._review_log):
            self._review_log.save(path)

    # ---- selection (map)
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

    def _label_key(self, label):
        """Engine key of ``label`` (a name of this widget or an index); None: the shown label."""
        td = self._dynamics
        if label is None:
            return self._engine_label(self.label)
        return label_index(label, td.task, self._label_names, len(self._label_names))

    def plot(self, ax=None, epochs=None, label=None, hue="correctness"):
        """The paper's figure of what the widget shows; see :meth:`TrainingDynamics.plot`.

        Its class names, the shown label (multilabel) and the current thresholds. The page's
        replay position and colour choice stay in the browser: ``epochs`` defaults to all
        logged epochs and ``hue`` to correctness.

        Examples
        --------
        >>> w.plot().savefig("data_map.png", dpi=200)
        """
        from datamap_widget.plotting import map_title, plot_data_map

        td = self._dynamics
        key = self._label_key(label)
        frame = self.to_dataframe(epochs=epochs, label=key)
        shown = None if key is None else self._label_names[key]
        return plot_data_map(
            frame,
            variability_threshold=td.variability_threshold,
            confidence_threshold=td.confidence_threshold,
            hue=hue,
            ax=ax,
            title=map_title(len(frame), td.n_epochs if epochs is None else epochs, shown),
        )

    def save_html(self, path, *, title=None):
        """Write the map as one self-contained HTML file that opens with no kernel and no network.

        The file holds the page's code, the history of the shown label, the texts or images,
        ids, class names, thresholds and review decisions so far. Opened in a browser (even
        from disk, offline) the map, replay, hover, click to the panel, search, colour and
        selection work; review decisions and switching labels need the kernel and are off.
        Size: about 6 bytes per example per epoch plus the texts, deflated (see README).

        Parameters
        ----------
        path : str or path
            Where to write (replaced whole; its folder must exist).
        title : str, optional
            The page's title (default "Data map").

        Returns
        -------
        pathlib.Path
            The file written (absolute).

        Examples
        --------
        >>> w.save_html("data_map.html")
        """
        from datamap_widget._html_export import save_html

        return save_html(self, path, title=title)

    def subset(self, region=None, *, fraction=None, by=None, label=None, epochs=None):
        """Ids of a training subset (default label: the shown one); see
        :meth:`TrainingDynamics.subset`.

        Examples
        --------
        >>> w.subset(fraction=0.33)  # the 33% most ambiguous examples
        """
        return self._dynamics.subset(
            region, fraction=fraction, by=by, label=self._label_key(label), epochs=epochs
        )

    def subset_of(
        self, data, region=None, *, fraction=None, by=None, label=None, epochs=None, id_column=None
    ):
        """Rows of ``data`` in :meth:`subset` (same type back; ``id_column`` defaults to the
        constructor's); see :meth:`TrainingDynamics.subset_of`.

        Examples
        --------
        >>> ambiguous_df = w.subset_of(train_df, fraction=0.33)
        """
        return self._dynamics.subset_of(
            data,
            region,
            fraction=fraction,
            by=by,
            label=self._label_key(label),
            epochs=epochs,
            id_column=self._id_column if id_column is None else id_column,
        )

    # ---------------------------------------------------------------------- review
    def _init_reviews(self, td, *, label_column, id_column):
        """The review log of this run: on disk next to an on-disk run (decisions come back on
        resume), else in memory. Its decisions are mirrored in ``_reviews`` for the page."""
        path = getattr(td, "path", None)
        loaded = getattr(td, "loaded_from", None) if path is None else None
        self._review_log = ReviewLog(td, path=path, read_from=loaded)
        self._label_column = label_column
        self._id_column = id_column
        if len(self._review_log):
            self.set_trait("_reviews", self._review_log.messages_json())

    def _score_arrays(self, shown: str, n_epochs: int) -> dict:
        """``{"score": (1, N) float32}``: label-issue score per point (``td.label_issues``),
        sent with the epoch (the same message) so the page's queue ranks likely mislabeled
        examples first. Recomputing costs O(epochs x N) plus a small noise-model fit (~75-100 CPU
        ms at 43,410 x 10 binary, ~1 s at 550,000 x 20: benchmarks/bench_label_issues_cost.py);
        to keep training fast the kernel spends at most ``SCORE_BUDGET_MS`` per epoch on
        average: after a computation taking t ms it reuses that score for the next t / budget
        epochs. Empty (the page ranks by low confidence) when the run cannot be scored.
        """
        td = self._dynamics
        cache = getattr(self, "_score_cache", None)  # (label, skip left, wire array)
        if n_epochs == 0:
            return {}
        if cache is not None and cache[0] == shown and cache[1] > 0:
            self._score_cache = (shown, cache[1] - 1, cache[2])
            return {"score": cache[2]}
        started = time.perf_counter()
        try:
            frame = label_issues(td, self._engine_label(shown))  # no warnings each epoch
            score = frame["score"].reindex(pd.Index(np.asarray(td.ids))).to_numpy(np.float32)
        except Exception:  # scoring is a hint for the reviewer: never a reason to fail an epoch
            self._score_cache = None
            return {}
        wire = wire_array(score[None], "float32")
        spent_ms = (time.perf_counter() - started) * 1000.0
        self._score_cache = (shown, int(spent_ms // SCORE_BUDGET_MS), wire)
        return {"score": wire}

    def _on_page_decisions(self, messages):
        """Decisions from the page (sent again until confirmed): recorded once each, then the
        canonical list goes back in ``_reviews``; refused ones are named to the page."""
        if not isinstance(messages, list):
            return
        try:
            with self._lock:
                result = self._review_log.apply_messages(messages)
                self._sync_reviews()
            if result.errors:
                warnings.warn(
                    f"DataMapWidget refused {len(result.errors)} decision(s) from the "
                    f"page: {result.errors[:3]}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                self.send(
                    {
                        "type": "decision_errors",
                        "errors": [[str(d), str(r)] for d, r in result.errors],
                    }
                )
        except Exception as exc:  # never break the kernel's message loop
            warnings.warn(
                f"DataMapWidget could not record decisions: {exc!r}", RuntimeWarning, stacklevel=2
            )

    def _sync_reviews(self):
        self.set_trait("_reviews", self._review_log.messages_json())

    def review(self, id, verdict, new_label=None, *, label=None):
        """Record a decision from Python, as the page's review queue does; or many at once.

        ``verdict``: ``"correct"``, ``"wrong"`` (``new_label``: the right class, name or index;
        binary: default the other class; multilabel: flips ``label``, default the shown label)
        or ``"remove"``. Returns the :class:`~datamap_widget.reviews.Decision`.

        ``id`` may be a list (array, pandas Index) of ids: then ``verdict`` and ``new_label``
        are one value for all or one per id, the decisions are recorded all or none (see
        :meth:`ReviewLog.record_many`), appended to ``reviews.jsonl`` in one write and sent
        to the page in one update, and the list of decisions is returned. Use it for many
        decisions: one call per decision re-sends every earlier decision to the page.

        Examples
        --------
        >>> w.review("ex-12", "wrong", "gratitude")
        >>> w.review(issues[issues.flagged].index, "remove")  # many at once
        """
        if self._dynamics.task == "multilabel" and label is None and verdict != "remove":
            label = self.label
        many = not isinstance(id, (str, bytes)) and np.ndim(id) > 0
        with self._lock:
            if many:
                decision = self._review_log.record_many(id, verdict, new_label, label=label)
            else:
                decision = self._review_log.record(id, verdict, new_label, label=label)
            self._sync_reviews()
        return decision

    def accept_suggestions(self, issues, *, label=None) -> list:
        """Accept the suggestions of :meth:`label_issues` (or of its flagged rows) as decisions.

        ``action`` "relabel" -> "wrong" with ``suggested_label``, "remove" -> "remove", "keep"
        -> nothing; without an ``action`` column, flagged rows -> "wrong" with
        ``suggested_label``. All or none, one write, one update of the page (see
        :meth:`ReviewLog.accept_suggestions`). Then :meth:`apply_corrections` gives the
        cleaned DataFrame or Hugging Face ``Dataset``.

        Examples
        --------
        >>> w.accept_suggestions(w.label_issues())
        >>> cleaned = w.apply_corrections(ds)
        """
        with self._lock:  # multilabel: the label the issues were ranked for (their names)
            decisions = self._review_log.accept_suggestions(issues, label=label)
            self._sync_reviews()
        return decisions

    @property
    def reviews(self) -> pd.DataFrame:
        """Every review decision, one row per decision in the order made, indexed by example id.

        Columns: gold, verdict ("correct"/"wrong"/"remove"), new_label, time (UTC), decision_id;
        multilabel also ``label`` (the label decided on). Decisions made in the page while the
        kernel was busy appear once it is free (each exactly once).
        """
        return self._review_log.to_dataframe()

    @property
    def review_log(self) -> ReviewLog:
        """The :class:`~datamap_widget.reviews.ReviewLog` behind :attr:`reviews`."""
        return self._review_log

    def corrected_labels(self, *, drop_removed=True, names=False):
        """Gold labels with the review decisions applied, indexed by id (removed examples
        dropped unless ``drop_removed=False``); see ``ReviewLog.corrected_labels``."""
        return self._review_log.corrected_labels(drop_removed=drop_removed, names=names)

    def apply_corrections(self, data, *, label_column=None, id_column=None, check_gold=True):
        """``data`` (DataFrame or ``datasets.Dataset``, same type back) with corrected labels
        and without removed rows. Columns default to the constructor's ``label_column`` /
        ``id_column``; see :func:`datamap_widget.reviews.apply_corrections`.

        Examples
        --------
        >>> cleaned = w.apply_corrections(train_df)
        """
        from datamap_widget.reviews import apply_corrections

        return apply_corrections(
            data,
            self._review_log,
            label_column=self._label_column if label_column is None else label_column,
            id_column=self._id_column if id_column is None else id_column,
            check_gold=check_gold,
        )

    def close(self):
        remove = getattr(getattr(self, "_dynamics", None), "remove_epoch_listener", None)
        if remove is not None:
            try:
                remove(self._on_epoch)
            except (ValueError, KeyError):
                pass
        for part in getattr(self, "_parts", {}).values():
            part.close()
        super().close()
