// Node tests of the page's decoding store (js/src/store.js + wire.js): traits in, typed arrays
// and per-field events out, the history protocol (gaps, answers, label switches) and writes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DataStore } from "../src/store.js";
import { bytesTrait, epochsMessage, epochTrait, FakeModel, wireArray } from "./fake_model.js";

const utf8 = (s) => Array.from(new TextEncoder().encode(s));

/** Packed strings as widget.py packs them: UTF-8 bytes + N + 1 uint32 offsets. */
function packed(strings, misalign = false) {
  const parts = strings.map(utf8);
  const offsets = [0];
  for (const p of parts) offsets.push(offsets[offsets.length - 1] + p.length);
  const bytes = bytesTrait(Uint8Array, parts.flat());
  if (!misalign) return [bytes, bytesTrait(Uint32Array, offsets)];
  const shifted = new Uint8Array(offsets.length * 4 + 1);
  shifted.set(new Uint8Array(Uint32Array.from(offsets).buffer), 1);
  return [bytes, new DataView(shifted.buffer, 1, offsets.length * 4)];
}

const row = (p, pred = [0, 0, 0], correct = [1, 1, 1]) => ({ pGold: p, pred, correct });

function baseState(extra = {}) {
  const [texts, offsets] = packed(["plain", "café ☕", "😂 lol"], true);
  const [ids, idOffsets] = packed(["a", "b", "c"]);
  return {
    n_examples: 3,
    n_epochs: 1,
    renderer: "gl",
    label: "",
    _meta: { task: "multiclass", class_names: ["x", "y", "z"], shown_label: "" },
    _gold: bytesTrait(Uint16Array, [0, 2, 1]),
    _gold_sets: new DataView(new ArrayBuffer(0)),
    _texts: texts,
    _text_offsets: offsets,
    _ids: ids,
    _id_offsets: idOffsets,
    _images: bytesTrait(Uint8Array, [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]),
    _image_shape: [2, 2],
    _selected_index: [1],
    _selection: { dtype: "int32", shape: [3], buffer: bytesTrait(Int32Array, [2, 0, 2]) },
    _reviews: [{ decision_id: "d1", index: 0, verdict: "correct" }],
    _epoch: epochTrait(1, { ...row([0.5, 0.25, 1]), score: [0.1, 0.9, 0.3] }),
    ...extra,
  };
}

test("traits come out as typed arrays and plain values", () => {
  const model = new FakeModel(baseState());
  const store = new DataStore(model);
  assert.equal(store.n, 3);
  assert.equal(store.renderer, "gl");
  assert.deepEqual(store.meta.class_names, ["x", "y", "z"]);
  assert.ok(store.history.gold instanceof Uint16Array);
  assert.deepEqual(Array.from(store.history.gold), [0, 2, 1]);
  assert.equal(store.hasTexts, true);
  assert.deepEqual(
    [0, 1, 2].map((i) => store.textAt(i)),
    ["plain", "café ☕", "😂 lol"],
  );
  assert.equal(store.textAt(1, 3), "caf"); // only the first bytes decoded
  assert.equal(store.textAt(3), null);
  assert.deepEqual(
    [0, 1, 2].map((i) => store.idAt(i)),
    ["a", "b", "c"],
  );
  assert.equal(store.hasImages, true);
  assert.deepEqual(
    { ...store.imageAt(1), pixels: Array.from(store.imageAt(1).pixels) },
    {
      height: 2,
      width: 2,
      pixels: [10, 11, 12, 13],
    },
  );
  assert.equal(store.selectedIndex, 1);
  assert.deepEqual(Array.from(store.selection), [0, 2]);
  assert.equal(store.reviews[0].decision_id, "d1");
  assert.equal(store.history.nEpochs, 1);
  assert.deepEqual(Array.from(store.history.rows[0].pGold), [0.5, 0.25, 1]);
  assert.deepEqual(Array.from(store.scores), [0.10000000149011612, 0.8999999761581421, 0.30000001192092896]);
  assert.equal(store.loggedEpochs, 1);
  assert.deepEqual(model.sent, []); // nothing missing: nothing asked
});

test("a widget without texts, ids or images says so", () => {
  const empty = new DataView(new ArrayBuffer(0));
  const store = new DataStore(
    new FakeModel(
      baseState({ _texts: empty, _text_offsets: empty, _ids: empty, _id_offsets: empty, _image_shape: [] }),
    ),
  );
  assert.equal(store.hasTexts, false);
  assert.equal(store.textAt(0), null);
  assert.equal(store.idAt(0), null);
  assert.equal(store.hasImages, false);
  assert.equal(store.imageAt(0), null);
});

test("each field has its own change event; unsubscribing stops it", () => {
  const model = new FakeModel(baseState());
  const store = new DataStore(model);
  const seen = [];
  const stops = [
    "history",
    "meta",
    "scores",
    "reviews",
    "selectedIndex",
    "selection",
    "wantedLabel",
    "decisionErrors",
  ].map((field) => store.on(field, (...args) => seen.push([field, ...args])));
  model.update({ _reviews: [] });
  model.update({ _selected_index: [2] });
  model.update({ label: "joy" });
  model.update({ _selection: { dtype: "int32", shape: [1], buffer: bytesTrait(Int32Array, [1]) } });
  model.receive({ type: "decision_errors", errors: [["d9", "unknown id"]] });
  assert.deepEqual(seen, [
    ["reviews"],
    ["selectedIndex"],
    ["wantedLabel"],
    ["selection"],
    ["decisionErrors", [["d9", "unknown id"]]],
  ]);
  assert.equal(store.selectedIndex, 2);
  assert.deepEqual(Array.from(store.selection), [1]);
  seen.length = 0;
  model.update({ n_epochs: 2, _epoch: epochTrait(2, row([0.1, 0.2, 0.3])) });
  assert.deepEqual(seen, [["history"]]); // an epoch without a score keeps the scores: no "scores"
  seen.length = 0;
  for (const stop of stops) stop();
  model.update({ _reviews: [{ decision_id: "d2" }] });
  assert.deepEqual(seen, []);
});

test("epochs that arrive out of order: one request for the gap, filled by the answers", () => {
  const model = new FakeModel(baseState({ n_epochs: 3, _epoch: epochTrait(3, row([0.3, 0.3, 0.3])) }));
  const store = new DataStore(model);
  assert.equal(store.history.nEpochs, 0);
  assert.equal(store.loggedEpochs, 3);
  assert.deepEqual(model.sent, [{ type: "request_epochs", label: "", first: 1, stop: 4 }]);
  model.update({ n_epochs: 4, _epoch: epochTrait(4, row([0.4, 0.4, 0.4])) });
  assert.equal(model.sent.length, 1); // asked already, no answer yet: not asked again
  const history = [];
  store.on("history", () => history.push(store.history.nEpochs));
  const other = epochsMessage(1, "another label", [row([0.9, 0.9, 0.9])]);
  model.receive(other.content, other.buffers);
  assert.deepEqual(history, []); // an answer for another label is not ours
  const answer = epochsMessage(1, "", [row([0.1, 0.1, 0.1]), row([0.2, 0.2, 0.2])]);
  model.receive(answer.content, answer.buffers);
  assert.deepEqual(history, [4]);
  assert.equal(store.request, null);
  assert.deepEqual(
    store.history.rows.map((r) => r.pGold[0]),
    [0.1, 0.2, 0.3, 0.4].map((v) => Math.fround(v)),
  );
  assert.equal(model.sent.length, 1);
});

test("malformed epochs and answers are ignored with a warning, the history unchanged", (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const model = new FakeModel(baseState());
  const store = new DataStore(model);
  model.update({ n_epochs: 2, _epoch: epochTrait(2, row([0.1, 0.2])) }); // 2 values for 3 examples
  assert.equal(store.history.nEpochs, 1);
  const bad = epochsMessage(2, "", [row([0.1, 0.2, 0.3])]);
  bad.content.p_gold = { dtype: "float64", shape: [1, 3], buffer: 0 };
  model.receive(bad.content, bad.buffers);
  assert.equal(store.history.nEpochs, 1);
  model.update({
    _epoch: { ...epochTrait(3, row([0.1, 0.2, 0.3])), score: wireArray(Float32Array, "float32", [1], [1, 1]) },
  });
  assert.equal(store.scores.length, 3); // a score of the wrong length keeps the last one
  model.update({ _selection: { dtype: "float32", shape: [1], buffer: bytesTrait(Float32Array, [1]) } });
  assert.equal(store.selection, null);
  const messages = warn.mock.calls.map((c) => c.arguments[0]);
  assert.deepEqual(messages, [
    "datamap-widget: ignored a malformed epoch",
    "datamap-widget: ignored malformed history",
    "datamap-widget: ignored a malformed selection",
  ]);
});

test("scores: kept by epochs without one, dropped when another label is shown", () => {
  const model = new FakeModel(
    baseState({
      _meta: { task: "multilabel", label_names: ["a", "b"], shown_label: "a" },
      _epoch: epochTrait(1, { ...row([0.5, 0.5, 0.5]), score: [0.1, 0.2, 0.3], label: "a" }),
    }),
  );
  const store = new DataStore(model);
  const first = store.scores;
  assert.ok(first);
  model.update({ n_epochs: 2, _epoch: epochTrait(2, { ...row([0.5, 0.5, 0.5]), label: "a" }) });
  assert.equal(store.scores, first);
  model.update({ _epoch: epochTrait(2, { ...row([0.5, 0.5, 0.5]), label: "b" }) });
  assert.equal(store.scores, null);
  assert.equal(store.label, "b");
});

test("a label switch starts a new history; its newest epoch asks for the rest", () => {
  const meta = { task: "multilabel", label_names: ["a", "b"], shown_label: "a" };
  const model = new FakeModel(
    baseState({ n_epochs: 2, _meta: meta, _epoch: epochTrait(2, { ...row([1, 1, 1]), label: "a" }) }),
  );
  const store = new DataStore(model);
  model.update({ _epoch: {} }); // the kernel has no epoch of the new label to send
  const before = store.epochs;
  const events = [];
  store.on("meta", () => events.push("meta"));
  store.on("history", () => events.push("history"));
  model.update({ _meta: { ...meta, shown_label: "b" } });
  assert.deepEqual(events, ["meta", "history"]);
  assert.notEqual(store.epochs, before);
  assert.equal(store.label, "b");
  assert.equal(store.history.nEpochs, 0);
  model.update({ _epoch: epochTrait(2, { ...row([0, 0, 0]), label: "b" }) }); // b's newest epoch
  assert.equal(store.epochs.label, "b");
  assert.deepEqual(model.sent.at(-1), { type: "request_epochs", label: "b", first: 1, stop: 3 });
});

test("what the page tells the kernel goes through the store", () => {
  const model = new FakeModel(baseState());
  const store = new DataStore(model);
  store.select(2);
  store.setSelection(Int32Array.from([0, 2]));
  store.setLabel("joy");
  store.sendDecisions([{ decision_id: "d5", index: 1, verdict: "remove" }]);
  store.select(null);
  assert.deepEqual(model.state._selected_index, []);
  assert.equal(model.state._selection.dtype, "int32");
  assert.deepEqual(Array.from(new Int32Array(model.state._selection.buffer.buffer)), [0, 2]);
  assert.equal(model.state.label, "joy");
  assert.equal(model.saved.length, 4);
  assert.deepEqual(model.sent, [
    { type: "decisions", decisions: [{ decision_id: "d5", index: 1, verdict: "remove" }] },
  ]);
});

test("a kernel-less source (get / on / off only) is read the same; nothing is sent or set", () => {
  const model = new FakeModel(baseState({ n_epochs: 5 }), { kernel: false });
  const store = new DataStore(model);
  assert.equal(store.connected, false);
  assert.deepEqual(store.epochs.missing(), [2, 6]);
  store.select(0);
  store.sendDecisions([{ decision_id: "d1" }]);
  assert.deepEqual(model.state._selected_index, [1]);
  assert.deepEqual(model.sent, []);
  assert.equal(store.textAt(1), "café ☕");
});

test("dispose removes every listener it put on the model", () => {
  const model = new FakeModel(baseState());
  const store = new DataStore(model);
  assert.ok(model.listenerCount() >= 7);
  store.dispose();
  assert.equal(model.listenerCount(), 0);
});
