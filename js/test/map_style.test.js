// Node tests of the map-side pure modules: colours / filter (map_style.js), the synced
// selection value (selection_sync.js), tooltip text helpers (tooltip.js), overlay ring shape.

import assert from "node:assert/strict";
import { test } from "node:test";
import { goldNameOf } from "../src/examples.js";
import { CATEGORY_COLORS, filterMask, legendOf, pointColors, REVIEW_COLORS, rgba } from "../src/map_style.js";
import { regionOf } from "../src/metrics.js";
import { ringOffsets } from "../src/overlay.js";
import { BASE_OPACITY, emphasised, faded, outlineOf, WASH } from "../src/selection_style.js";
import { decodeSelection, encodeSelection } from "../src/selection_sync.js";
import { SNIPPET_CHARS, snippet } from "../src/tooltip.js";

const meta = {
  task: "multiclass",
  class_names: ["a", "b", "c"],
  variability_threshold: 0.2,
  confidence_threshold: 0.5,
};
const positions = {
  x: Float32Array.from([0.1, 0.3, 0.05, 0.1]),
  y: Float32Array.from([0.9, 0.5, 0.2, 0.6]),
  color: Float32Array.from([1, 0.5, 0, 0.25]),
};

test("rgba packs #rrggbb as ImageData bytes r, g, b, a", () => {
  const v = rgba("#102030");
  const bytes = new Uint8Array(Uint32Array.of(v).buffer);
  assert.deepEqual(Array.from(bytes), [0x10, 0x20, 0x30, 255]);
});

test("colour by gold / region / reviewed / score", () => {
  const gold = Uint16Array.from([0, 2, 1, 12]);
  const byGold = pointColors("gold", { positions, gold, meta });
  assert.deepEqual(
    Array.from(byGold),
    [0, 2, 1, 12].map((g) => rgba(CATEGORY_COLORS[g % CATEGORY_COLORS.length])),
  );
  const byRegion = pointColors("region", { positions, meta });
  const regions = Array.from(positions.x, (x, i) => regionOf(positions.y[i], x, meta));
  assert.deepEqual(regions, ["easy-to-learn", "ambiguous", "hard-to-learn", "easy-to-learn"]);
  assert.equal(byRegion[0], byRegion[3]);
  assert.notEqual(byRegion[0], byRegion[1]);
  assert.notEqual(byRegion[1], byRegion[2]);
  const codes = Uint8Array.from([0, 1, 2, 3]);
  assert.deepEqual(
    Array.from(pointColors("reviewed", { positions, meta, reviewCodes: codes })),
    REVIEW_COLORS.map(rgba),
  );
  const scores = Float32Array.from([0, 1, NaN, 0.5]);
  const byScore = pointColors("score", { positions, meta, scores });
  assert.equal(byScore[2], rgba("#c8c8c8"), "NaN score is grey");
  assert.notEqual(byScore[0], byScore[1]);
  // correctness (and score without scores) falls back to the correctness colours
  const byCorrect = pointColors("correctness", { positions, meta, correctnessColors: ["#000000", "#ffffff"] });
  assert.equal(byCorrect[0], rgba("#ffffff"));
  assert.equal(byCorrect[2], rgba("#000000"));
});

test("gold filter mask: classes and multilabel label sets; null means no filter", () => {
  const gold = Uint16Array.from([0, 2, 1, 2]);
  assert.equal(filterMask(null, { n: 4, gold }), null);
  assert.deepEqual(Array.from(filterMask(2, { n: 4, gold })), [0, 1, 0, 1]);
  const goldSets = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1]); // 4 examples x 2 labels
  assert.deepEqual(Array.from(filterMask(1, { n: 4, goldSets, nLabels: 2, multilabel: true })), [0, 1, 0, 1]);
});

test("legend of categorical modes; label names kept as given (data)", () => {
  const names = ["<b>x</b>", "y"];
  assert.deepEqual(
    legendOf("gold", names).map((e) => e[0]),
    names,
  );
  assert.equal(legendOf("region", names).length, 3);
  assert.deepEqual(legendOf("correctness", names), []);
});

test("selection value round trip: int32, ascending, unique, in range", () => {
  const value = encodeSelection(Int32Array.from([1, 5, 9]));
  assert.equal(value.dtype, "int32");
  assert.deepEqual(value.shape, [3]);
  assert.equal(value.buffer.byteLength, 12);
  assert.deepEqual(Array.from(decodeSelection(value, 10)), [1, 5, 9]);
  const messy = encodeSelection(Int32Array.from([9, -1, 5, 5, 42, 1]));
  assert.deepEqual(Array.from(decodeSelection(messy, 10)), [1, 5, 9]);
  assert.deepEqual(Array.from(decodeSelection(null, 10)), []);
  assert.deepEqual(Array.from(decodeSelection({}, 10)), []);
  assert.throws(
    () => decodeSelection({ dtype: "float32", shape: [1], buffer: new DataView(new ArrayBuffer(4)) }, 10),
    /int32/,
  );
  assert.throws(
    () => decodeSelection({ dtype: "int32", shape: [3], buffer: new DataView(new ArrayBuffer(4)) }, 10),
    /bytes/,
  );
  const big = Int32Array.from({ length: 20000 }, (_, i) => 2 * i);
  assert.deepEqual(decodeSelection(encodeSelection(big), 40000), big);
});

test("tooltip snippet and gold names", () => {
  assert.equal(snippet("short"), "short");
  const long = "é".repeat(SNIPPET_CHARS + 5);
  assert.equal(snippet(long), `${"é".repeat(SNIPPET_CHARS)}…`);
  assert.equal(snippet("😀".repeat(SNIPPET_CHARS)), "😀".repeat(SNIPPET_CHARS), "code points, not UTF-16 units");
  assert.equal(goldNameOf(1, { meta, gold: Uint16Array.from([0, 2]) }), "c");
  const ml = { task: "multilabel", label_names: ["joy", "<i>anger</i>"] };
  assert.equal(goldNameOf(0, { meta: ml, goldSets: Uint8Array.from([1, 1, 0, 0]) }), "joy, <i>anger</i>");
  assert.equal(goldNameOf(1, { meta: ml, goldSets: Uint8Array.from([1, 1, 0, 0]) }), "(none)");
});

test("overlay ring offsets lie between the two radii", () => {
  const ring = ringOffsets(3, 5);
  assert.ok(ring.length > 0);
  for (let k = 0; k < ring.length; k += 2) {
    const d = Math.hypot(ring[k], ring[k + 1]);
    assert.ok(d >= 3 && d <= 5.03, `offset at distance ${d}`);
  }
});

test("a selection fades the rest of the map as the base layer's opacity does, and outlines in a darker own colour", () => {
  const bytes = (word) => Array.from(new Uint8Array(Uint32Array.of(word).buffer));
  const blue = rgba("#4575b4");
  // the overlay's own faded colour = the base layer at BASE_OPACITY over the white plot
  const over = [0x45, 0x75, 0xb4].map((c) => Math.trunc(c * Number(BASE_OPACITY) + 255 * WASH));
  assert.deepEqual(bytes(faded(blue)), [...over, 255]);
  assert.deepEqual(bytes(faded(rgba("#ffffff"))), [255, 255, 255, 255]);
  const [r, g, b, a] = bytes(outlineOf(blue));
  assert.ok(r < 0x45 && g < 0x75 && b < 0xb4 && a === 255);
  assert.ok(b > g && g > r, "the outline keeps the hue");
  assert.equal(emphasised([3]), false); // one point: its ring alone
  assert.equal(emphasised(Int32Array.of(3, 9)), true);
});
