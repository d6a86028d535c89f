"""The epoch being assembled from shuffled, id-keyed batches (log_batch / end_epoch).

Batches are reduced to p(gold)/prediction/margin as they arrive and written into per-example
slots, so pending memory is one epoch's worth whatever the batch size; `seen` tracks coverage.
"""

from __future__ import annotations

import numpy as np

from datamap_widget.engine._outputs import EpochRecord


class PendingEpoch:
    def __init__(self, n: int, first: EpochRecord, logits: bool):
        self.logits = logits
        self.seen = np.zeros(n, bool)
        self.n_batches = 0
        self.p_gold = np.empty((n, *first.p_gold.shape[1:]), np.float32)
        self.pred = None if first.pred is None else np.empty(n, first.pred.dtype)
        self.margin = None if first.margin is None else np.empty_like(self.p_gold)

    def add(self, positions: np.ndarray, record: EpochRecord) -> None:
        self.p_gold[positions] = record.p_gold
        if self.pred is not None:
            self.pred[positions] = record.pred
        if self.margin is not None:
            self.margin[positions] = record.margin
        self.seen[positions] = True
        self.n_batches += 1

    def record(self) -> EpochRecord:
        return EpochRecord(self.p_gold, self.pred, self.margin)
