"""DataMapWidget: a live, animated Data Map with a click-to-inspect panel (anywidget + bqplot).

Design: texts/images/labels travel once in synced traits; each logged epoch travels once, as one
comm message of O(N) bytes (the ``_epoch`` trait holds only the newest epoch; see ``_sync``). The
page keeps the history, asks the kernel for the epochs it lacks (reload, late display), computes
the map for any epoch itself and drives the bqplot marks client-side, so the map animates,
replays and answers clicks while a training cell keeps the kernel busy.

``DataMapWidget`` is the facade: its traits, its constructor (the run it shows comes from
``_run``), the logging calls and the ``label`` switch. Each other job is a mixin: what it sends the
page (``_epoch_sending``), the engine's tables in its words (``_queries``), the selection
(``_selection``), a compared run (``_compare``) and reviewing (``_review_glue``).
"""

from __future__ import annotations

import os
import pathlib
import threading

import anywidget
import numpy as np
import traitlets
from ipywidgets import widget_serialization

from datamap_widget.widget._compare import CompareLink, Comparing, default_names, resolve_compare
from datamap_widget.widget._epoch_sending import EpochSending
from datamap_widget.widget._figure import build_map, build_trajectory
from datamap_widget.widget._inputs import resolve_inputs, resolve_renderer
from datamap_widget.widget._queries import MapQueries
from datamap_widget.widget._review_glue import ReviewGlue
from datamap_widget.widget._run import (
    display_names,
    initial_label,
    load_run,
    make_dynamics,
    pack_gold_sets,
    pack_texts,
)
from datamap_widget.widget._selection import Selection
from datamap_widget.widget._sync import pack_images

_STATIC = pathlib.Path(__file__).parent.parent / "static"


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


class DataMapWidget(
    MapQueries, Selection, Comparing, ReviewGlue, EpochSending, anywidget.AnyWidget
):
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
    compare : TrainingDynamics or path, optional
        Another run of the same examples (e.g. ``td.in_sample``, or the run before cleaning),
        matched by id: a toggle switches the map between the two runs, a "moved" view draws each
        example's shift, the panel shows both trajectories. See :meth:`compare_metrics`.
    compare_names : (str, str), optional
        Names of the shown and the compared run (default: "held-out" / "in-sample" for
        ``td.in_sample``, else "this run" / the compared run's folder name or "other run").

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
    # every review decision, in ReviewLog.to_messages() form (kernel-owned; the page shows
    # these plus its own not yet confirmed ones, so a reload or a second view agrees)
    _reviews = traitlets.Unicode("[]").tag(sync=True)  # JSON text (ReviewLog.messages_json)
    # the page's multi-point selection (int32 positions)
    _selection = traitlets.Dict().tag(sync=True)
    # compare= (see _compare): the other run, reindexed to this run's positions
    _compare_info = traitlets.Dict().tag(sync=True)
    _compare_epoch = traitlets.Dict().tag(sync=True)
    _compare_gold = traitlets.Bytes(b"").tag(sync=True)

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
        compare=None,
        compare_names=None,
    ):
        """Check every argument, then build the map (parameters: see ``DataMapWidget``).

        Bad input raises here, before anything is recorded or displayed.
        """
        if isinstance(dynamics, (str, os.PathLike)):
            dynamics, path = load_run(dynamics, path), None
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
        td = make_dynamics(
            dynamics,
            inputs,
            label_names=label_names,
            task=task,
            path=path,
            variability_threshold=variability_threshold,
            confidence_threshold=confidence_threshold,
        )
        names = display_names(td, label_names)
        shown = initial_label(td, names, label)
        other = resolve_compare(td, compare)

        self._dynamics = td
        self._label_names = names
        self._lock = threading.RLock()
        _map_figure, map_parts = build_map(
            int(td.n_examples), resolved, td.variability_threshold, td.confidence_threshold
        )
        _, traj_parts = build_trajectory(compare=other is not None)
        state = dict(
            _parts={**map_parts, **traj_parts},
            renderer=resolved,
            n_examples=int(td.n_examples),
            label=shown,
            _gold_sets=pack_gold_sets(td),
            _image_shape=list(inputs.images.shape[1:]) if inputs.images is not None else [],
            _images=pack_images(inputs.images) if inputs.images is not None else b"",
        )
        if inputs.texts is not None:
            state["_texts"], state["_text_offsets"] = pack_texts(inputs.texts)
        ids = np.asarray(td.ids)
        if not (ids.dtype.kind in "iu" and np.array_equal(ids, np.arange(len(ids)))):
            state["_ids"], state["_id_offsets"] = pack_texts([str(i) for i in ids.tolist()])
        state.update(self._label_state(shown))
        self._other = None
        if other is not None:  # compare=: in the first state, so a page gets it at once
            folder = compare if isinstance(compare, (str, os.PathLike)) else None
            names = default_names(td, other, compare_names, folder)
            self._other = CompareLink(self, other, names)
            state["_compare_info"] = self._other.run.info(self._other.names)
            state.update(self._other.label_state(shown))
        for name in _OWNED:  # read-only from outside: set before the first state is sent
            self.set_trait(name, state.pop(name))
        super().__init__(**state)
        self._texts_list = inputs.texts
        self._init_reviews(td, label_column=label_column, id_column=id_column)
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
            if self._other is not None:
                state.update(self._other.label_state(change["new"]))
            with self.hold_sync():
                for name, value in state.items():
                    self.set_trait(name, value)

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

    @property
    def dynamics(self):
        """The :class:`TrainingDynamics` this widget shows."""
        return self._dynamics

    def close(self):
        if getattr(self, "_other", None) is not None:
            self._other.close()
        remove = getattr(getattr(self, "_dynamics", None), "remove_epoch_listener", None)
        if remove is not None:
            try:
                remove(self._on_epoch)
            except (ValueError, KeyError):
                pass
        for part in getattr(self, "_parts", {}).values():
            part.close()
        super().close()
