// Node tests of js/src/selection.js against slow reference implementations.

import assert from "node:assert/strict";
import { test } from "node:test";
import { regionOf } from "../src/metrics.js";
import {
  clientToData,
  combine,
  countSelected,
  indexesToMask,
  maskToIndexes,
  positionsIn,
  selectByClass,
  selectByGoldLabel,
  selectByRegion,
  selectLasso,
  selectRect,
} from "../src/selection.js";

function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomPoints(n, seed) {
  const r = rng(seed);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 0.5 * r();
    y[i] = r();
  }
  return { x, y };
}

// Reference: winding number with Sunday's isLeft test, O(N V), vertices as {x, y}.
function windingReference(px, py, poly) {
  let w = 0;
  for (let k = 0; k < poly.length; k++) {
    const a = poly[k];
    const b = poly[(k + 1) % poly.length];
    const isLeft = (b.x - a.x) * (py - a.y) - (px - a.x) * (b.y - a.y);
    if (a.y <= py) {
      if (b.y > py && isLeft > 0) w++;
    } else if (b.y <= py && isLeft < 0) w--;
  }
  return w;
}

test("rectangle: corners in any order, borders included, visible mask respected", () => {
  const pts = randomPoints(5000, 1);
  const expect = (x0, x1, y0, y1) =>
    Array.from(pts.x, (x, i) => (x >= x0 && x <= x1 && pts.y[i] >= y0 && pts.y[i] <= y1 ? 1 : 0));
  const a = selectRect(pts, { x: 0.1, y: 0.2 }, { x: 0.3, y: 0.6 });
  const b = selectRect(pts, { x: 0.3, y: 0.2 }, { x: 0.1, y: 0.6 });
  assert.deepEqual(Array.from(a), expect(0.1, 0.3, 0.2, 0.6));
  assert.deepEqual(a, b);
  assert.ok(countSelected(a) > 500);
  const visible = Uint8Array.from(pts.x, (_, i) => i % 2);
  const v = selectRect(pts, { x: 0.1, y: 0.2 }, { x: 0.3, y: 0.6 }, { visible });
  assert.deepEqual(
    Array.from(v),
    expect(0.1, 0.3, 0.2, 0.6).map((s, i) => s & (i % 2)),
  );
  const onPoint = selectRect(pts, { x: pts.x[7], y: pts.y[7] }, { x: pts.x[7], y: pts.y[7] });
  assert.ok(onPoint[7] === 1);
  assert.equal(countSelected(selectRect(pts, { x: NaN, y: 0 }, { x: 1, y: 1 })), 0);
});

test("selection in data coordinates does not change with zoom and pan", () => {
  const pts = randomPoints(20000, 2);
  // two views of the same map: plain, and zoomed 3.7x + panned
  const views = [
    { toClient: (x, y) => ({ x: 10 + 1000 * x, y: 520 - 500 * y }), pxPerX: 1000, pxPerY: -500 },
    { toClient: (x, y) => ({ x: -600 + 3700 * x, y: 1400 - 1850 * y }), pxPerX: 3700, pxPerY: -1850 },
  ];
  const dataRect = [
    { x: 0.12, y: 0.33 },
    { x: 0.27, y: 0.71 },
  ];
  const lasso = [
    { x: 0.05, y: 0.1 },
    { x: 0.4, y: 0.2 },
    { x: 0.3, y: 0.9 },
    { x: 0.1, y: 0.6 },
  ];
  const masks = views.map((view) => {
    // the gesture happens in client pixels; the view converts them back to data units
    const toData = (p) => {
      const c = view.toClient(p.x, p.y);
      return clientToData(view, c.x, c.y);
    };
    const rect = selectRect(pts, toData(dataRect[0]), toData(dataRect[1]));
    const poly = selectLasso(pts, lasso.map(toData));
    return { rect, poly };
  });
  const inRect = (i) => pts.x[i] >= 0.12 && pts.x[i] <= 0.27 && pts.y[i] >= 0.33 && pts.y[i] <= 0.71;
  // both views select the same points; only points within float rounding of a border may differ
  for (const key of ["rect", "poly"]) {
    let differ = 0;
    for (let i = 0; i < pts.x.length; i++) differ += masks[0][key][i] !== masks[1][key][i] ? 1 : 0;
    assert.ok(differ <= 1, `${key}: ${differ} points differ between zoom levels`);
  }
  assert.ok(countSelected(masks[0].rect) > 1000);
  assert.equal(countSelected(masks[0].rect), Array.from(pts.x, (_, i) => inRect(i)).filter(Boolean).length);
});

test("lasso equals the winding-number reference on random (self-intersecting) polygons", () => {
  const pts = randomPoints(20000, 3);
  const r = rng(4);
  for (let trial = 0; trial < 25; trial++) {
    const m = 3 + Math.floor(r() * 40);
    const poly = Array.from({ length: m }, () => ({ x: 0.5 * r(), y: r() }));
    const mask = selectLasso(pts, poly);
    for (let i = 0; i < pts.x.length; i++) {
      const expected = windingReference(pts.x[i], pts.y[i], poly) !== 0 ? 1 : 0;
      assert.equal(mask[i], expected, `trial ${trial}, point ${i}`);
    }
  }
});

test("lasso: a hand-drawn circle with 2,000 vertices over 200,000 points", () => {
  const pts = randomPoints(200000, 5);
  const poly = Array.from({ length: 2000 }, (_, k) => {
    const t = (2 * Math.PI * k) / 2000;
    return { x: 0.25 + 0.2 * Math.cos(t), y: 0.5 + 0.4 * Math.sin(t) };
  });
  const mask = selectLasso(pts, poly);
  let mismatches = 0;
  for (let i = 0; i < pts.x.length; i += 7) {
    mismatches += mask[i] !== (windingReference(pts.x[i], pts.y[i], poly) !== 0 ? 1 : 0) ? 1 : 0;
  }
  assert.equal(mismatches, 0);
  const share = countSelected(mask) / pts.x.length;
  assert.ok(Math.abs(share - (Math.PI * 0.2 * 0.4) / 0.5) < 0.01, `selected share ${share}`);
});

test("lasso: figure eight selects both loops, a double loop its inside, degenerate lassos nothing", () => {
  const pts = {
    x: Float32Array.from([0.1, 0.3, 0.2, 0.2, 0.45, 0.25]),
    y: Float32Array.from([0.5, 0.5, 0.45, 0.9, 0.5, 0.55]),
  };
  // figure eight: crosses itself at (0.2, 0.5); lobes around (0.1, .5) and (0.3, .5)
  const eight = [
    { x: 0.0, y: 0.4 },
    { x: 0.4, y: 0.6 },
    { x: 0.4, y: 0.4 },
    { x: 0.0, y: 0.6 },
  ];
  assert.deepEqual(Array.from(selectLasso(pts, eight)), [1, 1, 0, 0, 0, 0]);
  // the same square drawn twice round: winding 2 inside, still selected
  const square = [
    { x: 0.05, y: 0.3 },
    { x: 0.35, y: 0.3 },
    { x: 0.35, y: 0.7 },
    { x: 0.05, y: 0.7 },
  ];
  assert.deepEqual(Array.from(selectLasso(pts, [...square, ...square])), [1, 1, 1, 0, 0, 1]);
  assert.deepEqual(selectLasso(pts, square), selectLasso(pts, [...square, square[0]])); // closed or not
  const flat = square.flatMap((p) => [p.x, p.y]);
  assert.deepEqual(selectLasso(pts, flat), selectLasso(pts, square));
  const none = [
    [],
    [{ x: 0.1, y: 0.5 }],
    [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
    [
      { x: 0, y: 0 },
      { x: 0.5, y: 0.5 },
      { x: 1, y: 1 },
    ], // collinear: no area
    [
      { x: 0, y: 0 },
      { x: 0.5, y: 0.5 },
      { x: 0, y: 0 },
      { x: 0.5, y: 0.5 },
    ], // back and forth
    [
      { x: 0.2, y: 0.5 },
      { x: 0.2, y: 0.5 },
      { x: 0.2, y: 0.5 },
    ],
    null,
  ];
  for (const poly of none) assert.equal(countSelected(selectLasso(pts, poly)), 0, JSON.stringify(poly));
  // non-finite vertices are dropped, the rest still forms the square
  const noisy = [square[0], { x: NaN, y: 0.2 }, square[1], square[2], { x: Infinity, y: 1 }, square[3]];
  assert.deepEqual(selectLasso(pts, noisy), selectLasso(pts, square));
  const visible = Uint8Array.from([0, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(selectLasso(pts, square, { visible })), [0, 1, 1, 0, 0, 1]);
});

test("select by gold class, by multilabel gold set and by region", () => {
  const gold = Uint16Array.from([0, 2, 1, 2, 0, 3]);
  assert.deepEqual(Array.from(selectByClass(gold, [2, 3])), [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(
    Array.from(selectByClass(gold, new Set([0]), { visible: Uint8Array.from([1, 1, 1, 1, 0, 1]) })),
    [1, 0, 0, 0, 0, 0],
  );
  const sets = Uint8Array.from([1, 0, 0, 1, 1, 1, 0, 0, 1]); // 3 examples x 3 labels
  assert.deepEqual(Array.from(selectByGoldLabel(sets, 3, 2)), [0, 1, 1]);
  assert.deepEqual(Array.from(selectByGoldLabel(sets, 3, 0)), [1, 1, 0]);
  const meta = { variability_threshold: 0.2, confidence_threshold: 0.5 };
  const pts = randomPoints(3000, 6);
  for (const region of ["easy-to-learn", "ambiguous", "hard-to-learn"]) {
    const mask = selectByRegion(pts, meta, region);
    assert.deepEqual(
      Array.from(mask),
      Array.from(pts.x, (x, i) => (regionOf(pts.y[i], x, meta) === region ? 1 : 0)),
    );
  }
});

test("combine: replace, shift-add (union), subtract; index/mask conversions", () => {
  const a = Uint8Array.from([1, 1, 0, 0, 1]);
  const b = Uint8Array.from([0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(combine(a, b, "replace")), [0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(combine(a, b, "add")), [1, 1, 1, 0, 1]);
  assert.deepEqual(Array.from(combine(a, b, "subtract")), [1, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(combine(null, b, "add")), [0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(a), [1, 1, 0, 0, 1]); // inputs untouched
  assert.throws(() => combine(a, b, "xor"), /unknown selection mode/);
  assert.deepEqual(Array.from(maskToIndexes(a)), [0, 1, 4]);
  assert.deepEqual(Array.from(indexesToMask([4, 0, 9, -1], 5)), [1, 0, 0, 0, 1]);
  assert.equal(countSelected(a), 3);
});

test("lasso matches the reference for tangled lassos at tiny, unit and huge scales", () => {
  const r = rng(12);
  for (const [scale, offset] of [
    [1e-6, 0.3],
    [1, 0],
    [1e5, -2e5],
  ]) {
    const n = 8000;
    const pts = { x: new Float64Array(n), y: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      pts.x[i] = offset + scale * r();
      pts.y[i] = offset + scale * r();
    }
    for (const m of [5, 60, 300]) {
      const poly = Array.from({ length: m }, () => ({ x: offset + scale * r(), y: offset + scale * r() }));
      const mask = selectLasso(pts, poly);
      let wrong = 0;
      for (let i = 0; i < n; i++)
        wrong += mask[i] !== (windingReference(pts.x[i], pts.y[i], poly) !== 0 ? 1 : 0) ? 1 : 0;
      assert.equal(wrong, 0, `scale ${scale}, ${m} vertices`);
    }
  }
});

test("positionsIn keeps ascending, unique positions in 0..n-1", () => {
  const out = positionsIn([7, 3, 3, -1, 10, 0, 9, 7], 10);
  assert.ok(out instanceof Int32Array);
  assert.deepEqual(Array.from(out), [0, 3, 7, 9]);
  assert.deepEqual(Array.from(positionsIn([], 5)), []);
});
