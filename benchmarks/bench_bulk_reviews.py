"""Many review decisions from Python: one call per decision vs one call for all of them.

    PYTHONPATH=. python benchmarks/bench_bulk_reviews.py

A widget on a 3-class run of 43,410 examples (the go_emotions training size), its comm replaced
by a recorder (the kernel's JSON encoding and the socket are not timed), on disk (``path=``) so
every decision is appended to reviews.jsonl and fsynced. CPU seconds of the process (the time
spent waiting for fsync is not counted: one per call); the ratios within one run are what to
compare.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _recording import RecordingComm

from datamap_widget import DataMapWidget

N = 43_410
NAMES = ["anger", "joy", "other"]


def widget(folder: str) -> DataMapWidget:
    labels = np.arange(N) % 3
    w = DataMapWidget(labels=labels, label_names=NAMES, path=folder)
    w.comm = Discarding()
    return w


class Discarding(RecordingComm):
    """A comm that counts what would be sent and keeps none of it (the kernel's would not)."""

    def send(self, data=None, buffers=None, **_):
        self.messages.append(None)


def issues(k: int) -> pd.DataFrame:
    """k rows shaped like label_issues(): relabel 3 in 4, remove the rest."""
    ids = np.arange(k)
    gold = ids % 3
    dtype = pd.CategoricalDtype(NAMES)
    return pd.DataFrame(
        {
            "gold_label": pd.Categorical.from_codes(gold, dtype=dtype),
            "suggested_label": pd.Categorical.from_codes((gold + 1) % 3, dtype=dtype),
            "action": np.where(ids % 4 == 0, "remove", "relabel"),
        },
        index=pd.Index(ids, name="id"),
    )


def seconds(fn) -> float:
    """CPU seconds of this process: on a shared machine, wall time mostly measures the others."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def one_by_one(k: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        w = widget(f"{tmp}/run")
        return seconds(lambda: [w.review(i, "remove") for i in range(k)])


def in_one_call(k: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        w = widget(f"{tmp}/run")
        return seconds(lambda: w.review(np.arange(k), "remove"))


def accepted(k: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        w = widget(f"{tmp}/run")
        frame = issues(k)
        return seconds(lambda: w.accept_suggestions(frame))


def main() -> None:
    print(f"{N:,} examples, 3 classes, on disk; seconds (lower is better)\n")
    print("| decisions | w.review per id | w.review(ids) | w.accept_suggestions | per id / bulk |")
    print("|---|---|---|---|---|")
    for k in (1_000, 10_000):
        loop = one_by_one(k)
        bulk = in_one_call(k)
        acc = accepted(k)
        print(f"| {k:,} | {loop:.2f} | {bulk:.3f} | {acc:.3f} | {loop / bulk:.0f}x |")


if __name__ == "__main__":
    main()
