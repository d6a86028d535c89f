"""The on-disk format of a run, shared by ``save``/``load`` and on-disk (``path=``) mode.

A run is a directory::

    meta.json            task, classes, label names, thresholds, format version, shapes
    ids.npy, gold.npy    example ids (int or unicode, dtype preserved) and gold labels
    epoch_00001.npz ...  one file per finished epoch: p_gold (+ pred, + margin)
    in_sample/           cross-fitted runs: the in-sample map of the same run (a run itself)
    reviews.jsonl        review decisions, when there are any (see ``_review_store``)

Every file is written to a temporary name, fsynced, renamed over its final name and the
directory fsynced, so a crash leaves either the whole epoch file or none of it. meta.json is
written last: a directory without it holds no run. No pickles anywhere.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from datamap_widget._outputs import EpochRecord, pred_dtype

FORMAT = "datamap-widget/training-dynamics"
VERSION = 1
META, IDS, GOLD = "meta.json", "ids.npy", "gold.npy"
IN_SAMPLE = "in_sample"
_EPOCH = re.compile(r"^epoch_(\d{5,})\.npz$")
# what _atomic_write leaves behind when a process dies mid-write
_TEMPORARY = re.compile(r"^\.(epoch_\d{5,}\.npz|meta\.json|ids\.npy|gold\.npy)\.tmp-\d+$")


def epoch_file(number: int) -> str:
    return f"epoch_{number:05d}.npz"


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # platforms that cannot open directories (Windows)
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(target: Path, write) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _write_header(directory: Path, header: dict) -> None:
    _atomic_write(directory / IDS, lambda f: np.save(f, header["ids"], allow_pickle=False))
    _atomic_write(directory / GOLD, lambda f: np.save(f, header["gold"], allow_pickle=False))
    write_meta(directory, header)


def write_meta(directory, header: dict) -> None:
    """meta.json alone (atomically): also how a run records that it became cross-fitted."""
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "task": header["task"],
        "n_examples": int(header["gold"].shape[0]),
        "n_classes": header["n_classes"],
        "label_names": header["label_names"],
        "variability_threshold": header["variability_threshold"],
        "confidence_threshold": header["confidence_threshold"],
        "p_gold_shape": list(header["gold"].shape),
        "unsorted_names": bool(header.get("unsorted_names", False)),
        "held_out": bool(header.get("held_out", False)),
    }
    path = Path(directory) / META
    _atomic_write(path, lambda f: f.write(json.dumps(meta, indent=1).encode()))


def read_header(directory) -> dict:
    directory = Path(directory)
    try:
        meta = json.loads((directory / META).read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{directory} holds no saved run (no {META})") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"{directory / META} is not a datamap-widget run")
    if meta.get("version", 0) > VERSION:
        raise ValueError(
            f"{directory} was written by a newer datamap-widget "
            f"(format {meta['version']}); upgrade to read it"
        )
    header = {
        k: meta[k]
        for k in (
            "task",
            "n_classes",
            "label_names",
            "variability_threshold",
            "confidence_threshold",
        )
    }
    header["ids"] = np.load(directory / IDS, allow_pickle=False)
    header["gold"] = np.load(directory / GOLD, allow_pickle=False)
    header["p_gold_shape"] = tuple(meta["p_gold_shape"])
    header["unsorted_names"] = bool(meta.get("unsorted_names", False))  # format 1 may lack them
    header["held_out"] = bool(meta.get("held_out", False))
    return header


def write_epoch(directory, number: int, record: EpochRecord) -> None:
    arrays = {"p_gold": record.p_gold}
    if record.pred is not None:
        arrays["pred"] = record.pred
    if record.margin is not None:
        arrays["margin"] = record.margin
    _atomic_write(Path(directory) / epoch_file(number), lambda f: np.savez(f, **arrays))


def epoch_count(directory) -> int:
    return sum(1 for name in os.listdir(directory) if _EPOCH.match(name))


def read_epochs(directory, header: dict, epochs=None) -> list[EpochRecord]:
    """The run's epoch records in order; only the first ``epochs`` when given."""
    directory = Path(directory)
    numbers = sorted(int(m.group(1)) for m in map(_EPOCH.match, os.listdir(directory)) if m)
    if numbers != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        raise ValueError(f"{directory} lacks epoch files {missing[:5]}: the run is damaged")
    if epochs is not None:
        if epochs > len(numbers):
            raise ValueError(f"epochs={epochs} but {directory} holds {len(numbers)} epochs")
        numbers = numbers[:epochs]
    shape = header["p_gold_shape"]
    records = []
    for number in numbers:
        path = directory / epoch_file(number)
        try:
            with np.load(path, allow_pickle=False) as z:
                record = EpochRecord(
                    z["p_gold"],
                    z.get("pred", None),
                    z.get("margin", None),
                )
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError) as exc:
            raise _damaged(directory, number, f"{type(exc).__name__}: {exc}") from exc
        bad = (
            record.p_gold.shape != shape
            or record.p_gold.dtype != np.float32
            or (header["task"] == "multiclass") != (record.pred is not None)
            or (record.pred is not None and record.pred.dtype != pred_dtype(header["n_classes"]))
            or (record.margin is not None and record.margin.shape != shape)
        )
        if bad:
            raise _damaged(directory, number, "its arrays do not match the run's shapes")
        records.append(record)
    return records


def _damaged(directory: Path, number: int, why: str) -> ValueError:
    """The error for an unreadable epoch file, saying how to get the intact epochs before it."""
    intact = number - 1
    offer = (
        f" The {intact} epochs before it are intact: read them with "
        f"TrainingDynamics.load({str(directory)!r}, epochs={intact}); to resume on-disk "
        f"recording from there, move {epoch_file(number)} and any later epoch files out "
        "of the folder."
        if intact
        else " No earlier epoch is intact."
    )
    return ValueError(f"{directory / epoch_file(number)} is damaged or truncated ({why})." + offer)


def _holds_run(directory: Path) -> bool:
    return (directory / META).exists()


def save_run(path, header: dict, records: list[EpochRecord], in_sample=None) -> None:
    """Write a run into a new or empty directory; ``in_sample``: (header, records) of its
    in-sample map, written first into ``in_sample/``, so a folder whose meta.json exists
    holds the whole run."""
    directory = Path(path)
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(
            f"{directory} exists and is not empty; save() needs a new or empty directory"
        )
    directory.mkdir(parents=True, exist_ok=True)
    if in_sample is not None:
        save_run(directory / IN_SAMPLE, *in_sample)
    for number, record in enumerate(records, start=1):
        write_epoch(directory, number, record)
    _write_header(directory, header)


def in_sample_directory(path):
    """The folder of a run's in-sample map, or None when the run has none."""
    folder = Path(path) / IN_SAMPLE
    return folder if _holds_run(folder) else None


def remove_temporary_files(directory) -> list[str]:
    """Delete the temporary files a killed writer left behind; returns their names."""
    removed = []
    for entry in os.listdir(directory):
        if _TEMPORARY.match(entry):
            (Path(directory) / entry).unlink(missing_ok=True)
            removed.append(entry)
    return removed


def load_run(path, epochs=None):
    header = read_header(path)
    return header, read_epochs(path, header, epochs)


def open_run(path, header: dict) -> tuple[dict | None, list[EpochRecord]]:
    """On-disk mode: create the run, or check that the existing one matches and return it
    (its header as read, and its epochs; (None, []) for a new run)."""
    directory = Path(path)
    if _holds_run(directory):
        existing = read_header(directory)
        _check_same_run(directory, existing, header)
        remove_temporary_files(directory)  # a kill mid-write: the epoch they held was lost
        return existing, read_epochs(directory, existing)
    if directory.exists() and any(p for p in directory.iterdir() if not p.name.startswith(".")):
        raise ValueError(
            f"{directory} is not empty and holds no datamap-widget run; "
            "choose a new directory for path="
        )
    directory.mkdir(parents=True, exist_ok=True)
    _write_header(directory, header)
    return None, []


def _check_same_run(directory: Path, existing: dict, header: dict) -> None:
    checks = [
        ("task", existing["task"] == header["task"]),
        ("n_classes", existing["n_classes"] == header["n_classes"]),
        ("label_names", existing["label_names"] == header["label_names"]),
        (
            "ids",
            existing["ids"].dtype.kind == header["ids"].dtype.kind
            and np.array_equal(existing["ids"], header["ids"]),
        ),
        (
            "labels",
            existing["gold"].shape == header["gold"].shape
            and np.array_equal(existing["gold"], header["gold"]),
        ),
    ]
    differ = [name for name, same in checks if not same]
    if differ:
        raise ValueError(
            f"{directory} holds a different run (its {', '.join(differ)} differ); "
            "use a new directory, or the same labels/ids to resume it"
        )
