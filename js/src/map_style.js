// @ts-check
// How the map colours and filters its points (pure, no DOM): per-point RGBA for a colour mode,
// the mask of points shown under a gold-label filter. Drawn by overlay.js for both renderers.

import { REGIONS, regionOf } from "./metrics.js";
import { colorTable } from "./raster.js";

export const COLOR_MODES = ["correctness", "gold", "region", "reviewed", "score"];
// Categorical palette (Tableau 10), repeated for more classes.
export const CATEGORY_COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
export const REGION_COLORS = { "easy-to-learn": "#4575b4", ambiguous: "#9b59b6", "hard-to-learn": "#d73027" };
// 0 not reviewed, 1 correct, 2 wrong, 3 removed (decision_outbox.js / ReviewLog.verdict_codes)
export const REVIEW_COLORS = ["#c8c8c8", "#2ca02c", "#ff7f0e", "#222222"];
export const REVIEW_NAMES = ["not reviewed", "label correct", "label wrong", "removed"];
export const SCORE_COLORS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
const MISSING = "#c8c8c8";

/** "#rrggbb" -> little-endian RGBA uint32 (ImageData byte order), opaque. */
export function rgba(hex) {
  const v = parseInt(String(hex).replace("#", ""), 16);
  return ((255 << 24) | ((v & 255) << 16) | (v & 0xff00) | ((v >> 16) & 255)) >>> 0;
}

function tableColor(table, t) {
  return table[t >= 1 ? 255 : t <= 0 ? 0 : (t * 255 + 0.5) | 0];
}

/**
 * Uint32Array of RGBA per point for `mode`. `state`: {positions, gold (Uint16Array), meta,
 * reviewCodes (Uint8Array|null), scores (Float32Array|null), correctnessColors}.
 * Scores are scaled min..max of the finite values; NaN / missing are grey.
 */
export function pointColors(mode, state) {
  const { positions, gold, meta, reviewCodes, scores } = state;
  const n = positions.x.length;
  const out = new Uint32Array(n);
  if (mode === "gold") {
    const palette = CATEGORY_COLORS.map(rgba);
    for (let i = 0; i < n; i++) out[i] = gold && i < gold.length ? palette[gold[i] % palette.length] : rgba(MISSING);
  } else if (mode === "region") {
    const byName = Object.fromEntries(REGIONS.map((r) => [r, rgba(REGION_COLORS[r])]));
    for (let i = 0; i < n; i++) out[i] = byName[regionOf(positions.y[i], positions.x[i], meta)];
  } else if (mode === "reviewed") {
    const palette = REVIEW_COLORS.map(rgba);
    for (let i = 0; i < n; i++) out[i] = palette[reviewCodes && reviewCodes[i] < palette.length ? reviewCodes[i] : 0];
  } else if (mode === "score" && scores) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++)
      if (Number.isFinite(scores[i])) {
        lo = Math.min(lo, scores[i]);
        hi = Math.max(hi, scores[i]);
      }
    const table = colorTable(SCORE_COLORS);
    const span = hi > lo ? hi - lo : 1;
    for (let i = 0; i < n; i++)
      out[i] = Number.isFinite(scores[i]) ? tableColor(table, (scores[i] - lo) / span) : rgba(MISSING);
  } else {
    const table = colorTable(state.correctnessColors || ["#d73027", "#4575b4"]);
    for (let i = 0; i < n; i++) out[i] = tableColor(table, positions.color[i]);
  }
  return out;
}

/**
 * Mask of the points shown under a gold filter (null: no filter, all shown). Multilabel:
 * `filter` is a label index over `goldSets` (N x L bytes); else a class index over `gold`.
 */
export function filterMask(filter, { n, gold, goldSets, nLabels, multilabel }) {
  if (filter === null || filter === undefined) return null;
  const mask = new Uint8Array(n);
  if (multilabel) for (let i = 0; i < n; i++) mask[i] = goldSets[i * nLabels + filter] ? 1 : 0;
  else for (let i = 0; i < n; i++) mask[i] = gold[i] === filter ? 1 : 0;
  return mask;
}

/** Legend entries [[name, "#rrggbb"], ...] of a categorical mode (empty for continuous ones). */
export function legendOf(mode, classNames) {
  if (mode === "gold") return classNames.map((name, k) => [String(name), CATEGORY_COLORS[k % CATEGORY_COLORS.length]]);
  if (mode === "region") return REGIONS.map((r) => [r, REGION_COLORS[r]]);
  if (mode === "reviewed") return REVIEW_NAMES.map((name, k) => [name, REVIEW_COLORS[k]]);
  if (mode === "score")
    return [
      ["low score", SCORE_COLORS[0]],
      ["high score (likely mislabeled)", SCORE_COLORS[4]],
    ];
  return [];
}
