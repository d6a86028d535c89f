// Node tests of the kernel-less models of a saved HTML map (static_models.js, static_source.js):
// Backbone-like events, buffers put back in place, bqplot arrays, and the page state (store +
// controller) running on a saved widget exactly as on a live one, with the kernel's parts off.

import assert from "node:assert/strict";
import { test } from "node:test";
import { controllerFor } from "../src/controller.js";
import { bqArray, putBuffers, StaticManager, StaticModel } from "../src/static_models.js";
import { StaticSource } from "../src/static_source.js";

const bytes = (Type, values) => new Uint8Array(Type.from(values).buffer);

test("a static model fires change:<key> per changed key, then one change with the keys", () => {
  const m = new StaticModel("a", "ScatterModel", { x: 1, y: 2 });
  const seen = [];
  const onX = (model, value) => seen.push(["x", model === m, value]);
  const onAny = (_model, keys) => seen.push(["change", keys]);
  m.on("change:x  change:y", onX);
  m.on("change", onAny);
  m.set({ x: 5, y: 2 });
  m.set("y", 3);
  m.set("y", 3); // unchanged: no event
  assert.deepEqual(seen, [
    ["x", true, 5],
    ["change", ["x"]],
    ["x", true, 3], // the same handler was added for change:y too
    ["change", ["y"]],
  ]);
  m.off("change:x change:y", onX);
  m.off("change", onAny);
  m.set({ x: 0, y: 0 });
  assert.equal(seen.length, 4);
  assert.deepEqual([m.get("x"), m.get("y")], [0, 0]);
});

test("buffers go back to their paths; bqplot arrays decode to numbers, rows for 2-D", () => {
  const state = { _gold: null, x: { dtype: "float64", shape: [2, 2], value: null }, text: ["a", "b"] };
  putBuffers(state, [["_gold"], ["x", "value"]], [bytes(Uint16Array, [3, 1]), bytes(Float64Array, [0.25, 0.25, 0, 1])]);
  assert.ok(state._gold instanceof DataView);
  assert.deepEqual(Array.from(new Uint16Array(state._gold.buffer)), [3, 1]);
  assert.deepEqual(bqArray(state.x), [
    [0.25, 0.25],
    [0, 1],
  ]);
  const unaligned = new Uint8Array(9);
  unaligned.set(bytes(Float32Array, [0.5, 2]), 1);
  assert.deepEqual(bqArray({ dtype: "float32", shape: [2], value: new DataView(unaligned.buffer, 1, 8) }), [0.5, 2]);
  assert.deepEqual(bqArray({ dtype: "<U13", shape: [2], value: ["easy", "hard"] }), ["easy", "hard"]);
  assert.deepEqual(bqArray([1, 2]), [1, 2]); // what the page sets stays as it is
  assert.throws(() => bqArray({ dtype: "complex64", shape: [1], value: new DataView(new ArrayBuffer(8)) }), /dtype/);
});

const N = 4;
const P = [
  [0.9, 0.2, 0.6, 0.4],
  [0.7, 0.4, 0.2, 0.6],
  [1.0, 0.3, 0.7, 0.8],
];
const ROLES = ["map", "points", "highlight", "trajectory", "traj_x", "traj_x_axis", "traj_half", "traj_line"];

/** A saved widget as datamap_widget/_html_export.py writes it: epoch 3 in `_epoch`, 1..2 as an answer. */
function savedMap() {
  const blobs = [];
  const blob = (Type, values) => blobs.push(bytes(Type, values)) - 1;
  const parts = Object.fromEntries([...ROLES, "traj_right", "traj_wrong"].map((r) => [r, `IPY_MODEL_${r}`]));
  const models = {};
  for (const role of Object.keys(parts)) {
    models[role] = { model_name: "Part", state: role === "map" ? { animation_duration: 500 } : {}, buffers: [] };
  }
  const arr = (dtype, shape) => ({ dtype, shape, buffer: null });
  const newest = P[2];
  models.w = {
    model_name: "AnyModel",
    state: {
      _parts: parts,
      renderer: "gl",
      n_examples: N,
      n_epochs: 3,
      label: "",
      _meta: { task: "binary", class_names: ["neg", "pos"], shown_label: "" },
      _epoch: {
        epoch: 3,
        label: "",
        p_gold: arr("float32", [1, N]),
        pred: arr("uint8", [1, N]),
        correct: arr("uint8", [1, N]),
      },
      _selected_index: [],
      _selection: {},
      _reviews: [],
    },
    buffers: [
      { path: ["_epoch", "p_gold", "buffer"], blob: blob(Float32Array, newest) },
      { path: ["_epoch", "pred", "buffer"], blob: blob(Uint8Array, [1, 0, 1, 0]) },
      {
        path: ["_epoch", "correct", "buffer"],
        blob: blob(
          Uint8Array,
          newest.map((p) => +(p > 0.5)),
        ),
      },
      { path: ["_gold"], blob: blob(Uint16Array, [1, 1, 1, 1]) },
    ],
  };
  const first = P.slice(0, 2);
  const messages = [
    {
      content: {
        type: "epochs",
        label: "",
        first: 1,
        p_gold: { dtype: "float32", shape: [2, N], buffer: 0 },
        pred: { dtype: "uint8", shape: [2, N], buffer: 1 },
        correct: { dtype: "uint8", shape: [2, N], buffer: 2 },
      },
      buffers: [
        blob(Float32Array, first.flat()),
        blob(Uint8Array, new Array(2 * N).fill(1)),
        blob(
          Uint8Array,
          first.flat().map((p) => +(p > 0.5)),
        ),
      ],
    },
  ];
  return { models, messages, blobs };
}

test("a saved map: the store and the page state read it as a live page, with no kernel", async (t) => {
  const { models, messages, blobs } = savedMap();
  const views = [];
  const manager = new StaticManager(models, blobs, (model) => views.push(model.model_id));
  await assert.rejects(manager.get_model("nope"), /the saved file has no model nope/);
  const source = new StaticSource(manager.model("w"), manager);
  const ctrl = controllerFor(source);
  t.after(() => ctrl.dispose());
  source.deliver(messages, blobs);
  await ctrl.ready;
  const { store } = ctrl;
  assert.equal(store.connected, false);
  assert.equal(store.epochs.complete, 3);
  assert.equal(ctrl.shown, 3);
  const mean = (i) => P.reduce((a, row) => a + Math.fround(row[i]), 0) / 3;
  for (let i = 0; i < N; i++) assert.ok(Math.abs(ctrl.positions.y[i] - mean(i)) < 1e-6, `confidence ${i}`);
  assert.deepEqual(Array.from(ctrl.positions.color), [1, 0, 2 / 3, 2 / 3].map(Math.fround));
  ctrl.replay(1);
  assert.deepEqual(Array.from(ctrl.positions.y), P[0].map(Math.fround));

  ctrl.select(2); // picking works in the page; the ring and the trajectory follow
  assert.equal(ctrl.selected, 2);
  assert.deepEqual(manager.model("highlight").get("x"), [ctrl.positions.x[2]]);
  assert.deepEqual(manager.model("traj_line").get("y"), [Math.fround(P[0][2])]);
  ctrl.setSelection([3, 1]);
  assert.deepEqual(Array.from(ctrl.selection), [1, 3]);
  assert.equal(ctrl.review.decide("wrong"), null); // decisions need the kernel: none made
  assert.deepEqual(Array.from(ctrl.review.codes), [0, 0, 0, 0]);
  assert.equal(ctrl.review.outbox.pending.size, 0);
  assert.equal(ctrl.selected, 2); // and the queue did not move on
  await manager.create_view(manager.model("trajectory"));
  assert.deepEqual(views, ["trajectory"]);
});
