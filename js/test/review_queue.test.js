// Node tests of js/src/review_queue.js.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decisionMessage, keyAction, ReviewQueue, rankByScore } from "../src/review_queue.js";

test("rankByScore: highest first, NaN last, ties in position order, candidates", () => {
  const scores = Float32Array.from([0.2, NaN, 0.9, 0.2, 0.5, NaN, 0.9]);
  assert.deepEqual(Array.from(rankByScore(scores)), [2, 6, 4, 0, 3, 1, 5]);
  assert.deepEqual(Array.from(rankByScore(scores, { descending: false })), [0, 3, 4, 2, 6, 1, 5]);
  // candidates: ties keep the candidates' order
  assert.deepEqual(Array.from(rankByScore(scores, { candidates: [5, 4, 3, 0] })), [4, 3, 0, 5]);
  // agrees with a plain stable sort on larger random input
  const big = Float64Array.from({ length: 5000 }, (_, i) => Math.round(Math.sin(i) * 20));
  const expected = Array.from(big.keys()).sort((a, b) => big[b] - big[a]);
  assert.deepEqual(Array.from(rankByScore(big)), expected);
});

test("queue: current / next / previous stop at the ends", () => {
  const q = new ReviewQueue([7, 3, 9]);
  assert.equal(q.length, 3);
  assert.equal(q.current(), 7);
  assert.equal(q.previous(), null);
  assert.equal(q.current(), 7);
  assert.equal(q.next(), 3);
  assert.equal(q.next(), 9);
  assert.equal(q.next(), null);
  assert.equal(q.current(), 9);
  assert.equal(q.position, 2);
  assert.equal(q.previous(), 3);
  const empty = new ReviewQueue([]);
  assert.equal(empty.current(), null);
  assert.equal(empty.next(), null);
  assert.equal(empty.previous(), null);
  assert.equal(empty.position, -1);
});

test("queue: skipping decided examples follows decisions made meanwhile", () => {
  const decided = new Set([10]);
  const q = new ReviewQueue([10, 11, 12, 13, 14], { isDecided: (i) => decided.has(i), skipDecided: true });
  assert.equal(q.current(), 11); // the first undecided one
  decided.add(12);
  decided.add(13);
  assert.equal(q.next(), 14);
  assert.equal(q.previous(), 11);
  assert.equal(q.remaining(), 2);
  decided.add(11);
  decided.add(14);
  assert.equal(q.next(), null); // all decided: stay
  assert.equal(q.current(), 11);
  const all = new ReviewQueue([1, 2], { isDecided: () => true, skipDecided: true });
  assert.equal(all.current(), 1);
  const notSkipping = new ReviewQueue([10, 11], { isDecided: () => true });
  assert.equal(notSkipping.next(), 11);
});

test("queue: goTo a clicked row, new order keeps the current example", () => {
  const q = new ReviewQueue([4, 5, 6, 7]);
  assert.equal(q.goTo(6), true);
  assert.equal(q.current(), 6);
  assert.equal(q.goTo(99), false);
  assert.equal(q.current(), 6);
  q.setOrder([7, 6, 5, 4]); // list re-sorted
  assert.equal(q.current(), 6);
  assert.equal(q.position, 1);
  q.setOrder([1, 2]); // current example left the selection: start over
  assert.equal(q.current(), 1);
  q.setOrder([]);
  assert.equal(q.current(), null);
});

test("keys: j/k, c, w, x, Escape and number keys per task", () => {
  const ctx = { task: "multiclass", nClasses: 4, gold: 2 };
  const key = (k, extra = {}) => keyAction({ key: k, ...extra }, ctx);
  assert.deepEqual(key("j"), { type: "next" });
  assert.deepEqual(key("k"), { type: "previous" });
  assert.deepEqual(key("c"), { type: "decide", verdict: "correct" });
  assert.deepEqual(key("x"), { type: "decide", verdict: "remove" });
  assert.deepEqual(key("Delete"), { type: "decide", verdict: "remove" });
  assert.deepEqual(key("Escape"), { type: "clear" });
  assert.deepEqual(key("w"), { type: "choose" });
  assert.deepEqual(key("1"), { type: "decide", verdict: "wrong", newLabel: 0 });
  assert.deepEqual(key("3"), { type: "decide", verdict: "correct" }); // class 2 is the gold class
  assert.equal(key("5"), null); // only 4 classes
  assert.equal(key("q"), null);
  const binary = { task: "binary", nClasses: 2, gold: 1 };
  assert.deepEqual(keyAction({ key: "w" }, binary), { type: "decide", verdict: "wrong", newLabel: 0 });
  assert.deepEqual(keyAction({ key: "1" }, binary), { type: "decide", verdict: "wrong", newLabel: 0 });
  const twelve = { task: "multiclass", nClasses: 12, gold: 0 };
  assert.deepEqual(keyAction({ key: "0" }, twelve), { type: "decide", verdict: "wrong", newLabel: 9 });
  const multilabel = { task: "multilabel", nClasses: 28, gold: 0 };
  assert.deepEqual(keyAction({ key: "w" }, multilabel), { type: "decide", verdict: "wrong" });
  assert.equal(keyAction({ key: "1" }, multilabel), null);
});

test("keys: never taken with modifiers or while typing", () => {
  const ctx = { task: "binary", nClasses: 2, gold: 0 };
  for (const mod of ["ctrlKey", "metaKey", "altKey"]) assert.equal(keyAction({ key: "j", [mod]: true }, ctx), null);
  for (const tagName of ["INPUT", "textarea", "SELECT"])
    assert.equal(keyAction({ key: "j", target: { tagName } }, ctx), null);
  assert.equal(keyAction({ key: "c", target: { tagName: "DIV", isContentEditable: true } }, ctx), null);
  assert.deepEqual(keyAction({ key: "c", target: { tagName: "DIV", isContentEditable: false } }, ctx), {
    type: "decide",
    verdict: "correct",
  });
  assert.equal(keyAction(null, ctx), null);
});

test("decision messages carry unique ids and the fields ReviewLog.apply_messages reads", () => {
  const ids = new Set();
  for (let k = 0; k < 2000; k++)
    ids.add(decisionMessage({ index: k, verdict: "remove", now: 1700000000000 }).decision_id);
  assert.equal(ids.size, 2000);
  const m = decisionMessage({ index: 5, verdict: "wrong", newLabel: 3, now: 1700000000123, prefix: "view1-" });
  assert.deepEqual(Object.keys(m).sort(), ["decision_id", "index", "label", "new_label", "time", "verdict"]);
  assert.equal(m.index, 5);
  assert.equal(m.new_label, 3);
  assert.equal(m.label, null);
  assert.equal(m.time, 1700000000123);
  assert.ok(m.decision_id.startsWith("view1-"));
});
