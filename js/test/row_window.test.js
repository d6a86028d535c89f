// Node tests of js/src/row_window.js.

import assert from "node:assert/strict";
import { test } from "node:test";
import { nameRanks, rowAtOffset, scrollTopToShow, sortIndexes, visibleRows } from "../src/row_window.js";

test("visible rows at the top, in the middle, at and beyond the bottom", () => {
  const base = { viewportHeight: 240, rowHeight: 24, rowCount: 10000, overscan: 5 };
  assert.deepEqual(visibleRows({ ...base, scrollTop: 0 }), { start: 0, end: 15, offsetTop: 0, totalHeight: 240000 });
  assert.deepEqual(visibleRows({ ...base, scrollTop: 2400 }), {
    start: 95,
    end: 115,
    offsetTop: 2280,
    totalHeight: 240000,
  });
  assert.deepEqual(visibleRows({ ...base, scrollTop: 1e9 }), {
    start: 9985,
    end: 10000,
    offsetTop: 239640,
    totalHeight: 240000,
  });
  assert.deepEqual(visibleRows({ ...base, scrollTop: -50 }), visibleRows({ ...base, scrollTop: 0 }));
  assert.deepEqual(visibleRows({ ...base, rowCount: 3, scrollTop: 0 }), {
    start: 0,
    end: 3,
    offsetTop: 0,
    totalHeight: 72,
  });
  assert.deepEqual(visibleRows({ ...base, rowCount: 0, scrollTop: 100 }), {
    start: 0,
    end: 0,
    offsetTop: 0,
    totalHeight: 0,
  });
});

test("every row intersecting the viewport is rendered, and only a bounded number of rows", () => {
  let s = 3;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let trial = 0; trial < 2000; trial++) {
    const rowHeight = 10 + Math.floor(r() * 30);
    const rowCount = Math.floor(r() * 20000);
    const viewportHeight = 50 + Math.floor(r() * 800);
    const scrollTop = r() * rowCount * rowHeight;
    const w = visibleRows({ scrollTop, viewportHeight, rowHeight, rowCount, overscan: 3 });
    const top = Math.min(scrollTop, Math.max(0, rowCount * rowHeight - viewportHeight));
    const firstSeen = Math.floor(top / rowHeight);
    const lastSeen = Math.min(rowCount - 1, Math.floor((top + viewportHeight - 1e-9) / rowHeight));
    if (rowCount > 0) {
      assert.ok(w.start <= firstSeen && w.end > lastSeen, JSON.stringify({ w, firstSeen, lastSeen }));
    }
    assert.ok(w.end - w.start <= Math.ceil(viewportHeight / rowHeight) + 1 + 6);
    assert.equal(w.offsetTop, w.start * rowHeight);
  }
});

test("scroll to show a row moves as little as possible; row at an offset", () => {
  const view = { scrollTop: 1000, viewportHeight: 200, rowHeight: 20 };
  assert.equal(scrollTopToShow(55, view), 1000); // already visible
  assert.equal(scrollTopToShow(10, view), 200); // above: align top
  assert.equal(scrollTopToShow(70, view), 1220); // below: align bottom
  assert.equal(rowAtOffset(45, { rowHeight: 20, rowCount: 3 }), 2);
  assert.equal(rowAtOffset(60, { rowHeight: 20, rowCount: 3 }), null);
  assert.equal(rowAtOffset(-1, { rowHeight: 20, rowCount: 3 }), null);
});

test("sortIndexes is stable both ways and puts NaN last", () => {
  const key = Float32Array.from([0.5, NaN, 0.1, 0.5, 0.9, 0.1]);
  const rows = [5, 4, 3, 2, 1, 0];
  assert.deepEqual(Array.from(sortIndexes(rows, key)), [5, 2, 3, 0, 4, 1]);
  assert.deepEqual(Array.from(sortIndexes(rows, key, { descending: true })), [4, 3, 0, 5, 2, 1]);
  assert.deepEqual(Array.from(sortIndexes(rows, (i) => -i)), [5, 4, 3, 2, 1, 0]);
  assert.deepEqual(Array.from(rows), [5, 4, 3, 2, 1, 0]); // input untouched
});

test("sortIndexes agrees with a stable reference sort on 10,000 rows", () => {
  const n = 43410;
  const key = Float32Array.from({ length: n }, (_, i) => Math.round(Math.cos(i * 1.7) * 50) / 50);
  const rows = Int32Array.from({ length: 10000 }, (_, j) => (j * 4241) % n);
  const reference = Array.from(rows).sort((a, b) => key[a] - key[b]); // Array sort is stable
  assert.deepEqual(Array.from(sortIndexes(rows, key)), reference);
  const down = Array.from(rows).sort((a, b) => key[b] - key[a]);
  assert.deepEqual(Array.from(sortIndexes(rows, key, { descending: true })), down);
});

test("sorting by gold label name through name ranks", () => {
  const names = ["neutral", "admiration", "gratitude", "anger"];
  const ranks = nameRanks(names);
  assert.deepEqual(Array.from(ranks), [3, 0, 2, 1]);
  const gold = Uint16Array.from([0, 2, 1, 3, 2]);
  const byName = sortIndexes([0, 1, 2, 3, 4], (i) => ranks[gold[i]]);
  assert.deepEqual(
    Array.from(byName, (i) => names[gold[i]]),
    ["admiration", "anger", "gratitude", "gratitude", "neutral"],
  );
});

test("stableOrder: packed native sort equals a comparator sort at float32 precision", async () => {
  const { stableOrder } = await import("../src/row_window.js");
  let s = 11;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 3.4e38, -3.4e38];
  const keys = Float64Array.from({ length: 30000 }, (_, j) =>
    j % 97 === 0 ? special[j % special.length] : Math.round((r() - 0.5) * 200) / 10,
  );
  for (const descending of [false, true]) {
    const ref = Array.from(keys.keys()).sort((a, b) => {
      const ka = Math.fround(keys[a]);
      const kb = Math.fround(keys[b]);
      if (Number.isNaN(ka) || Number.isNaN(kb))
        return Number.isNaN(ka) === Number.isNaN(kb) ? 0 : Number.isNaN(ka) ? 1 : -1;
      return descending ? kb - ka || 0 : ka - kb || 0;
    });
    assert.deepEqual(Array.from(stableOrder(keys, { descending })), ref);
  }
});
