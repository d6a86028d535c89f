// Node tests of two runs side by side (DataMapWidget(compare=...)): the store keeps the compared
// run's history like the shown run's (newest epoch by trait, gaps asked for with run "compare"),
// the page state toggles the drawn map, keeps the other run's map for the moved view and the
// panel, and the moved view's geometry (moved.js).

import assert from "node:assert/strict";
import { test } from "node:test";
import { counterpartLine } from "../src/compare_panel.js";
import { controllerFor } from "../src/controller.js";
import { mapAtEpoch } from "../src/metrics.js";
import { arrowHead, arrowPoints, flowField } from "../src/moved.js";
import { DataStore } from "../src/store.js";
import { bytesTrait, epochsMessage, epochTrait, FakeModel, FakePart, fakeParts, settle } from "./fake_model.js";

const N = 4;
const MAIN = [
  [0.9, 0.2, 0.6, 0.4],
  [0.8, 0.4, 0.2, 0.5],
  [1.0, 0.3, 0.7, 0.6],
];
// the compared run lacks example 0 (NaN), as widget/_compare.py sends it
const OTHER = [
  [Number.NaN, 0.5, 0.9, 0.1],
  [Number.NaN, 0.7, 0.8, 0.2],
  [Number.NaN, 0.9, 0.9, 0.1],
];
const rowOf = (p) => ({ pGold: p, pred: [0, 0, 0, 0], correct: p.map((v) => (v > 0.5 ? 1 : 0)) });

function state(extra = {}) {
  return {
    n_examples: N,
    n_epochs: 3,
    renderer: "svg",
    label: "",
    _meta: { task: "binary", class_names: ["neg", "pos"], shown_label: "" },
    _gold: bytesTrait(Uint16Array, [0, 1, 1, 0]),
    _selected_index: [],
    _selection: {},
    _reviews: [],
    _epoch: epochTrait(3, rowOf(MAIN[2])),
    _compare_info: {
      names: ["after", "before"],
      matched: 3,
      only_here: 1,
      only_there: 2,
      only_there_ids: ["x1", "x2"],
      missing: { dtype: "int32", shape: [1], buffer: bytesTrait(Int32Array, [0]) },
    },
    _compare_epoch: epochTrait(2, rowOf(OTHER[1])),
    _compare_gold: bytesTrait(Uint16Array, [65535, 1, 0, 0]), // example 2 relabelled
    ...extra,
  };
}

const historyOf = (rows) => ({ n: N, rows: rows.map((r) => ({ ...rowOf(r), pGold: Float32Array.from(r) })) });

test("the store keeps the compared run's history and asks for its gaps with run 'compare'", () => {
  const model = new FakeModel(state());
  const store = new DataStore(model);
  assert.deepEqual(store.compareInfo.names, ["after", "before"]);
  assert.deepEqual(Array.from(store.compareInfo.missing), [0]);
  assert.equal(store.compareEpochs.complete, 0);
  assert.equal(store.compareEpochs.newest, 2);
  assert.deepEqual(model.sent, [
    { type: "request_epochs", label: "", first: 1, stop: 4 },
    { type: "request_epochs", label: "", first: 1, stop: 3, run: "compare" },
  ]);
  const seen = [];
  store.on("compare", () => seen.push(store.compareHistory.nEpochs));
  store.on("history", () => seen.push("main"));
  const answer = epochsMessage(1, "", [rowOf(OTHER[0])]);
  model.receive({ ...answer.content, run: "compare" }, answer.buffers);
  assert.deepEqual(seen, [2]);
  assert.ok(Number.isNaN(store.compareHistory.rows[0].pGold[0]));
  assert.equal(store.history.nEpochs, 0); // the shown run's own history is untouched
  model.update({ _compare_epoch: epochTrait(3, rowOf(OTHER[2])) }); // the other run logs on
  assert.equal(store.compareHistory.nEpochs, 3);
  assert.deepEqual(Array.from(store.compareGold), [65535, 1, 0, 0]);
  store.dispose();
  assert.equal(model.listenerCount(), 0);
});

test("without compare= nothing changes: no compared history, no requests for it", () => {
  const model = new FakeModel(state({ _compare_info: {}, _compare_epoch: {} }));
  const store = new DataStore(model);
  assert.equal(store.compareEpochs, null);
  assert.equal(store.compareInfo, null);
  assert.ok(model.sent.every((m) => m.run === undefined));
});

async function page(t) {
  const parts = { ...fakeParts(), traj_other: new FakePart() }; // widget/_figure.py adds it with compare=
  const model = new FakeModel(state({ _compare_epoch: epochTrait(3, rowOf(OTHER[2])) }), { parts });
  const ctrl = controllerFor(model);
  t.after(() => ctrl.dispose());
  await ctrl.ready;
  for (const run of ["", "compare"]) {
    const answer = epochsMessage(1, "", (run ? OTHER : MAIN).slice(0, 2).map(rowOf));
    model.receive(run ? { ...answer.content, run } : answer.content, answer.buffers);
  }
  await settle();
  const view = { transitions: [], updates: 0, animating: () => false, update() {} };
  view.beginTransition = (e, animate) => view.transitions.push([e, animate]);
  ctrl.views.add(view);
  return { model, ctrl, view };
}

test("the toggle draws the other run's map (animated), examples it lacks have no place there", async (t) => {
  const { ctrl, view } = await page(t);
  assert.equal(ctrl.shown, 3);
  const main = mapAtEpoch(historyOf(MAIN), 3);
  assert.deepEqual(Array.from(ctrl.positions.y), Array.from(main.y));
  ctrl.compare.setMode("other");
  assert.equal(ctrl.compare.active, "other");
  const other = mapAtEpoch(historyOf(OTHER), 3);
  for (const axis of ["x", "y", "color"]) assert.ok(Number.isNaN(ctrl.positions[axis][0]), axis);
  assert.deepEqual(Array.from(ctrl.positions.y).slice(1), Array.from(other.y).slice(1));
  assert.deepEqual(view.transitions.at(-1), [3, true]); // points glide from one map to the other
  assert.equal(ctrl.history, ctrl.store.compareHistory);
  const there = ctrl.compare.counterpart();
  assert.equal(there.name, "main");
  assert.deepEqual(Array.from(there.positions.y), Array.from(main.y));
  // the panel's line names the shown run's place, and the gold the other run has
  const line = counterpartLine(ctrl, 2);
  assert.equal(line.name, "after");
  assert.match(line.text, /^epoch 3: confidence 0\.500 · variability .* · gold in before: neg$/);
  ctrl.compare.setMode("main");
  assert.equal(counterpartLine(ctrl, 0).text, "not in before");
});

test("replay in the other run's view, and the moved view's shifts at the shown epoch", async (t) => {
  const { ctrl } = await page(t);
  ctrl.compare.setMode("other");
  ctrl.replay(1);
  assert.equal(ctrl.shown, 1);
  assert.ok(Math.abs(ctrl.positions.y[1] - Math.fround(0.5)) < 1e-6);
  ctrl.compare.setMode("moved"); // back to the shown run, at the same epoch
  assert.equal(ctrl.compare.active, "main");
  assert.equal(ctrl.shown, 1);
  const shifts = ctrl.compare.shifts();
  assert.equal(shifts.epoch, 1);
  assert.ok(Math.abs(shifts.from.y[2] - Math.fround(0.9)) < 1e-6);
  assert.ok(Math.abs(shifts.to.y[2] - Math.fround(0.6)) < 1e-6);
  ctrl.compare.setMode("main");
  assert.equal(ctrl.compare.shifts(), null);
  assert.throws(() => ctrl.compare.setMode("sideways"), /unknown map/);
});

test("the panel's chart gets both trajectories (the other run's where it has the example)", async (t) => {
  const { ctrl, model } = await page(t);
  ctrl.select(2);
  const other = model.parts.traj_other.sets.at(-1);
  assert.deepEqual(other.x, [1, 2, 3]);
  assert.deepEqual(
    other.y,
    OTHER.map((r) => Math.fround(r[2])),
  );
  assert.deepEqual(
    model.parts.traj_line.sets.at(-1).y,
    MAIN.map((r) => Math.fround(r[2])),
  );
  ctrl.select(0);
  assert.deepEqual(model.parts.traj_other.sets.at(-1).x, []);
});

test("flowField averages the shift per start cell; missing, hidden and outside points are left out", () => {
  const from = {
    x: Float32Array.from([0.05, 0.06, 0.3, Number.NaN, 0.05, 0.9]),
    y: Float32Array.from([0.1, 0.1, 0.9, 0.5, 0.1, 0.1]),
  };
  const to = {
    x: Float32Array.from([0.1, 0.2, 0.3, 0.1, 0.1, 0.1]),
    y: Float32Array.from([0.5, 0.7, 0.2, 0.5, 0.5, 0.5]),
  };
  const visible = Uint8Array.from([1, 1, 1, 1, 0, 1]);
  const f = flowField(from, to, { x: [0, 0.5], y: [0, 1] }, 5, 10, visible);
  const cell = 1 * 5 + 0; // row 1 (y 0.1), column 0 (x 0.05 / 0.06)
  assert.equal(f.count[cell], 2);
  assert.ok(Math.abs(f.tx[cell] - 0.15) < 1e-6 && Math.abs(f.ty[cell] - 0.6) < 1e-6);
  assert.ok(Math.abs(f.fx[cell] - 0.055) < 1e-6);
  assert.equal(
    f.count.reduce((a, b) => a + b, 0),
    3,
  ); // NaN, hidden and x=0.9 (outside) left out
  assert.equal(f.max, 2);
});

test("arrowPoints: only points in both runs, at most max, evenly spread; arrowHead points back", () => {
  const from = { x: Float32Array.from([0, Number.NaN, 0, 0, 0, 0]) };
  const to = { x: Float32Array.from([1, 1, 1, 1, 1, 1]) };
  assert.deepEqual(arrowPoints([0, 1, 2], from, to, 10), { picked: [0, 2], total: 2 });
  assert.deepEqual(arrowPoints([0, 2, 3, 4, 5], from, to, 2), { picked: [0, 3], total: 5 });
  const [lx, ly, rx, ry] = arrowHead(0, 0, 10, 0, 4);
  assert.ok(lx < 10 && rx < 10 && ly * ry < 0);
  assert.equal(arrowHead(0, 0, 1, 0, 4), null);
});
