"""Where the go_emotions tests read the data: a local copy, the Hugging Face hub, or nowhere (skip).

A fresh clone must give a green run: with ``DATAMAP_GO_EMOTIONS_DIR`` set the tests read that
copy (CI sets it, see ``.ci/run``; ``scripts/test.sh`` sets it when ``../shared/data/go_emotions``
lies beside the repo); otherwise they use the hub when it answers within a few seconds, and skip
with a message naming the variable when it does not. A variable pointing at no copy is a
configuration error and fails instead of skipping.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
from pathlib import Path

import pytest

GO_EMOTIONS_ENV = "DATAMAP_GO_EMOTIONS_DIR"
HUB_HOST = "huggingface.co"
HUB_TIMEOUT_S = 3.0


@functools.cache
def hub_reachable() -> bool:
    """True when the hub accepts a TCP connection within HUB_TIMEOUT_S (DNS included)."""
    for flag in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        if os.environ.get(flag, "").strip().lower() in ("1", "true", "yes", "on"):
            return False
    result = []

    def probe():
        try:
            socket.create_connection((HUB_HOST, 443), timeout=HUB_TIMEOUT_S).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)  # getaddrinfo has no timeout of its own
    thread.start()
    thread.join(HUB_TIMEOUT_S)
    return bool(result and result[0])


def go_emotions_dir() -> Path | None:
    """The local copy to read, or None to read the hub; skips when neither is available."""
    value = os.environ.get(GO_EMOTIONS_ENV)
    if value:
        folder = Path(value)
        if not (folder / "train.tsv").is_file():
            pytest.fail(
                f"{GO_EMOTIONS_ENV}={value} but that folder holds no train.tsv; point it "
                "at a go_emotions copy (train.tsv, dev.tsv, test.tsv, labels.txt)"
            )
        return folder.resolve()
    if hub_reachable():
        return None
    pytest.skip(
        f"go_emotions is not available: {GO_EMOTIONS_ENV} is not set and the Hugging "
        f"Face hub ({HUB_HOST}) is unreachable. Set {GO_EMOTIONS_ENV}=path/to/go_emotions "
        "(a folder with train.tsv, dev.tsv, test.tsv, labels.txt) to run this test"
    )
