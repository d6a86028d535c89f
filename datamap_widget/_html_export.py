"""A widget's map as one self-contained HTML file: it opens from disk with no kernel and no network.

The file runs the widget's own page (``static/standalone.js``, built from ``js/src`` with the
entry ``standalone.js``) on the data a live page receives, in the same wire format: the widget's
and its bqplot models' ipywidgets state (``ipywidgets.embed.dependency_state``), whose ``_epoch``
holds the newest epoch, and the shown label's earlier epochs as the kernel's own "epochs"
answers (``_sync.history_messages``). Binary buffers are deflated and base64-encoded, each in its
own non-executed ``<script>`` element; the rest is JSON with ``<``, ``>`` and ``&`` escaped, so no
text or name can close an element or become markup. A Content-Security-Policy allows only the
one inlined script (by hash) and no connection at all.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import json
import os
import pathlib
import zlib

from ipywidgets.embed import dependency_state

from datamap_widget._sync import history_messages

_STATIC = pathlib.Path(__file__).parent / "static"
FORMAT = "datamap-widget-html"
FORMAT_VERSION = 1
COMPRESS_LEVEL = 6
"""zlib level of the binary buffers (go_emotions texts shrink ~2.3x, a real run's history ~1.4x)."""
_DROPPED_TRAITS = ("_esm", "_css")  # the page's code and style are inlined once, not as data
_JSON_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def script_json(value) -> str:
    """JSON that is safe as the text of a ``<script>`` element (nothing in it can end one)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES)


class _Blobs:
    """The file's binary buffers, in order. ``add`` only copies (cheap, under the widget's lock);
    ``encode`` deflates each (unless that does not make it smaller) and base64-encodes it."""

    def __init__(self):
        self.raw: list[bytes] = []

    def add(self, data) -> int:
        self.raw.append(bytes(data))
        return len(self.raw) - 1

    def encode(self) -> tuple[list[dict], list[str]]:
        meta, encoded = [], []
        for raw in self.raw:
            packed = zlib.compress(raw, COMPRESS_LEVEL)
            deflated = len(packed) < len(raw)
            meta.append({"bytes": len(raw), "compression": "deflate" if deflated else "none"})
            encoded.append(base64.b64encode(packed if deflated else raw).decode("ascii"))
        return meta, encoded


def _models(widget, blobs: _Blobs) -> dict:
    """The widget's and its child models' state, with buffers moved to `blobs`."""
    models = {}
    for model_id, entry in dependency_state(widget, drop_defaults=False).items():
        state = dict(entry["state"])
        buffers = entry.get("buffers", [])
        if model_id == widget.model_id:
            for name in _DROPPED_TRAITS:
                state.pop(name, None)
            # the page's own raster layer draws the points (no bqplot-gl without a widget manager)
            state["renderer"] = "gl"
        models[model_id] = {
            "model_name": entry["model_name"],
            "model_module": entry["model_module"],
            "state": state,
            "buffers": [
                {"path": b["path"], "blob": blobs.add(base64.b64decode(b["data"]))} for b in buffers
            ],
        }
    return models


def snapshot(widget) -> tuple[dict, list[str]]:
    """(manifest, base64 buffers) of what the saved page shows: the shown label's whole history."""
    blobs = _Blobs()
    with widget._lock:  # the state and the history of one moment, even while training logs
        n_epochs = int(widget.n_epochs)
        if n_epochs == 0:
            raise ValueError(
                "nothing to save yet: the widget has no logged epoch; call log_epoch (or "
                "log_batch + end_epoch) at least once, then save_html"
            )
        shown = widget.label
        td = widget.dynamics
        models = _models(widget, blobs)
        # epochs 1..E-1 as the kernel answers a page's request; epoch E is in the `_epoch` state
        answers = history_messages(
            td, widget._engine_label(shown), shown, 1, n_epochs, widget._pred_dtype
        )
        messages = [
            {"content": content, "buffers": [blobs.add(b) for b in buffers]}
            for content, buffers in answers
        ]
    # deflating takes seconds at 550k examples: outside the lock, so logging never waits on it
    blob_meta, encoded = blobs.encode()
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "widget": widget.model_id,
        "models": models,
        "messages": messages,
        "blobs": blob_meta,
        "n_examples": int(td.n_examples),
        "n_epochs": n_epochs,
        "label": shown,
    }
    return manifest, encoded


def _banner(manifest: dict, title: str) -> str:
    shown = f", label “{manifest['label']}”" if manifest["label"] else ""
    saved = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<strong>{html.escape(title)}</strong> · {manifest['n_examples']:,} examples · "
        f"{manifest['n_epochs']} epochs{html.escape(shown)} · saved {saved}. "
        "A saved copy without a kernel: replay, hover, click, search, colour and select work; "
        "review decisions and switching labels are off (they need the notebook)."
    )


def html_document(widget, *, title: str | None = None) -> str:
    """The text of the self-contained HTML file (see :func:`save_html`)."""
    manifest, encoded = snapshot(widget)
    title = "Data map" if title is None else str(title)
    script = (_STATIC / "standalone.js").read_text(encoding="utf-8")
    lowered = script.lower()
    if "</script" in lowered or "<!--" in lowered:  # would end or confuse the inline element
        raise RuntimeError("static/standalone.js contains '</script' or '<!--'; rebuild js/")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'"
    css = (_STATIC / "widget.css").read_text(encoding="utf-8")
    blobs = "".join(
        f'<script type="application/octet-stream" data-dmw-blob="{k}">{text}</script>\n'
        for k, text in enumerate(encoded)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{css}\n{_PAGE_CSS}</style>\n</head>\n<body>\n"
        f'<p class="dmw-standalone-note">{_banner(manifest, title)}</p>\n'
        '<div id="dmw-root">Loading the map…</div>\n'
        f'<script type="application/json" id="dmw-manifest">{script_json(manifest)}</script>\n'
        f"{blobs}<script>{script}</script>\n</body>\n</html>\n"
    )


_PAGE_CSS = """body { margin: 16px; font-family: sans-serif; color: #222; }
.dmw-standalone-note { font-size: 13px; color: #444; background: #f4f6f8; border: 1px solid #dde3e8;
  border-radius: 4px; padding: 6px 10px; max-width: 1040px; }
.dmw-standalone-error { color: #a00; white-space: pre-wrap; }
"""


def save_html(widget, path, *, title: str | None = None) -> pathlib.Path:
    """Write :func:`html_document` to `path` (replaced whole: no half-written file is left)."""
    target = pathlib.Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save the map to {str(target)!r}: the folder {str(target.parent)!r} does "
            "not exist; create it first or choose another path"
        )
    text = html_document(widget, title=title)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target.resolve()
