// Node tests of js/src/decision_outbox.js.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DecisionOutbox } from "../src/decision_outbox.js";
import { decisionMessage } from "../src/review_queue.js";
import { parseReviews } from "../src/wire.js";

const msg = (index, verdict, extra = {}) =>
  decisionMessage({ index, verdict, newLabel: extra.newLabel ?? null, label: extra.label ?? null });

test("pending decisions are re-sent until confirmed, refused ones stop", () => {
  const box = new DecisionOutbox();
  const a = box.add(msg(3, "remove"));
  const b = box.add(msg(5, "wrong", { newLabel: 1 }));
  const c = box.add(msg(7, "correct"));
  assert.deepEqual(box.toSend(), [a, b, c]); // oldest first
  assert.equal(box.reconcile([a]), 2); // the kernel confirmed a
  assert.deepEqual(box.toSend(), [b, c]);
  box.refuse([
    [c.decision_id, "new_label is the gold label"],
    ["unknown-id", "x"],
  ]);
  assert.deepEqual(box.toSend(), [b]);
  assert.equal(box.refused.get(c.decision_id), "new_label is the gold label");
  assert.equal(box.refused.has("unknown-id"), false);
  assert.equal(box.isPending(5), true);
  assert.equal(box.isPending(3), false);
  assert.equal(box.reconcile([a, b]), 0);
  assert.deepEqual(box.toSend(), []);
});

test("verdict codes fold confirmed then pending decisions; latest decision per point", () => {
  const box = new DecisionOutbox();
  const canonical = [msg(0, "wrong", { newLabel: 2 }), msg(1, "remove"), msg(0, "correct")];
  box.add(msg(1, "wrong", { newLabel: 0 })); // re-reviewed here, not yet confirmed
  box.add(msg(4, "remove"));
  assert.deepEqual(Array.from(box.verdictCodes(canonical, 6)), [1, 2, 0, 0, 3, 0]);
  assert.equal(box.latest(canonical, 0).verdict, "correct");
  assert.equal(box.latest(canonical, 1).new_label, 0);
  assert.equal(box.latest(canonical, 2), null);
  // a pending decision already in the canonical list does not override newer confirmed ones
  const early = box.add(msg(2, "wrong", { newLabel: 1 }));
  const later = msg(2, "correct");
  assert.equal(box.verdictCodes([...canonical, early, later], 6)[2], 1);
  // out-of-range positions are ignored
  assert.deepEqual(Array.from(new DecisionOutbox().verdictCodes([msg(9, "remove")], 3)), [0, 0, 0]);
});

test("multilabel: a label's codes count its own decisions and every removal", () => {
  const box = new DecisionOutbox();
  const canonical = [msg(0, "wrong", { label: 2 }), msg(1, "correct", { label: 0 }), msg(2, "remove", { label: 0 })];
  box.add(msg(3, "remove"));
  assert.deepEqual(Array.from(box.verdictCodes(canonical, 4, 2)), [2, 0, 3, 3]);
  assert.deepEqual(Array.from(box.verdictCodes(canonical, 4, 0)), [0, 1, 3, 3]);
  assert.deepEqual(Array.from(box.verdictCodes(canonical, 4)), [2, 1, 3, 3]);
});

test("the kernel's decisions arrive as one JSON text and parse once", () => {
  const canonical = [msg(3, "remove"), msg(5, "wrong", { newLabel: 1 })];
  assert.deepEqual(parseReviews(JSON.stringify(canonical)), canonical);
  assert.deepEqual(parseReviews(canonical), canonical); // a list as it is
  assert.deepEqual(parseReviews(""), []);
  assert.deepEqual(parseReviews("[{broken"), []);
  assert.deepEqual(parseReviews('{"not": "a list"}'), []);
  assert.deepEqual(parseReviews(undefined), []);
});
