"""The compared run (``DataMapWidget(compare=...)``) as the page's store reads it, under Node, from
the state and binary frames exactly as ipywidgets sends them: its newest epoch, the answers to
the page's request for the epochs it lacks, the examples it lacks (NaN on the page), the counts
and names, and the other run's map the page computes from them."""

from __future__ import annotations

import json
import pathlib

import numpy as np
from _recording import RecordingComm
from _scripts import run_node_json
from ipywidgets.widgets.widget import _remove_buffers

from datamap_widget import DataMapWidget, TrainingDynamics

ROOT = pathlib.Path(__file__).resolve().parents[1]

NODE_SCRIPT = """
import { readFileSync } from "node:fs";
import { DataStore } from "%(src)s/store.js";
import { mapAtEpoch } from "%(src)s/metrics.js";
import { FakeModel } from "%(test)s/fake_model.js";
const doc = JSON.parse(readFileSync(0, "utf8"));
const bin = (hex) => {
  const b = Buffer.from(hex, "hex");
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
};
doc.bufferPaths.forEach((path, k) => {
  let at = doc.state;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = bin(doc.buffers[k]);
});
const model = new FakeModel(doc.state);
const store = new DataStore(model);
const requests = model.sent.slice();
const before = store.compareHistory.nEpochs;
for (const answer of doc.answers) model.receive(answer.content, answer.buffers.map(bin));
const info = store.compareInfo;
const h = store.compareHistory;
const map = mapAtEpoch(h, h.nEpochs);
const nan = (v) => (Number.isNaN(v) ? null : v);
console.log(JSON.stringify({
  requests, before, after: h.nEpochs, mainEpochs: store.history.nEpochs,
  info: { ...info, missing: Array.from(info.missing) },
  pGold: h.rows.map((r) => Array.from(r.pGold, nan)),
  confidence: Array.from(map.y, nan), variability: Array.from(map.x, nan),
  gold: Array.from(store.compareGold),
}));
"""


def run_page(widget):
    """The store on `widget`'s state; each request it sends is answered by the widget."""
    state, paths, buffers = _remove_buffers(widget.get_state())
    comm = RecordingComm()
    widget.comm = comm
    for run in (None, "compare"):
        request = {"type": "request_epochs", "label": "", "first": 1}
        if run:
            request["run"] = run
        widget._on_page_msg(widget, request, [])
    answers = [
        {"content": data["content"], "buffers": [bytes(b).hex() for b in frames]}
        for data, frames in comm.messages
    ]
    doc = {
        "state": state,
        "bufferPaths": paths,
        "buffers": [bytes(b).hex() for b in buffers],
        "answers": answers,
    }
    script = NODE_SCRIPT % {
        "src": (ROOT / "js" / "src").as_posix(),
        "test": (ROOT / "js" / "test").as_posix(),
    }
    return run_node_json(script, stdin=json.dumps(doc))


def test_the_page_reads_the_compared_run_as_python_sent_it():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, 60)
    main = TrainingDynamics(labels[:50], ids=[f"id{i}" for i in range(50)], label_names=list("abc"))
    other_ids = [f"id{i}" for i in range(10, 60)][::-1]  # another order, 10 missing, 10 new
    other = TrainingDynamics(labels[10:][::-1], ids=other_ids, label_names=list("abc"))
    for _ in range(4):
        main.log_epoch(rng.dirichlet(np.ones(3), 50))
        other.log_epoch(rng.dirichlet(np.ones(3), 50))
    w = DataMapWidget(dynamics=main, compare=other, compare_names=["after", "before"])
    page = run_page(w)
    assert page["requests"][1] == {
        "type": "request_epochs",
        "label": "",
        "first": 1,
        "stop": 5,  # up to the newest epoch, as for the shown run
        "run": "compare",
    }
    assert (page["before"], page["after"], page["mainEpochs"]) == (0, 4, 4)
    info = page["info"]
    assert info["names"] == ["after", "before"] and info["missing"] == list(range(10))
    assert (info["matched"], info["onlyHere"], info["onlyThere"]) == (40, 10, 10)
    frame = w.compare_metrics().loc[main.ids]
    p = np.array(page["pGold"], dtype=float)
    want = other.gold_probabilities()[:, [other_ids.index(i) for i in main.ids[10:]]]
    assert np.isnan(p[:, :10]).all() and np.allclose(p[:, 10:], want, atol=1e-7)
    confidence = np.array(page["confidence"], dtype=float)
    assert np.isnan(confidence[:10]).all()
    assert np.allclose(confidence[10:], frame.confidence_other[10:], atol=1e-6)
    assert np.allclose(page["variability"][10:], frame.variability_other[10:], atol=1e-6)
    gold_there = [int(other.gold()[other_ids.index(i)]) for i in main.ids[10:]]
    assert page["gold"] == [65535] * 10 + gold_there
