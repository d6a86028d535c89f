"""A run's folder: saving, loading and resuming a run (``persistence`` has the format), and the
allenai/cartography files.

A cross-fitted run's in-sample map travels with it, in its ``in_sample/`` folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from datamap_widget.engine import persistence
from datamap_widget.engine._validation import check_int

if TYPE_CHECKING:
    from datamap_widget.engine.dynamics import TrainingDynamics


class SavedRun:
    """``save``, ``load``, ``resume``, ``from_cartography`` / ``to_cartography``."""

    def _header(self) -> dict:
        return {
            "task": self._task,
            "n_classes": self._n_classes,
            "label_names": self._label_names,
            "gold": self._gold,
            "ids": self._ids,
            "variability_threshold": self._variability_threshold,
            "confidence_threshold": self._confidence_threshold,
            "unsorted_names": self._unsorted_names,
            "held_out": self._held_out,
        }

    def _mark_cross_fitted(self, in_sample) -> None:
        """Cross-fitting attaches the in-sample map; an on-disk run records that it is held out."""
        self.in_sample = in_sample
        if not self._held_out:
            self._held_out = True
            if self._path is not None:
                persistence.write_meta(self._path, self._header())

    def save(self, path) -> None:
        """Write the finished epochs to a new or empty directory (format: see persistence).

        A cross-fitted run's in-sample map (``in_sample``) goes with it, into ``in_sample/``,
        so ``load`` gives back the same ``label_issues()``.
        """
        inside = self._saved_in_sample()
        in_sample = None if inside is None else (inside._header(), list(inside._history))
        persistence.save_run(path, self._header(), list(self._history), in_sample)

    def _saved_in_sample(self):
        inside = self.__dict__.get("in_sample")
        if inside is None or not isinstance(inside, SavedRun) or inside.n_epochs == 0:
            return None
        return inside

    @classmethod
    def load(cls, path, epochs=None) -> TrainingDynamics:
        """Read a run written by ``save`` or by on-disk mode, as an in-memory run.

        ``epochs=k`` reads only the first k epochs (e.g. the intact ones before a damaged file:
        the error about a damaged file says which). A cross-fitted run comes back with its
        in-sample map. New epochs logged to a loaded run stay in memory (a warning says so):
        ``resume`` opens a run for appending.
        """
        epochs = check_int(epochs, "epochs", minimum=0, allow_none=True)
        header, records = persistence.load_run(path, epochs)
        td = cls._from_header(header)
        for record in records:
            td._append(record)
        td._attach_saved_in_sample(path, on_disk=False, epochs=epochs)
        td._loaded_from = path
        return td

    @classmethod
    def resume(cls, path) -> TrainingDynamics:
        """Open a saved run (``save`` or on-disk mode) for appending, from its folder alone.

        The run's labels, ids, names, thresholds and epochs come from the folder; every epoch
        logged from now on is written there durably, as in on-disk mode (``path=``), and a
        cross-fitted run's in-sample map is resumed with it. Leftover temporary files of a
        writer that was killed are removed.
        """
        return cls._from_header(persistence.read_header(path), path=path)

    @classmethod
    def _from_header(cls, header: dict, path=None) -> TrainingDynamics:
        td = cls(
            header["gold"],
            ids=header["ids"],
            label_names=header["label_names"],
            task=header["task"],
            n_classes=header["n_classes"],
            variability_threshold=header["variability_threshold"],
            confidence_threshold=header["confidence_threshold"],
            path=path,
            _unsorted_names=header.get("unsorted_names", False),
        )
        td._held_out = bool(header.get("held_out", False))
        return td

    def _attach_saved_in_sample(self, path, *, on_disk: bool, epochs=None) -> None:
        folder = persistence.in_sample_directory(path)
        if folder is None or persistence.epoch_count(folder) == 0:  # cross-fitting never began
            return
        if on_disk:
            inside = type(self).resume(folder)
        else:
            count = persistence.epoch_count(folder)
            inside = type(self).load(folder, None if epochs is None else min(epochs, count))
            inside._said_not_written = True  # read along with its run: the run's warning serves
        self.in_sample = inside
        self._held_out = True

    @classmethod
    def from_cartography(
        cls, folder, *, label_names=None, variability_threshold=0.2, confidence_threshold=0.5
    ) -> TrainingDynamics:
        """Read allenai/cartography's ``dynamics_epoch_{e}.jsonl`` files (logits per epoch)."""
        from datamap_widget.engine import cartography

        ids, gold, epochs = cartography.read(folder)
        n_classes = epochs[0].shape[1]
        task = "binary" if n_classes <= 2 and np.isin(gold, (0, 1)).all() else "multiclass"
        td = cls(
            gold,
            ids=ids,
            label_names=label_names,
            task=task,
            n_classes=None if task == "binary" else n_classes,
            variability_threshold=variability_threshold,
            confidence_threshold=confidence_threshold,
        )
        for logits in epochs:
            td.log_epoch(logits, logits=True)
        return td

    def to_cartography(self, folder) -> None:
        """Write ``dynamics_epoch_{e}.jsonl`` files for allenai/cartography.

        The logits written are log-probabilities that reproduce the recorded p(gold) and
        predictions (the full distribution is not kept: data maps do not use it). ``folder``
        must be new or empty: an older export's extra epoch files would be read back as part
        of this run.
        """
        from datamap_widget.engine import cartography

        if self._task == "multilabel":
            raise ValueError(
                "the cartography format holds one label per example; save() "
                "multilabel runs instead, or export one label via a binary run"
            )
        cartography.write(folder, self._ids, self._gold, self._n_classes, list(self._history))
