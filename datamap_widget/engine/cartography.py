"""Read and write allenai/cartography's training-dynamics files.

The reference code writes one ``dynamics_epoch_{e}.jsonl`` per epoch (e from 0), one line per
example: ``{"guid": ..., "logits_epoch_{e}": [C floats], "gold": int}``, in the (shuffled)
order the examples were trained on. Reading maps every epoch onto the ids of the first file;
writing emits log-probabilities, which reproduce p(gold) and the predicted class exactly
enough for a data map (the other classes' probabilities are not kept by the engine).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from datamap_widget.engine._outputs import EpochRecord
from datamap_widget.engine._validation import predicted_class

_FILE = re.compile(r"^dynamics_epoch_(\d+)\.jsonl$")
_TINY = 1e-300  # log(0) would be -inf, which JSON cannot hold


def _read_epoch(path: Path, e: int):
    key = f"logits_epoch_{e}"
    guids, golds, logits = [], [], []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                guids.append(row["guid"])
                golds.append(row["gold"])
                logits.append(row[key])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{path.name} line {line_no}: expected JSON with 'guid', "
                    f"'gold' and '{key}' ({type(exc).__name__}: {exc})"
                ) from None
    try:
        logits = np.asarray(logits, dtype=np.float64)
    except ValueError:
        raise ValueError(f"{path.name}: every '{key}' must be a list of the same length") from None
    if logits.ndim != 2:
        raise ValueError(f"{path.name}: '{key}' must be lists of class logits")
    return guids, golds, logits


def read(folder):
    """Return (ids in the first epoch's order, gold, [per-epoch (N, C) logits in id order])."""
    folder = Path(folder)
    found = {
        int(m.group(1)): folder / m.group(0)
        for m in map(_FILE.match, (p.name for p in folder.iterdir()))
        if m
    }
    if not found:
        raise FileNotFoundError(f"no dynamics_epoch_{{e}}.jsonl files in {folder}")
    if sorted(found) != list(range(len(found))):
        missing = sorted(set(range(max(found) + 1)) - set(found))
        raise ValueError(f"{folder} lacks dynamics_epoch files for epochs {missing[:5]}")

    ids = gold = order = None
    epochs = []
    for e in range(len(found)):
        guids, golds, logits = _read_epoch(found[e], e)
        if len(set(guids)) != len(guids):
            seen, dup = set(), []
            for g in guids:
                (dup.append(g) if g in seen else seen.add(g))
            raise ValueError(f"{found[e].name} repeats guids {dup[:5]}")
        if ids is None:
            ids, gold, order = guids, golds, {g: i for i, g in enumerate(guids)}
            epochs.append(logits)
            continue
        if set(guids) != order.keys():
            extra = [g for g in guids if g not in order][:5]
            missing = list(order.keys() - set(guids))[:5]
            raise ValueError(
                f"{found[e].name} holds different examples than "
                f"{found[0].name}: extra guids {extra}, missing guids {missing}"
            )
        positions = np.fromiter((order[g] for g in guids), np.int64, len(guids))
        golds_here = np.empty(len(guids), object)
        golds_here[positions] = golds
        if list(golds_here) != gold:
            raise ValueError(f"{found[e].name} gives different gold labels than {found[0].name}")
        if logits.shape[1] != epochs[0].shape[1]:
            raise ValueError(
                f"{found[e].name} has {logits.shape[1]} logits per example, "
                f"{found[0].name} has {epochs[0].shape[1]}"
            )
        ordered = np.empty_like(logits)
        ordered[positions] = logits
        epochs.append(ordered)
    return ids, gold, epochs


def _log_probabilities(record: EpochRecord, gold: np.ndarray, n_classes: int) -> np.ndarray:
    """(N, C) log-probabilities with the recorded p(gold) and the recorded argmax."""
    n = gold.shape[0]
    rows = np.arange(n)
    v = record.p_gold.astype(np.float64)
    rest = 1.0 - v
    pred = gold if record.pred is None else record.pred.astype(np.int64)
    if record.pred is None:  # binary: the other class has exactly 1 - p(gold)
        pred = predicted_class("binary", v, None, gold).astype(np.int64)
    probs = np.empty((n, n_classes))
    if n_classes > 2:
        # Others share what the prediction does not take; when the prediction is not gold it
        # must stay above p(gold), so the others get at most half the slack (rest - v).
        wrong = pred != gold
        share = np.where(
            wrong,
            np.minimum(
                rest / (2 * (n_classes - 1)), np.maximum(rest - v, 0) / (2 * (n_classes - 2))
            ),
            rest / (n_classes - 1),
        )
        probs[:] = share[:, None]
        probs[rows, pred] = np.where(wrong, rest - (n_classes - 2) * share, share)
    else:
        probs[:] = rest[:, None]
    probs[rows, gold] = v
    return np.log(np.maximum(probs, _TINY))


def write(folder, ids: np.ndarray, gold: np.ndarray, n_classes: int, records) -> None:
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(
            f"{folder} is not empty; to_cartography() needs a new or empty "
            "folder (the extra epoch files of an older export would be read "
            "back as part of this run)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    guids = ids.tolist()
    golds = gold.tolist()
    for e, record in enumerate(records):
        key = f"logits_epoch_{e}"
        logits = _log_probabilities(record, gold, n_classes).tolist()
        with open(folder / f"dynamics_epoch_{e}.jsonl", "w", encoding="utf-8") as f:
            for guid, g, row in zip(guids, golds, logits):
                f.write(json.dumps({"guid": guid, key: row, "gold": g}) + "\n")
