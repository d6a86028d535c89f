"""Training dynamics: per-epoch model outputs in, data-map coordinates out.

Pure numpy/pandas (no widget imports), so it can record a run in any script. Definitions follow
Swayamdipta et al. (2020) and their reference code (allenai/cartography):

- confidence: mean over epochs of p(gold);
- variability: population standard deviation (ddof=0) of p(gold) over epochs;
- correctness: fraction of epochs in which the example was correct, where correct means
  argmax == gold (multiclass) and p(gold) >= 0.5 (binary, and each label of multilabel);
- forgetfulness: number of correct -> incorrect transitions between consecutive epochs (Toneva
  et al. 2019); examples never learned get ``inf``, Toneva et al.'s convention that ranks them as
  the most forgettable and keeps them apart from learned-and-never-forgotten examples (0);
- threshold_closeness: confidence * (1 - confidence);
- aum (only when logits were logged): mean over epochs of gold logit minus largest other logit
  (Pleiss et al. 2020).

``TrainingDynamics`` holds the run's state (labels, ids, thresholds, history, running sums) and
takes each job from a mixin of its own: recording epochs (``_recording``), reading the map
(``_reading``), ranking examples (``_ranking``) and the run's folder (``_saved_run``).
"""

from __future__ import annotations

import threading

import numpy as np

from datamap_widget.engine import persistence
from datamap_widget.engine._ids import IdLookup, ids_from_index, normalize_ids
from datamap_widget.engine._labels import normalize_labels
from datamap_widget.engine._ranking import MapRanking
from datamap_widget.engine._reading import MapReading
from datamap_widget.engine._recording import EpochRecording
from datamap_widget.engine._saved_run import SavedRun
from datamap_widget.engine._stats import REGIONS, RunningStats
from datamap_widget.engine._storage import EpochHistory
from datamap_widget.engine._validation import check_threshold

__all__ = ["REGIONS", "TrainingDynamics"]


class TrainingDynamics(EpochRecording, MapReading, MapRanking, SavedRun):
    """Per-example training dynamics of one run, and the data map derived from them.

    Parameters
    ----------
    labels : gold labels of the N training examples. Binary: 0/1 or bools. Multiclass: class
        indexes. Either: class names (strings, a pandas Categorical, a Hugging Face string or
        ``ClassLabel`` column), ordered as ``label_names``, else the categories, else sorted.
        Multilabel: N x L multi-hot (a DataFrame's columns name the labels), or lists of label
        indexes (with ``label_names`` or a ``Sequence(ClassLabel)`` column) or label names.
    ids : unique example ids (ints or strings). Default: the index of a pandas ``labels``
        (so ``df.loc[td.hard().index]`` finds the right rows), unless it is 0..N-1; else
        ``0..N-1``. Results are indexed by the ids, in an index named ``id``.
    label_names : class names (binary/multiclass) or label names (multilabel); a dict
        ``{index: name}`` such as ``model.config.id2label`` is read in index order.
    task : "binary", "multiclass" or "multilabel"; inferred from labels when None.
    n_classes : multiclass only, when ``label_names`` is not given and some classes never
        occur in ``labels`` (default: largest label + 1).
    variability_threshold, confidence_threshold : region boundaries, see ``metrics``.
        Defaults 0.2 and 0.5. Variability of a p(gold) in [0, 1] is at most 0.5; 0.2 is what a
        trajectory swinging between 0.3 and 0.7, across the decision boundary, reaches.
        Confidence 0.5 is even odds for the gold label: below it the model mostly prefers
        another label. Fixed thresholds (rather than the paper's top/bottom 33% quantiles)
        keep regions stable while training: a point changes region only when it moves.
    path : on-disk mode. Each finished epoch is appended durably under this directory, so a
        crash loses at most the epoch in progress; if it already holds a run with the same
        labels and ids, that run is resumed.
    """

    def __init__(
        self,
        labels,
        *,
        ids=None,
        label_names=None,
        task=None,
        n_classes=None,
        variability_threshold=0.2,
        confidence_threshold=0.5,
        path=None,
        _unsorted_names=False,
    ):
        task, gold, names, c, unsorted = normalize_labels(labels, task, label_names, n_classes)
        unsorted = unsorted or bool(_unsorted_names)  # a saved run's labels are indexes
        if ids is None:
            ids = ids_from_index(labels, gold.shape[0])
        self._ids, self._index = normalize_ids(ids, gold.shape[0])
        self._lookup = IdLookup(self._ids, self._index)
        self._variability_threshold = check_threshold(
            variability_threshold, "variability_threshold", 0.5
        )
        self._confidence_threshold = check_threshold(
            confidence_threshold, "confidence_threshold", 1
        )
        gold.flags.writeable = False
        self._task, self._gold, self._label_names, self._n_classes = task, gold, names, c
        self._unsorted_names = unsorted  # outputs need classes= (see _classes)
        self._output_order = self._output_classes = None
        self._history = EpochHistory(gold, task)
        self._stats = RunningStats(gold.shape)
        self._logits = None  # fixed by the first epoch: every epoch is logged the same way
        self._pending = None
        self._listeners = []
        self._lock = threading.Lock()
        self._path = None
        self._held_out = False
        self._loaded_from = None  # folder of a run loaded into memory (not written to)
        self._said_not_written = False
        if path is not None:
            existing, records = persistence.open_run(path, self._header())
            for record in records:
                self._append(record)
            self._path = path
            if existing is not None:
                self._held_out = existing["held_out"]
                self._attach_saved_in_sample(path, on_disk=True)

    @property
    def task(self) -> str:
        return self._task

    @property
    def n_examples(self) -> int:
        return int(self._gold.shape[0])

    @property
    def n_epochs(self) -> int:
        return len(self._history)

    @property
    def n_classes(self) -> int:
        """2 for binary, C for multiclass, L (number of labels) for multilabel."""
        return self._n_classes

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    @property
    def label_names(self):
        return None if self._label_names is None else list(self._label_names)

    @property
    def classes(self) -> list:
        """The map's classes in class-index order: the class names, else the indexes 0..C-1.

        Output column i is read as class ``classes[i]`` unless ``classes=`` says otherwise.
        Multilabel: the labels.
        """
        if self._label_names is not None:
            return list(self._label_names)
        return list(range(self._n_classes))

    @property
    def output_classes(self):
        """The class of each output column for logs made without ``classes=`` (None: the
        map's order, ``classes``). Set it once when outputs reach the run through an object
        that cannot pass ``classes=`` (an integration's logger), e.g. ``td.output_classes =
        clf.classes_``."""
        return self._output_classes

    @output_classes.setter
    def output_classes(self, value) -> None:
        order = None if value is None else self._column_order(value)
        self._output_order = order
        self._output_classes = None if value is None else list(np.asarray(value).tolist())

    @property
    def path(self):
        """Directory of the on-disk run, or None for an in-memory run (``resume`` opens a
        saved run for appending)."""
        return self._path

    @property
    def loaded_from(self):
        """The folder a run was read from by ``load`` (not written to), else None."""
        return self._loaded_from

    @property
    def held_out(self) -> bool:
        """True for a cross-fitted (held-out) map: every example was scored by a model that did
        not train on it. Plain runs are in-sample (False)."""
        return self._held_out

    @property
    def variability_threshold(self) -> float:
        return self._variability_threshold

    @variability_threshold.setter
    def variability_threshold(self, value) -> None:
        self._variability_threshold = check_threshold(value, "variability_threshold", 0.5)

    @property
    def confidence_threshold(self) -> float:
        return self._confidence_threshold

    @confidence_threshold.setter
    def confidence_threshold(self, value) -> None:
        self._confidence_threshold = check_threshold(value, "confidence_threshold", 1)

    #: The in-sample map of the same cross-fitted run (set by cross-fitting; saved with the
    #: run in its ``in_sample/`` folder).
    in_sample = None

    def __getstate__(self) -> dict:
        """Pickle/deepcopy without the lock and the listeners (views belong to one process)."""
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_listeners"] = []
        state.pop("_keyed_listeners", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"TrainingDynamics(task={self._task!r}, n_examples={self.n_examples}, "
            f"n_classes={self._n_classes}, n_epochs={self.n_epochs})"
        )
