"""The browser-side computations, run under Node on what the Python side sends a page.

The page computes the map for any epoch itself (so it works while the kernel is busy); these
tests check that it agrees with the engine's metrics and that picking finds the right point.
"""

from __future__ import annotations

import json
import pathlib
import subprocess

import numpy as np
import pytest

from datamap_widget import DataMapWidget

SRC = pathlib.Path(__file__).resolve().parents[1] / "js" / "src"

class RecordingComm:
    """Stands in for the kernel comm: records what the widget sends."""

    kernel = object()
    comm_id = "recording-comm"

    def __init__(self):
        self.messages = []

    def send(self, data=None, buffers=None, **_):
        self.messages.append((data, buffers or []))

    def close(self, *args, **kwargs):
        pass

    def on_msg(self, *args, **kwargs):
        pass

    def on_close(self, *args, **kwargs):
        pass


NODE_SCRIPT = """
import { readFileSync } from "node:fs";
import { EpochStore, historyView } from "%(src)s/history.js";
import { accumulate, emptySums, mapAtEpoch, mapFromSums, regionOf } from "%(src)s/metrics.js";
import { pickNearest } from "%(src)s/picking.js";
const dir = process.argv[1];
const state = JSON.parse(readFileSync(dir + "/state.json", "utf8"));
const bin = (name) => { const b = readFileSync(dir + "/" + name); return new DataView(b.buffer, b.byteOffset, b.byteLength); };
// The newest epoch as the synced trait brings it, the earlier ones as answers to a request.
const epoch = state._epoch;
for (const name of ["p_gold", "pred", "correct"]) epoch[name].buffer = bin(epoch[name].buffer);
const values = { ...state, _gold: bin("gold.bin"), _epoch: epoch };
const model = { get: (name) => values[name] };
const store = new EpochStore(epoch.label, state.n_examples);
store.put(epoch.epoch, epoch);
const gapBefore = store.missing();
for (const answer of state.answers) store.put(answer.content.first, answer.content, answer.buffers.map(bin));
const history = historyView(store, model);
const out = { nEpochs: history.nEpochs, gapBefore, gapAfter: store.missing(), gold: Array.from(history.gold), epochs: [] };
const running = emptySums(history.n);
for (let k = 1; k <= history.nEpochs; k++) {
  const m = mapAtEpoch(history, k);
  const incremental = mapFromSums(accumulate(running, history, k), history.n);
  out.epochs.push({
    x: Array.from(m.x), y: Array.from(m.y), color: Array.from(m.color),
    region: Array.from(m.x, (v, i) => regionOf(m.y[i], v, history.meta)),
    sameIncremental: m.x.every((v, i) => v === incremental.x[i]) && m.y.every((v, i) => v === incremental.y[i]),
  });
}
// picking: a transform of 1000 px per data unit, origin at (10, 20); y grows downwards.
const last = mapAtEpoch(history, history.nEpochs);
const transform = { toClient: (x, y) => ({ x: 10 + 1000 * x, y: 20 - 1000 * y }), pxPerX: 1000, pxPerY: -1000 };
out.picks = state.picks.map(([cx, cy]) => pickNearest(last, transform, cx, cy, 6));
console.log(JSON.stringify(out));
"""


def run_node(tmp_path, widget, picks):
    """Run the page's history/map/picking code on what the kernel sends a freshly loaded page."""
    state = widget.get_state()
    epoch = dict(state["_epoch"])
    for name in ("p_gold", "pred", "correct"):
        (tmp_path / f"newest_{name}.bin").write_bytes(bytes(epoch[name]["buffer"]))
        epoch[name] = {**epoch[name], "buffer": f"newest_{name}.bin"}
    (tmp_path / "gold.bin").write_bytes(widget._gold)
    comm = RecordingComm()
    widget.comm = comm
    widget._on_page_msg(widget, {"type": "request_epochs", "label": widget.label, "first": 1,
                                 "stop": widget.n_epochs}, [])
    answers = []
    for m, (data, buffers) in enumerate(comm.messages):
        names = []
        for b, buf in enumerate(buffers):
            names.append(f"answer{m}_{b}.bin")
            (tmp_path / names[-1]).write_bytes(bytes(buf))
        answers.append({"content": data["content"], "buffers": names})
    doc = {"_meta": widget._meta, "n_examples": widget.n_examples, "n_epochs": widget.n_epochs,
           "_epoch": epoch, "answers": answers, "picks": picks}
    (tmp_path / "state.json").write_text(json.dumps(doc))
    script = NODE_SCRIPT % {"src": SRC.as_posix()}
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
def test_page_metrics_match_engine_for_every_epoch(tmp_path, task):
    rng = np.random.default_rng(5)
    n = 300
    if task == "binary":
        w = DataMapWidget(labels=rng.integers(0, 2, n))
        outputs = [rng.random(n) for _ in range(6)]
    elif task == "multiclass":
        w = DataMapWidget(labels=rng.integers(0, 4, n), label_names=list("abcd"))
        outputs = [rng.dirichlet(np.ones(4), size=n) for _ in range(6)]
    else:
        w = DataMapWidget(labels=(rng.random((n, 3)) < 0.3).astype(int), label_names=["x", "y", "z"], label="y")
        outputs = [rng.random((n, 3)) for _ in range(6)]
    for out in outputs:
        w.log_epoch(out)
    result = run_node(tmp_path, w, picks=[])
    assert result["gapBefore"] == [1, 6]  # the page saw epoch 6 only, and asked for 1..5
    assert result["gapAfter"] is None
    assert result["nEpochs"] == 6
    assert result["gold"] == list(np.asarray(w.dynamics.gold(label=w.label or None)))
    for k, page in enumerate(result["epochs"], start=1):
        engine = w.dynamics.metrics(epochs=k, label=w.label or None)
        assert np.allclose(page["x"], engine["variability"], atol=1e-5)
        assert np.allclose(page["y"], engine["confidence"], atol=1e-5)
        assert np.allclose(page["color"], engine["correctness"], atol=1e-6)
        assert page["sameIncremental"]  # the running sums give the same map as a recount
        # regions may only differ where a value sits on a threshold within float32 rounding
        differs = np.asarray(page["region"]) != engine["region"].astype(str).to_numpy()
        near = (np.abs(engine["variability"] - 0.2) < 1e-5) | (np.abs(engine["confidence"] - 0.5) < 1e-5)
        assert not np.any(differs & ~near.to_numpy())


def test_picking_finds_the_nearest_point_within_radius(tmp_path):
    rng = np.random.default_rng(6)
    n = 400
    w = DataMapWidget(labels=rng.integers(0, 2, n))
    for _ in range(3):
        w.log_epoch(rng.random(n))
    m = w.dynamics.metrics()
    x = m["variability"].to_numpy(np.float32).astype(float)
    y = m["confidence"].to_numpy(np.float32).astype(float)
    targets = [7, 123, 399]
    picks = [[10 + 1000 * x[i] + 1.5, 20 - 1000 * y[i] - 1.0] for i in targets]
    picks.append([10 + 1000 * 0.49, 20 - 1000 * 0.99])  # empty corner: nothing within 6 px
    result = run_node(tmp_path, w, picks)

    def nearest(cx, cy):  # slow reference
        d = np.hypot(10 + 1000 * x - cx, 20 - 1000 * y - cy)
        i = int(np.argmin(d))
        return i if d[i] <= 6 else None

    assert result["picks"] == [nearest(cx, cy) for cx, cy in picks]
    assert result["picks"][-1] is None


GL_FIX_SCRIPT = """
import { applyGLTransitionFix } from "%(src)s/gl_transition_fix.js";
// A stand-in for bqplot-gl 0.1.1's figure extras and one mark whose tween needs 5 frames.
function makeFigure() {
  const queue = [];
  globalThis.requestAnimationFrame = (f) => queue.push(f);
  const mark = { transitions: [], drawn: [] };
  const extras = { webGLMarks: [mark], webGLUpdateRequested: false };
  extras.webGLRequestRender = () => {
    if (!extras.webGLUpdateRequested) { extras.webGLUpdateRequested = true; requestAnimationFrame(extras.webGLUpdate); }
  };
  extras.webGLUpdate = () => { extras.webGLRender(); extras.webGLUpdateRequested = false; }; // upstream order
  extras.webGLRender = () => {
    const t = mark.transitions[0];
    mark.drawn.push(t ? t.step / 4 : 1);
    if (t) { t.step += 1; if (t.step > 4) mark.transitions = []; else extras.webGLRequestRender(); }
  };
  const run = () => { let n = 0; while (queue.length && n++ < 100) queue.shift()(); };
  const start = () => { mark.transitions = [{ step: 0 }]; extras.webGLRequestRender(); run(); };
  return { extras, mark, start };
}
const broken = makeFigure(); broken.start();
const fixed = makeFigure();
let frames = 0;
const patched = applyGLTransitionFix({ extras: fixed.extras }, () => frames++);
fixed.start();
console.log(JSON.stringify({ broken: broken.mark.drawn, fixed: fixed.mark.drawn, frames, patched,
  noGL: applyGLTransitionFix({ extras: {} }, null) }));
"""


def test_gl_transition_fix_lets_every_frame_advance_the_tween():
    script = GL_FIX_SCRIPT % {"src": SRC.as_posix()}
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["broken"] == [0.0]  # the upstream order swallows the next-frame request: stuck at t=0
    assert result["fixed"] == [0.0, 0.25, 0.5, 0.75, 1.0]  # every frame advances; the last is the target
    assert result["frames"] == 5
    assert result["patched"] is True and result["noGL"] is False
