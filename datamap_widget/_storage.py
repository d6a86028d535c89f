"""Append-only per-epoch history of what the engine keeps.

One array per epoch instead of one growing (E, N) block: appending an epoch never copies the
earlier ones (no O(E N) regrowth spikes, no 2x over-allocation), and each epoch maps one-to-one
onto one file of the on-disk format. Full (E, N) matrices are assembled only on request.
"""

from __future__ import annotations

import numpy as np

from datamap_widget._outputs import EpochRecord


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

    def correct(self, record: EpochRecord) -> np.ndarray:
        """Multiclass: argmax == gold. Binary and each multilabel label: p(gold) >= 0.5."""
        if self._task == "multiclass":
            return record.pred == self._gold
        return record.p_gold >= 0.5

    def predicted(self, record: EpochRecord) -> np.ndarray:
        if self._task == "multiclass":
            return record.pred.astype(np.int64)
        gold = self._gold.astype(np.int64)
        return np.where(record.p_gold >= 0.5, gold, 1 - gold)

    def stack(self, values, dtype, column=None, epochs=None) -> np.ndarray:
        """(E, N) array of values(record) per epoch, optionally one multilabel column."""
        records = self._records[:epochs]
        out = np.empty((len(records), self._gold.shape[0]), dtype)
        for e, record in enumerate(records):
            v = values(record)
            out[e] = v if column is None else v[:, column]
        return out
