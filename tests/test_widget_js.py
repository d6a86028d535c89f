"""The browser-side computations, run under Node on what the Python side sends a page.

The page computes the map for any epoch itself (so it works while the kernel is busy); these
tests check that it agrees with the engine's metrics and that picking finds the right point.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from _recording import RecordingComm
from _scripts import run_node_json

from datamap_widget import DataMapWidget

SRC = pathlib.Path(__file__).resolve().parents[1] / "js" / "src"


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
    epoch.pop("score", None)  # the label-issue score (review queue) is not part of the map
    for name in ("p_gold", "pred", "correct"):
        (tmp_path / f"newest_{name}.bin").write_bytes(bytes(epoch[name]["buffer"]))
        epoch[name] = {**epoch[name], "buffer": f"newest_{name}.bin"}
    (tmp_path / "gold.bin").write_bytes(widget._gold)
    comm = RecordingComm()
    widget.comm = comm
    widget._on_page_msg(
        widget,
        {"type": "request_epochs", "label": widget.label, "first": 1, "stop": widget.n_epochs},
        [],
    )
    answers = []
    for m, (data, buffers) in enumerate(comm.messages):
        names = []
        for b, buf in enumerate(buffers):
            names.append(f"answer{m}_{b}.bin")
            (tmp_path / names[-1]).write_bytes(bytes(buf))
        answers.append({"content": data["content"], "buffers": names})
    doc = {
        "_meta": widget._meta,
        "n_examples": widget.n_examples,
        "n_epochs": widget.n_epochs,
        "_epoch": epoch,
        "answers": answers,
        "picks": picks,
    }
    (tmp_path / "state.json").write_text(json.dumps(doc))
    script = NODE_SCRIPT % {"src": SRC.as_posix()}
    return run_node_json(script, str(tmp_path))


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
        w = DataMapWidget(
            labels=(rng.random((n, 3)) < 0.3).astype(int), label_names=["x", "y", "z"], label="y"
        )
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
        near = (np.abs(engine["variability"] - 0.2) < 1e-5) | (
            np.abs(engine["confidence"] - 0.5) < 1e-5
        )
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


RASTER_SCRIPT = """
import { colorTable, discOffsets, rasterize } from "%(src)s/raster.js";
const table = colorTable(["#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4"]);
const rgba = (v) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
const W = 40, H = 30;
const pixels = new Uint32Array(W * H);
// data x in [0, 0.5] -> 0..40 px, y in [0, 1] -> 30..0 px (y grows downwards)
const map = { x0: 0, ax: 80, y0: 30, ay: -30 };
const x = Float32Array.from([0.25, 0.25, 0.9, 0.0]);
const y = Float32Array.from([0.5, 0.5, 0.5, 0.0]);
const color = Float32Array.from([0.0, 1.0, 0.5, 0.5]);
const disc = discOffsets(12);
rasterize(pixels, W, H, x, y, color, map, table, disc);
const at = (px, py) => rgba(pixels[py * W + px]);
console.log(JSON.stringify({
  low: rgba(table[0]), mid: rgba(table[128]), high: rgba(table[255]),
  centre: at(20, 15), corner: at(0, 29), empty: at(35, 5), discSize: disc.length / 2,
  drawn: pixels.reduce((a, v) => a + (v !== 0), 0),
}));
"""


def test_raster_layer_draws_points_where_the_scales_put_them():
    """The big-map raster layer: colours of the correctness scale, later points on top, clipping."""
    script = RASTER_SCRIPT % {"src": SRC.as_posix()}
    r = run_node_json(script)
    assert r["low"] == [0xD7, 0x30, 0x27, 255] and r["high"] == [0x45, 0x75, 0xB4, 255]
    assert r["mid"][:3] == pytest.approx([0xFE, 0xE0, 0x90], abs=3)  # the middle colour at 0.5
    assert r["centre"] == r["high"]  # two points on the same pixel: the later one (blue) is on top
    assert r["corner"][:3] == pytest.approx(
        r["mid"][:3], abs=3
    )  # the origin: a clipped disc (y = 30 is off)
    assert r["empty"] == [
        0,
        0,
        0,
        0,
    ]  # x = 0.9 lies outside the plot: nothing drawn, no wrap-around
    assert 9 <= r["discSize"] <= 21  # a 12 px^2 marker: a disc of radius ~2 px
    assert r["drawn"] == r["discSize"] + sum(
        1
        for dx in range(-3, 4)
        for dy in range(-3, 4)
        if dx >= 0 and dy < 0 and dx * dx + dy * dy <= 12 / np.pi + 0.25
    )


STORE_SCRIPT = """
import { EpochStore } from "%(src)s/history.js";
const epoch = (e, n) => ({
  p_gold: { dtype: "float32", shape: [1, n], buffer: new DataView(Float32Array.from({ length: n }, () => e / 10).buffer) },
  pred: { dtype: "uint8", shape: [1, n], buffer: new DataView(new Uint8Array(n).buffer) },
  correct: { dtype: "uint8", shape: [1, n], buffer: new DataView(new Uint8Array(n).fill(1).buffer) },
});
const s = new EpochStore("", 3);
const out = [];
s.put(5, epoch(5, 3)); out.push([s.complete, s.missing()]);
s.put(1, epoch(1, 3)); out.push([s.complete, s.missing()]);
s.put(2, epoch(2, 3)); s.put(3, epoch(3, 3)); out.push([s.complete, s.missing()]);
s.put(4, epoch(4, 3)); out.push([s.complete, s.missing()]);
let error = null;
try { s.put(6, epoch(6, 4)); } catch (e) { error = String(e.message); }
try { s.put(6, { ...epoch(6, 3), p_gold: { dtype: "float64", shape: [1, 3], buffer: new DataView(new ArrayBuffer(24)) } }); }
catch (e) { error += " | " + String(e.message); }
console.log(JSON.stringify({ out, error, p3: Array.from(s.rows[2].pGold), complete: s.complete }));
"""


def test_epoch_store_tracks_gaps_and_rejects_malformed_epochs():
    """The page's history: epochs may arrive out of order (newest first after a reload)."""
    script = STORE_SCRIPT % {"src": SRC.as_posix()}
    r = run_node_json(script)
    assert r["out"] == [[0, [1, 5]], [1, [2, 5]], [3, [4, 5]], [5, None]]
    assert r["p3"] == pytest.approx([0.3] * 3)
    assert r["complete"] == 5  # the malformed epochs 6 were not stored
    assert (
        "has 4 values for 3 examples" in r["error"]
        and "unsupported array dtype float64" in r["error"]
    )
