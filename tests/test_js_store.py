"""The page's decoding store (js/src/store.js + wire.js), run under Node on what the kernel
really sends: the widget's state split into JSON and binary buffers as ipywidgets sends it, and
the answers to the page's history request. What the page writes back (current point, selection,
decisions) is read by the Python side. Also: no other page module touches the widget model."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess

import numpy as np
import pytest
from _recording import RecordingComm
from ipywidgets.widgets.widget import _remove_buffers

from datamap_widget import DataMapWidget
from datamap_widget._sync import read_array

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "js" / "src"

NODE_SCRIPT = """
import { readFileSync } from "node:fs";
import { DataStore } from "%(src)s/store.js";
import { decisionMessage } from "%(src)s/review_queue.js";
import { FakeModel } from "%(test)s/fake_model.js";
const doc = JSON.parse(readFileSync(0, "utf8")); // stdin
const bin = (hex) => {
  const b = Buffer.from(hex, "hex"); // pooled memory: offsets need not be aligned, as on a real page
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
};
// ipywidgets' put_buffers: each binary frame goes back where _remove_buffers took it from
const state = doc.state;
doc.bufferPaths.forEach((path, k) => {
  let at = state;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = bin(doc.buffers[k]);
});
const model = new FakeModel(state);
const store = new DataStore(model);
const n = store.n;
const all = (f) => Array.from({ length: n }, (_, i) => f(i));
const out = {
  n, renderer: store.renderer, meta: store.meta, label: store.label,
  gold: Array.from(store.history.gold), goldSets: Array.from(store.goldSets),
  texts: store.hasTexts ? all((i) => store.textAt(i)) : null,
  snippets: store.hasTexts ? all((i) => store.textAt(i, 8)) : null,
  ids: all((i) => store.idAt(i)),
  images: store.hasImages ? all((i) => Array.from(store.imageAt(i).pixels)) : null,
  imageShape: store.hasImages ? [store.imageAt(0).height, store.imageAt(0).width] : null,
  scores: store.scores ? Array.from(store.scores) : null,
  loggedEpochs: store.loggedEpochs, completeBefore: store.history.nEpochs,
  requests: model.sent.slice(),
};
for (const answer of doc.answers) model.receive(answer.content, answer.buffers.map(bin));
out.completeAfter = store.history.nEpochs;
out.pGold = store.history.rows.map((r) => Array.from(r.pGold));
out.pred = store.history.rows.map((r) => Array.from(r.pred));
out.correct = store.history.rows.map((r) => Array.from(r.correct));
// what the page writes back
model.sent.length = 0;
store.select(doc.select);
store.setSelection(Int32Array.from(doc.selection));
const decisions = doc.decisions.map(([index, verdict, newLabel], k) =>
  decisionMessage({ index, verdict, newLabel, label: null, now: 1700000000000 + k }));
store.sendDecisions(decisions);
const sel = model.state._selection;
out.written = {
  selectedIndex: model.state._selected_index,
  selection: { dtype: sel.dtype, shape: sel.shape,
               bytes: Array.from(new Uint8Array(sel.buffer.buffer, sel.buffer.byteOffset, sel.buffer.byteLength)) },
  messages: model.sent,
};
store.dispose();
out.listenersLeft = model.listenerCount();
console.log(JSON.stringify(out));
"""


def page_store(widget, *, select, selection, decisions):
    """Run the page's store on `widget`'s state as the comm carries it; returns what it read."""
    state, buffer_paths, buffers = _remove_buffers(widget.get_state())
    comm = RecordingComm()
    widget.comm = comm
    request = {"type": "request_epochs", "label": widget.label, "first": 1}
    request["stop"] = widget.n_epochs + 1
    widget._on_page_msg(widget, request, [])
    answers = [
        {"content": data["content"], "buffers": [bytes(b).hex() for b in frames]}
        for data, frames in comm.messages
    ]
    doc = {
        "state": state,
        "bufferPaths": buffer_paths,
        "buffers": [bytes(b).hex() for b in buffers],
        "answers": answers,
        "select": select,
        "selection": selection,
        "decisions": decisions,
    }
    script = NODE_SCRIPT % {"src": SRC.as_posix(), "test": (ROOT / "js" / "test").as_posix()}
    page = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert page.returncode == 0, page.stderr
    result = json.loads(page.stdout)
    # the page asked for exactly what the kernel answered above
    assert result["requests"] == [request]
    return result


def apply_page_writes(widget, written):
    """Hand the page's writes to the widget as the comm would (binary frames as memoryviews)."""
    sel = written["selection"]
    widget.set_state(
        {
            "_selected_index": written["selectedIndex"],
            "_selection": {**sel, "buffer": memoryview(bytes(sel.pop("bytes")))},
        }
    )
    for message in written["messages"]:
        widget._on_page_msg(widget, message, [])


def test_store_reads_texts_ids_gold_history_and_scores_as_python_sent_them():
    rng = np.random.default_rng(11)
    n = 40
    texts = [f"text {i} é☕ {'x' * (i % 7)}" for i in range(n)]
    texts[3] = "😂 [NAME] <b>not markup</b>"
    ids = [f"id-{i:03d}" for i in range(n)]
    w = DataMapWidget(
        texts=texts, labels=rng.integers(0, 3, n), ids=ids, label_names=["neg", "neu", "pos"]
    )
    for _ in range(4):
        w.log_epoch(rng.dirichlet(np.ones(3), size=n))
    r = page_store(
        w,
        select=5,
        selection=[9, 2, 2, 38],
        decisions=[[2, "wrong", 1], [9, "remove", None]],
    )
    td = w.dynamics
    assert r["n"] == n and r["renderer"] == w.renderer and r["meta"] == w._meta
    assert r["texts"] == texts and r["ids"] == ids
    assert r["snippets"] == [t.encode()[:8].decode("utf-8", errors="replace") for t in texts]
    assert r["gold"] == td.gold().tolist()
    assert r["images"] is None and r["goldSets"] == []
    assert r["loggedEpochs"] == 4 and r["completeBefore"] == 0 and r["completeAfter"] == 4
    assert np.allclose(r["pGold"], td.gold_probabilities(), atol=1e-7)
    assert r["pred"] == td.predictions().tolist()
    assert r["correct"] == td.correct().astype(int).tolist()
    sent_score = read_array(w.get_state()["_epoch"]["score"])[0]
    assert np.array_equal(np.float32(r["scores"]), sent_score)
    # back to Python: the current point, the selection (dataset order, unique) and decisions
    apply_page_writes(w, r["written"])
    assert w._selected_index == [5]
    assert w.selected == [ids[2], ids[9], ids[38]]
    reviews = w.reviews
    assert reviews.index.tolist() == [ids[2], ids[9]]
    assert reviews.verdict.tolist() == ["wrong", "remove"]
    assert reviews.new_label.iloc[0] == "neu"
    assert r["listenersLeft"] == 0


def test_store_reads_multilabel_gold_sets_and_images():
    rng = np.random.default_rng(12)
    n = 24
    labels = (rng.random((n, 3)) < 0.4).astype(int)
    images = rng.integers(0, 256, (n, 5, 4), dtype=np.uint8)
    w = DataMapWidget(images=images, labels=labels, label_names=["a", "b", "c"], label="b")
    for _ in range(3):
        w.log_epoch(rng.random((n, 3)))
    r = page_store(w, select=0, selection=[], decisions=[])
    assert r["label"] == "b" and r["meta"]["shown_label"] == "b"
    assert r["goldSets"] == labels.reshape(-1).tolist()
    assert r["gold"] == w.dynamics.gold(label="b").tolist()
    assert r["imageShape"] == [5, 4]
    assert r["images"] == images.reshape(n, -1).tolist()
    assert r["texts"] is None and r["ids"] == [None] * n
    assert np.allclose(r["pGold"], w.dynamics.gold_probabilities(label="b"), atol=1e-7)
    apply_page_writes(w, r["written"])
    assert w.selected == []


# The store's boundary: only these modules may read the widget model's traits or write to it.
STORE_MODULES = {"store.js", "wire.js"}
# ...and only these decode raw bytes (the store and the pure decoders it uses).
DECODERS = {"buffers.js", "codecs.js", "history.js", "selection_sync.js"}
# A saved HTML map's kernel-less stand-ins may use exactly these: static_source.js *is* the widget
# model there (it provides `widget_manager`), static_figure.js draws bqplot models (an Axis has a
# "label" of its own). The page still reads the widget's data through the store only.
STAND_INS = {"static_source.js": {"widget_manager"}, "static_figure.js": {'.get("label"'}}


def synced_trait_names() -> set[str]:
    """Our own synced traits (the anywidget / ipywidgets plumbing traits left out)."""
    names = set(DataMapWidget.class_own_traits(sync=True))
    return {n for n in names if n not in {"_esm", "_css", "_anywidget_id"}}


def strip_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    return re.sub(r"(?m)(^|[^:\"'`])//.*$", r"\1", source)


def model_access(source: str, traits: set[str]) -> list[str]:
    """What in `source` (a JS module) reads or writes the widget model's data traits itself."""
    code = strip_comments(source)
    names = "|".join(sorted(map(re.escape, traits), key=len, reverse=True))
    found = []
    found += re.findall(rf"\.(?:get|set)\(\s*[\"'`](?:{names})[\"'`]", code)  # a trait read / set
    found += re.findall(rf"[\"'`]change:(?:{names})\b", code)  # a trait listened to
    found += re.findall(r"(?<![.\w])model\s*\.\s*\w+", code)  # the anywidget model used
    found += re.findall(r"\b(?:save_changes|widget_manager)\b", code)
    found += re.findall(r"\.send\s*\(", code)
    found += re.findall(r"\bbytesOf\b|from \"\./(?:buffers|codecs)\.js\"", code)
    return found


def test_boundary_scan_flags_direct_model_access():
    """The scan itself: each way a module could bypass the store is caught."""
    traits = synced_trait_names()
    bad = [
        'const meta = model.get("_meta") || {};',
        'x.on("change:_epoch", f);',
        "ctx.model.send({ type: 'decisions' });",
        "const raw = bytesOf(value);",
        "const wanted = m.get('label');",
        'import { decodeArray } from "./codecs.js";',
        "m.save_changes();",
    ]
    for line in bad:
        assert model_access(line, traits), line
    fine = [
        'scale.model.get("min")',  # a bqplot model, not ours
        "// model.get('_meta') in a comment",
        "parts.points.set({ x, y })",
        "const label = store.meta.shown_label;",
    ]
    for line in fine:
        assert model_access(line, traits) == [], line


def test_only_the_store_touches_the_widget_model():
    traits = synced_trait_names()
    assert {"_epoch", "_meta", "_gold", "_texts", "_reviews", "_selection"} <= traits
    modules = sorted(SRC.glob("*.js"))
    assert len(modules) > 20
    offenders = {}
    for path in modules:
        if path.name in STORE_MODULES | DECODERS:
            continue
        found = model_access(path.read_text(encoding="utf-8"), traits)
        found = [f for f in found if f not in STAND_INS.get(path.name, set())]
        if found:
            offenders[path.name] = found
    assert offenders == {}, (
        f"{len(offenders)} module(s) read or write the widget model themselves: {offenders}; "
        "read and write through js/src/store.js (trait names and decoding in wire.js)"
    )


def test_every_trait_the_page_reads_is_named_in_wire_js_only():
    traits = synced_trait_names()
    wire = strip_comments((SRC / "wire.js").read_text(encoding="utf-8"))
    named = set(re.findall(r"[\"'`]([a-z_]+)[\"'`]", wire)) & traits
    # traits the page never reads (Python-side plumbing of the widget itself)
    unused = traits - named
    assert unused <= {"layout", "tabbable", "tooltip", "_dom_classes"}, unused
    store = strip_comments((SRC / "store.js").read_text(encoding="utf-8"))
    assert set(re.findall(r"[\"'`]([a-z_]+)[\"'`]", store)) & traits == set()


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_decoders_are_used_by_the_store_only(decoder):
    users = [
        p.name for p in SRC.glob("*.js") if f'from "./{decoder}"' in p.read_text(encoding="utf-8")
    ]
    assert set(users) <= STORE_MODULES | DECODERS, users
