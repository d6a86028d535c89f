"""Figures for the review log on go_emotions (43,410 comments, 28 labels, multilabel):
recording decisions (in memory and durably in a run directory), reading them back, the
corrected labels and applying them to the Hugging Face Dataset.

    PYTHONPATH=. python benchmarks/bench_reviews.py

Times are wall-clock on whatever machine runs it (a shared 2-core box here: noisy).
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from datamap_widget import TrainingDynamics
from datamap_widget.datasets import load_go_emotions
from datamap_widget.review import ReviewLog, apply_corrections

DATA = os.environ.get("DATAMAP_GO_EMOTIONS_DIR", "/work/shared/data/go_emotions")


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - start) * 1000


def main() -> None:
    ds = load_go_emotions("train", local_dir=DATA)
    names = ds.features["labels"].feature.names
    ids = ds["id"][:]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "run")
        td = TrainingDynamics(
            ds["labels"][:], ids=ids, task="multilabel", label_names=names, path=run
        )
        log, ms = timed(lambda: ReviewLog(td, path=run))
        rows.append(("open ReviewLog on a run (43,410 x 28)", ms, ""))
        rng = np.random.default_rng(0)
        picks = rng.choice(len(ids), 1000, replace=False)
        start = time.perf_counter()
        for k, i in enumerate(picks[:500]):
            log.record(
                ids[i],
                "wrong" if k % 3 else "remove",
                label="gratitude" if k % 3 else None,
                decision_id=f"d{k}",
            )
        per = (time.perf_counter() - start) * 1000 / 500
        rows.append(("record one decision, durable (write + fsync)", per, "mean of 500"))
        messages = [
            {
                "decision_id": f"m{k}",
                "index": int(i),
                "verdict": "correct",
                "label": 15,
                "time": 1.7e12,
            }
            for k, i in enumerate(picks[500:])
        ]
        result, ms = timed(lambda: log.apply_messages(messages))
        rows.append(
            ("apply 500 page messages, one durable write", ms, f"{len(result.recorded)} recorded")
        )
        _, ms = timed(lambda: log.apply_messages(messages))
        rows.append(("same 500 messages re-sent (all duplicates)", ms, ""))
        resumed, ms = timed(lambda: ReviewLog(td, path=run))
        rows.append(("resume: read 1,000 decisions back", ms, f"{len(resumed)} decisions"))
        _, ms = timed(log.to_dataframe)
        rows.append(("to_dataframe (1,000 decisions)", ms, ""))
        _, ms = timed(log.corrected_labels)
        rows.append(("corrected_labels (bool frame)", ms, ""))
        out, ms = timed(lambda: apply_corrections(ds, log, label_column="labels", id_column="id"))
        rows.append(("apply_corrections to the Dataset", ms, f"{len(out)} rows kept"))
        frame = ds.to_pandas().set_index("id")
        out, ms = timed(lambda: apply_corrections(frame, log, label_column="labels"))
        rows.append(("apply_corrections to a DataFrame", ms, f"{len(out)} rows kept"))
    print("Review log on go_emotions train (43,410 examples, 28 labels); shared machine, noisy")
    print("| operation | ms | note |")
    print("|---|---:|---|")
    for what, ms, note in rows:
        print(f"| {what} | {ms:.2f} | {note} |")


if __name__ == "__main__":
    main()
