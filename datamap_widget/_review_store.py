"""Append-only ``reviews.jsonl`` inside a run directory: review decisions that survive a crash.

The file sits next to ``meta.json`` / ``epoch_*.npz`` (see ``persistence``) and is owned by the
review log, never by the engine. Layout, one JSON object per line::

    {"format": "datamap-widget/reviews", "version": 1}          header, written atomically
    {"decision_id": ..., "id": ..., "verdict": ..., ...}        one line per decision, in order

Every decision line is written with one ``write`` call, flushed and fsynced before the decision
counts as recorded, so a decision the user saw accepted is on disk. A crash in the middle of a
write can only damage the last line: reading ignores such a tail with a warning naming the file,
and resuming cuts it off (repair_tail) so the next line starts clean. Damage anywhere else
is an error: silently dropping decisions from the middle of a review would be worse.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

from datamap_widget import persistence

REVIEWS = "reviews.jsonl"
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # reused: json.dumps makes one a call
FORMAT = "datamap-widget/reviews"
VERSION = 1


def reviews_file(directory) -> Path:
    return Path(directory) / REVIEWS


def check_run_directory(directory) -> Path:
    """The directory must hold a run (meta.json), so reviews never float around on their own."""
    directory = Path(directory)
    if not (directory / persistence.META).exists():
        raise FileNotFoundError(
            f"{directory} holds no datamap-widget run (no {persistence.META}); "
            "reviews are saved inside a run directory: pass the path= of "
            "an on-disk run or a directory written by TrainingDynamics.save"
        )
    return directory


def read_lines(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) of every decision line; a damaged last line is warned about."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    if complete:
        lines.pop()  # the empty string after the final newline
    if not lines:
        raise ValueError(f"{path} is empty: it should start with a reviews header line")
    header = _parse(lines[0])
    if header is None or header.get("format") != FORMAT:
        raise ValueError(f"{path} is not a datamap-widget reviews file (bad first line)")
    if header.get("version", 0) > VERSION:
        raise ValueError(
            f"{path} was written by a newer datamap-widget (reviews format "
            f"{header['version']}); upgrade to read it"
        )
    out = []
    for number, line in enumerate(lines[1:], start=2):
        last = number == len(lines)
        obj = _parse(line)
        if obj is None or not isinstance(obj, dict):
            if last:
                warnings.warn(
                    f"{path}: ignoring the damaged last line {number} (a write was cut "
                    "off, e.g. by a crash); every decision before it was loaded",
                    RuntimeWarning,
                    stacklevel=3,
                )
                break
            raise ValueError(
                f"{path}: line {number} is not valid JSON but later lines are; the "
                "file was damaged, not just cut off. Repair or remove that line"
            )
        out.append((number, obj))
    return out


def _parse(line: bytes):
    try:
        return json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def create(path: Path) -> None:
    """A new reviews file holding only its header (written atomically: never half a header)."""
    header = json.dumps({"format": FORMAT, "version": VERSION}) + "\n"
    persistence._atomic_write(path, lambda f: f.write(header.encode()))


def repair_tail(path: Path) -> None:
    """Before appending to a file read back: finish a whole last line that lost its newline, or
    cut off half a line (already warned about by read_lines), so the next line starts clean."""
    raw = path.read_bytes()
    if raw.endswith(b"\n") or not raw:
        return
    cut = raw.rfind(b"\n") + 1
    with open(path, "r+b") as f:
        if _parse(raw[cut:]) is not None:
            f.seek(0, os.SEEK_END)
            f.write(b"\n")
        else:
            f.truncate(cut)
        f.flush()
        os.fsync(f.fileno())


def append(path: Path, objects: list[dict]) -> None:
    """Write decision lines in one call and make them durable before returning; on failure
    leave no half line behind for the next append to glue onto."""
    if not path.exists():
        create(path)
    data = "".join(_JSON.encode(obj) + "\n" for obj in objects)
    with open(path, "ab") as f:
        start = f.seek(0, os.SEEK_END)
        try:
            f.write(data.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        except BaseException:
            try:
                f.truncate(start)
            except OSError:
                pass
            raise
