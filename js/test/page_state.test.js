// Node tests of the page state behind every view (controller.js with playback.js,
// selection_state.js, review_state.js and marks.js), driven through a fake widget model and fake
// bqplot models: what the map shows, coalescing epochs while it animates, replay, picking and
// reviewing, and what reaches the kernel.

import assert from "node:assert/strict";
import { test } from "node:test";
import { controllerFor } from "../src/controller.js";
import { bytesTrait, epochsMessage, epochTrait, FakeModel, settle } from "./fake_model.js";

const N = 6;
const P = [
  [0.9, 0.2, 0.6, 0.4, 0.1, 0.7],
  [0.8, 0.4, 0.2, 0.5, 0.3, 0.9],
  [1.0, 0.3, 0.7, 0.6, 0.2, 0.8],
  [0.7, 0.9, 0.1, 0.5, 0.6, 0.6],
  [0.9, 0.1, 0.5, 0.3, 0.4, 1.0],
  [0.6, 0.5, 0.3, 0.2, 0.8, 0.9],
];
const B = P.map((row) => row.map((v) => 1 - v)); // label "b" of the multilabel test
const correctOf = (p) => p.map((v) => (v > 0.5 ? 1 : 0));
const rowOf = (p) => ({ pGold: p, pred: new Array(N).fill(0), correct: correctOf(p) });
const epoch = (e, label = "") => epochTrait(e, { ...rowOf((label === "b" ? B : P)[e - 1]), label });

/** The data map after epochs 1..k, computed here from its definition (float32 inputs). */
function expectedMap(k, rows = P) {
  const x = [];
  const y = [];
  const color = [];
  for (let i = 0; i < N; i++) {
    const ps = rows.slice(0, k).map((row) => Math.fround(row[i]));
    const mean = ps.reduce((a, b) => a + b, 0) / k;
    y.push(mean);
    x.push(Math.sqrt(ps.reduce((a, b) => a + (b - mean) ** 2, 0) / k));
    color.push(rows.slice(0, k).filter((row) => row[i] > 0.5).length / k);
  }
  return { x, y, color };
}

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-5, `${what}[${i}]`);
}

function widgetState(extra = {}) {
  return {
    n_examples: N,
    n_epochs: 1,
    renderer: "svg",
    label: "",
    _meta: { task: "multiclass", class_names: ["x", "y", "z"], shown_label: "" },
    _gold: bytesTrait(Uint16Array, [0, 1, 2, 0, 1, 2]),
    _selected_index: [],
    _selection: {},
    _reviews: [],
    _epoch: epoch(1),
    ...extra,
  };
}

/** A mounted view as the controller sees it: records transitions, animates while told to. */
function fakeView() {
  const view = { moving: false, transitions: [], updates: 0 };
  view.beginTransition = (e, animate) => view.transitions.push([e, animate]);
  view.animating = () => view.moving;
  view.update = () => {
    view.updates += 1;
  };
  return view;
}

async function page(t, extra = {}) {
  const model = new FakeModel(widgetState(extra));
  const ctrl = controllerFor(model);
  t.after(() => ctrl.dispose());
  await ctrl.ready;
  const view = fakeView();
  ctrl.views.add(view);
  return { model, ctrl, view, parts: model.parts };
}

/** Log epoch e in the kernel: the newest-epoch trait and the epoch count, in one message. */
function log(model, e, label = "") {
  model.update({ n_epochs: e, _epoch: epoch(e, label) });
}

test("ready before the history is complete: an empty map, the current point kept", async (t) => {
  const { ctrl, parts } = await page(t, { n_epochs: 2, _epoch: epoch(2), _selected_index: [3] });
  assert.equal(ctrl.shown, 0); // epoch 1 is still missing: asked for, nothing to show yet
  const points = parts.points.sets.at(-1);
  assert.equal(points.visible, false);
  assert.equal(ctrl.selected, 3);
});

test("the page computes the map for the shown epoch and moves the shared marks there", async (t) => {
  const { model, ctrl, view, parts } = await page(t, { _selected_index: [3] });
  assert.equal(ctrl.shown, 1);
  let points = parts.points.sets.at(-1);
  assertClose(points.x, expectedMap(1).x, "x");
  assert.equal(points.animationDuration, 0); // the first map appears at once
  assert.equal(parts.highlight.sets.at(-1).x[0], points.x[3]);
  log(model, 2);
  await settle();
  assert.deepEqual(view.transitions, [[2, true]]);
  points = parts.points.sets.at(-1);
  assert.equal(points.animationDuration, 500); // later epochs are animated
  assertClose(points.y, expectedMap(2).y, "y");
  assertClose(points.color, expectedMap(2).color, "color");
  assertClose(parts.traj_line.sets.at(-1).y, [P[0][3], P[1][3]], "trajectory of the current point");
});

test("epochs that arrive while the map animates are coalesced into one jump to the newest", async (t) => {
  const { model, ctrl, view, parts } = await page(t);
  view.moving = true;
  for (const e of [2, 3, 4]) log(model, e);
  await settle(120);
  assert.deepEqual(view.transitions, []); // waiting for the animation to end
  assert.equal(ctrl.shown, 1);
  view.moving = false;
  await settle(80);
  assert.deepEqual(view.transitions, [[4, false]]); // behind: straight to the newest, no tween
  assert.equal(parts.points.sets.at(-1).animationDuration, 0);
  assertClose(ctrl.positions.x, expectedMap(4).x, "x at epoch 4");
});

test("replay leaves follow mode; scrubbing to the newest epoch follows again", async (t) => {
  const { model, ctrl } = await page(t);
  for (const e of [2, 3]) log(model, e);
  await settle();
  assert.equal(ctrl.shown, 3);
  ctrl.replay(1);
  assertClose(ctrl.positions.y, expectedMap(1).y, "y at epoch 1");
  log(model, 4);
  await settle();
  assert.equal(ctrl.shown, 1); // replaying: a new epoch does not move the map
  ctrl.replay(99);
  assert.equal(ctrl.shown, 4);
  log(model, 5);
  await settle();
  assert.equal(ctrl.shown, 5);
  assertClose(ctrl.positions.x, expectedMap(5).x, "x at epoch 5 (running sums after a replay)");
});

test("the current point: set in the page, sent to the kernel, and followed when Python sets it", async (t) => {
  const { model, ctrl, view, parts } = await page(t);
  const updates = view.updates;
  ctrl.select(4);
  assert.deepEqual(model.state._selected_index, [4]);
  const ring = parts.highlight.sets.at(-1);
  assert.equal(ring.animationDuration, 0); // a new ring appears on its point, no tween from elsewhere
  assert.equal(ring.x[0], ctrl.positions.x[4]);
  assert.ok(view.updates > updates);
  model.update({ _selected_index: [1] });
  assert.equal(ctrl.selected, 1);
  assert.equal(parts.highlight.sets.at(-1).y[0], ctrl.positions.y[1]);
});

test("the multi-point selection is kept ascending, unique and in range, and reaches the kernel", async (t) => {
  const { model, ctrl } = await page(t);
  ctrl.setSelection([5, 1, 1, -3, 99, 2]);
  assert.deepEqual(Array.from(ctrl.selection), [1, 2, 5]);
  const sent = model.state._selection;
  assert.deepEqual(Array.from(new Int32Array(sent.buffer.buffer, sent.buffer.byteOffset, sent.shape[0])), [1, 2, 5]);
  const kept = ctrl.selection;
  model.update({ _selection: { ...sent } }); // the same positions echoed back: nothing changes
  assert.equal(ctrl.selection, kept);
  ctrl.select(2);
  ctrl.clearSelection();
  assert.deepEqual(Array.from(ctrl.selection), []);
  assert.equal(ctrl.selected, null);
  assert.deepEqual(model.state._selected_index, []);
});

test("a decision is shown at once, sent, and the queue moves on; the kernel confirms or refuses", async (t) => {
  const { model, ctrl } = await page(t);
  ctrl.setSelection([0, 2, 4]);
  ctrl.select(2);
  const message = ctrl.review.decide("wrong", 1);
  assert.equal(ctrl.reviewCodes[2], 2);
  assert.deepEqual(model.sent.at(-1), { type: "decisions", decisions: [message] });
  assert.equal(message.new_label, 1);
  const order = Array.from(ctrl.review.order());
  assert.equal(ctrl.selected, order[order.indexOf(2) + 1]); // moved on to the next in the queue
  assert.equal(ctrl.review.outbox.pending.size, 1);
  model.update({ _reviews: [message] });
  assert.equal(ctrl.review.outbox.pending.size, 0);
  assert.equal(ctrl.reviewCodes[2], 2);
  const second = ctrl.review.decide("remove");
  model.receive({ type: "decision_errors", errors: [[second.decision_id, "example was removed twice"]] });
  assert.deepEqual(ctrl.review.errors, ["example was removed twice"]);
  assert.equal(ctrl.review.outbox.pending.size, 0);
});

test("the review queue ranks by the label-issue score sent with the epochs", async (t) => {
  const score = [0.1, 0.9, 0.3, 0.8, 0.2, 0.5];
  const { ctrl } = await page(t, {
    _epoch: epochTrait(1, { ...rowOf(P[0]), score }),
  });
  assert.deepEqual(Array.from(ctrl.review.order()), [1, 3, 5, 2, 4, 0]);
  ctrl.scores = null; // what the browser tests do to check the "score" colour switch
  assert.deepEqual(Array.from(ctrl.review.order()), [4, 1, 3, 2, 5, 0]); // least confident first
});

test("a label switch restarts the map from that label's own history", async (t) => {
  const meta = { task: "multilabel", label_names: ["a", "b"], shown_label: "a" };
  const { model, ctrl } = await page(t, { _meta: meta, _epoch: epoch(1, "a") });
  log(model, 2, "a");
  await settle();
  assert.equal(ctrl.shown, 2);
  model.update({ _meta: { ...meta, shown_label: "b" }, _epoch: epoch(2, "b") });
  const [request] = model.sent.slice(-1);
  assert.deepEqual(request, { type: "request_epochs", label: "b", first: 1, stop: 3 });
  const answer = epochsMessage(1, "b", [rowOf(B[0])]);
  model.receive(answer.content, answer.buffers);
  await settle();
  assert.equal(ctrl.shown, 2);
  assertClose(ctrl.positions.y, expectedMap(2, B).y, "label b's map from its own epochs");
  assertClose(ctrl.positions.x, expectedMap(2, B).x, "label b's variability");
});

test("dispose takes every listener off the widget model", async (t) => {
  const { model, ctrl } = await page(t);
  ctrl.dispose();
  assert.equal(model.listenerCount(), 0);
});
