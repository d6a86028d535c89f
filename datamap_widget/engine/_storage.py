"""Append-only per-epoch history of what the engine keeps.

One array per epoch instead of one growing (E, N) block: appending an epoch never copies the
earlier ones (no O(E N) regrowth spikes, no 2x over-allocation), and each epoch maps one-to-one
onto one file of the on-disk format. Full (E, N) matrices are assembled only on request.
"""

from __future__ import annotations

import numpy as np

from datamap_widget.engine._outputs import EpochRecord
from datamap_widget.engine._validation import is_correct, predicted_class


class EpochHistory:
    def __init__(self, gold: np.ndarray, task: str):
        self._gold = gold
        self._task = task
        self._records: list[EpochRecord] = []

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self):
        return iter(self._records)

    def __getitem__(self, epoch: int) -> EpochRecord:
        return self._records[epoch]

    def append(self, record: EpochRecord) -> None:
        self._records.append(record)

    @property
    def has_margin(self) -> bool:
        return bool(self._records) and self._records[0].margin is not None

    def correct(self, record: EpochRecord, gold=None) -> np.ndarray:
        """Multiclass: argmax == gold. Binary and each multilabel label: p(gold) >= 0.5."""
        gold = self._gold if gold is None else gold
        return is_correct(self._task, record.p_gold, record.pred, gold)

    def predicted(self, record: EpochRecord, gold=None) -> np.ndarray:
        """Predicted class; binary/multilabel: gold when correct, the other class otherwise."""
        gold = self._gold if gold is None else gold
        return predicted_class(self._task, record.p_gold, record.pred, gold)

    def stack(self, values, dtype, column=None) -> np.ndarray:
        """(E, N) array of values(record, gold) per epoch.

        With a multilabel ``column`` each record is cut down to that column before ``values``
        sees it, so one label costs O(E N) rather than O(E N L).
        """
        gold = self._gold if column is None else self._gold[:, column]
        out = np.empty((len(self._records), gold.shape[0]), dtype)
        for e, record in enumerate(self._records):
            if column is not None:
                record = EpochRecord(
                    record.p_gold[:, column],
                    record.pred,
                    None if record.margin is None else record.margin[:, column],
                )
            out[e] = values(record, gold)
        return out
