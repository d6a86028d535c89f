// @ts-check
// Multi-point selection on the map: rectangle, lasso, by gold label, by region.
//
// Everything works in data coordinates (x = variability, y = confidence), never in pixels:
// the view converts a gesture's client pixels to data units once (clientToData), so zoom and pan
// do not change what a gesture selects, and SVG and WebGL marks select alike. A selection is a
// Uint8Array mask (1 = selected) over all N points: union (shift-add), subtraction and counting
// are one pass, and huge N costs O(N) per gesture. Nothing here touches the DOM.
import { regionOf } from "./metrics.js";

/** Client pixel (cx, cy) -> data coordinates, the inverse of picking.js's transform. */
export function clientToData(transform, cx, cy) {
  const origin = transform.toClient(0, 0);
  return { x: (cx - origin.x) / transform.pxPerX, y: (cy - origin.y) / transform.pxPerY };
}

function emptyMask(n) {
  return new Uint8Array(n);
}

/**
 * Points inside the axis-aligned rectangle spanned by two corners (any order, borders
 * included). `visible` (optional mask) limits the selection to the points shown.
 */
export function selectRect(positions, corner1, corner2, { visible = null } = {}) {
  const { x, y } = positions;
  const n = x.length;
  const mask = emptyMask(n);
  const x0 = Math.min(corner1.x, corner2.x);
  const x1 = Math.max(corner1.x, corner2.x);
  const y0 = Math.min(corner1.y, corner2.y);
  const y1 = Math.max(corner1.y, corner2.y);
  if (!(x0 <= x1 && y0 <= y1)) return mask; // NaN corners: nothing
  for (let i = 0; i < n; i++) {
    const px = x[i];
    const py = y[i];
    if (px >= x0 && px <= x1 && py >= y0 && py <= y1 && (visible === null || visible[i])) mask[i] = 1;
  }
  return mask;
}

/** Lasso vertices as [x0, y0, x1, y1, ...] without non-finite or repeated points. */
function cleanPolygon(polygon) {
  const flat = [];
  const push = (px, py) => {
    if (!Number.isFinite(px) || !Number.isFinite(py)) return;
    const k = flat.length;
    if (k >= 2 && flat[k - 2] === px && flat[k - 1] === py) return;
    flat.push(px, py);
  };
  if (polygon.length && typeof polygon[0] === "object") for (const p of polygon) push(+p.x, +p.y);
  else for (let k = 0; k + 1 < polygon.length; k += 2) push(+polygon[k], +polygon[k + 1]);
  const k = flat.length;
  if (k >= 4 && flat[0] === flat[k - 2] && flat[1] === flat[k - 1]) flat.length = k - 2; // closed
  return flat;
}

/**
 * Non-horizontal edges, each stored from its lower end: a forward and a backward copy of the
 * same edge then compute the very same crossing and cancel exactly (degenerate lassos select
 * nothing). dir = +1 for an upward edge, -1 for a downward one (winding number).
 */
function edgesOf(flat) {
  const m = flat.length / 2;
  const lowY = [];
  const highY = [];
  const xAtLow = [];
  const slope = [];
  const dir = [];
  for (let k = 0; k < m; k++) {
    const ax = flat[2 * k];
    const ay = flat[2 * k + 1];
    const bx = flat[2 * ((k + 1) % m)];
    const by = flat[2 * ((k + 1) % m) + 1];
    if (ay === by) continue; // horizontal: never crossed under the half-open rule
    const up = by > ay;
    const [lx, ly, hx, hy] = up ? [ax, ay, bx, by] : [bx, by, ax, ay];
    lowY.push(ly);
    highY.push(hy);
    xAtLow.push(lx);
    slope.push((hx - lx) / (hy - ly));
    dir.push(up ? 1 : -1);
  }
  return {
    count: lowY.length,
    lowY: Float64Array.from(lowY),
    highY: Float64Array.from(highY),
    xAtLow: Float64Array.from(xAtLow),
    slope: Float64Array.from(slope),
    dir: Int8Array.from(dir),
  };
}

const CELLS_PER_BAND = 64;

/**
 * A bands x cells grid over the lasso's bounding box. For each cell: `base`, the winding
 * contributed by edges that cross the whole band strictly right of the cell (they count for
 * every point in it), and a list of the other edges that may count (they cross the cell, or
 * end inside the band), which each point tests exactly. A point thus tests a handful of edges
 * even when every edge of a tangled lasso spans the whole map. Classification uses a margin
 * `eps` far above rounding error, so it only ever moves an edge into the exact list.
 */
function cellIndex(edges, minX, maxX, minY, maxY) {
  const bands = Math.max(8, Math.min(1024, edges.count));
  const cells = CELLS_PER_BAND;
  const height = (maxY - minY) / bands;
  const width = (maxX - minX) / cells;
  const eps = 1e-9 * Math.max(1, Math.abs(minX), Math.abs(maxX), Math.abs(minY), Math.abs(maxY));
  const bandOf = (v) => Math.min(bands - 1, Math.max(0, Math.floor((v - minY) / height)));
  const cellOf = (v) => Math.min(cells - 1, Math.max(0, Math.floor((v - minX) / width)));
  const rowWidth = cells + 1;
  const diff = new Int32Array(bands * rowWidth); // per band: difference array of `base`
  const pairCell = [];
  const pairEdge = [];
  const { lowY, highY, xAtLow, slope, dir } = edges;
  for (let e = 0; e < edges.count; e++) {
    for (let b = bandOf(lowY[e]), last = bandOf(highY[e]); b <= last; b++) {
      const top = minY + b * height;
      const bottom = top + height;
      const spans = lowY[e] <= top - eps && highY[e] >= bottom + eps;
      const y0 = Math.max(lowY[e], top - eps);
      const y1 = Math.min(highY[e], bottom + eps);
      const xa = xAtLow[e] + (y0 - lowY[e]) * slope[e];
      const xb = xAtLow[e] + (y1 - lowY[e]) * slope[e];
      const c0 = cellOf(Math.min(xa, xb) - eps);
      const c1 = cellOf(Math.max(xa, xb) + eps);
      let first = 0;
      if (spans) {
        diff[b * rowWidth] += dir[e]; // cells left of c0: the edge is right of all their points
        diff[b * rowWidth + c0] -= dir[e];
        first = c0;
      }
      for (let c = first; c <= c1; c++) {
        pairCell.push(b * cells + c);
        pairEdge.push(e);
      }
    }
  }
  const base = new Int32Array(bands * cells);
  for (let b = 0; b < bands; b++) {
    let run = 0;
    for (let c = 0; c < cells; c++) {
      run += diff[b * rowWidth + c];
      base[b * cells + c] = run;
    }
  }
  const start = new Int32Array(bands * cells + 1);
  for (const cell of pairCell) start[cell + 1]++;
  for (let k = 0; k < bands * cells; k++) start[k + 1] += start[k];
  const list = new Int32Array(pairEdge.length);
  const fill = start.slice(0, bands * cells);
  for (let k = 0; k < pairEdge.length; k++) list[fill[pairCell[k]]++] = pairEdge[k];
  return { base, start, list, cellAt: (px, py) => bandOf(py) * cells + cellOf(px) };
}

/**
 * Points inside a lasso (polygon of data-coordinate vertices: [{x, y}, ...] or a flat
 * [x0, y0, x1, y1, ...]; closed implicitly). Uses the nonzero winding rule, so every area a
 * self-intersecting lasso encloses is selected (a figure-eight selects both loops; a loop drawn
 * twice round still selects its inside). Fewer than 3 distinct vertices, zero area or
 * non-finite vertices select nothing rather than garbage. Cost: O(N) with a few exact edge
 * tests per point (see cellIndex), plus O(edges x bands) to build the grid.
 */
export function selectLasso(positions, polygon, { visible = null } = {}) {
  const { x, y } = positions;
  const n = x.length;
  const mask = emptyMask(n);
  const flat = cleanPolygon(polygon || []);
  if (flat.length < 6) return mask;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < flat.length; k += 2) {
    minX = Math.min(minX, flat[k]);
    maxX = Math.max(maxX, flat[k]);
    minY = Math.min(minY, flat[k + 1]);
    maxY = Math.max(maxY, flat[k + 1]);
  }
  if (!(minX < maxX && minY < maxY)) return mask; // a line or a point: no area
  const edges = edgesOf(flat);
  const { base, start, list, cellAt } = cellIndex(edges, minX, maxX, minY, maxY);
  const { lowY, highY, xAtLow, slope, dir } = edges;
  for (let i = 0; i < n; i++) {
    const px = x[i];
    const py = y[i];
    if (!(px >= minX && px <= maxX && py >= minY && py < maxY)) continue;
    if (visible !== null && !visible[i]) continue;
    const cell = cellAt(px, py);
    let winding = base[cell];
    for (let k = start[cell], end = start[cell + 1]; k < end; k++) {
      const e = list[k];
      if (py < lowY[e] || py >= highY[e]) continue; // half-open: a vertex is crossed once
      if (xAtLow[e] + (py - lowY[e]) * slope[e] > px) winding += dir[e];
    }
    if (winding !== 0) mask[i] = 1;
  }
  return mask;
}

/** Points whose gold class (Uint16Array, as decoded by history.js) is one of `classes`. */
export function selectByClass(gold, classes, { visible = null } = {}) {
  const wanted = new Set(Array.from(classes, Number));
  const mask = emptyMask(gold.length);
  for (let i = 0; i < gold.length; i++) if (wanted.has(gold[i]) && (visible === null || visible[i])) mask[i] = 1;
  return mask;
}

/** Multilabel: points whose gold set (N x L multi-hot bytes, `_gold_sets`) holds `label`. */
export function selectByGoldLabel(goldSets, nLabels, label, { visible = null } = {}) {
  const n = nLabels > 0 ? Math.floor(goldSets.length / nLabels) : 0;
  const mask = emptyMask(n);
  for (let i = 0; i < n; i++) if (goldSets[i * nLabels + label] && (visible === null || visible[i])) mask[i] = 1;
  return mask;
}

/** Points in a region ("easy-to-learn", "ambiguous", "hard-to-learn") by the engine's rule. */
export function selectByRegion(positions, meta, region, { visible = null } = {}) {
  const { x, y } = positions;
  const mask = emptyMask(x.length);
  for (let i = 0; i < x.length; i++) {
    if (regionOf(y[i], x[i], meta) === region && (visible === null || visible[i])) mask[i] = 1;
  }
  return mask;
}

/**
 * A new gesture's mask combined with the current selection: "replace" (plain drag), "add"
 * (shift: union), "subtract". Returns a new mask; `current` may be null (nothing selected).
 */
export function combine(current, next, mode = "replace") {
  if (mode === "replace" || current === null) return mode === "subtract" ? emptyMask(next.length) : next.slice();
  const out = current.slice();
  if (mode === "add") for (let i = 0; i < out.length; i++) out[i] |= next[i];
  else if (mode === "subtract") for (let i = 0; i < out.length; i++) out[i] &= next[i] ^ 1;
  else throw new Error(`unknown selection mode ${mode}`);
  return out;
}

/** Selected positions in ascending order (Int32Array). */
export function maskToIndexes(mask) {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i] ? 1 : 0;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/** Mask of n points from a list of positions (out-of-range positions are ignored). */
export function indexesToMask(indexes, n) {
  const mask = emptyMask(n);
  for (const i of indexes) if (i >= 0 && i < n) mask[i] = 1;
  return mask;
}

export function countSelected(mask) {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i] ? 1 : 0;
  return count;
}

/**
 * Positions (any order, repeats allowed) -> ascending, unique Int32Array of those in 0..n-1.
 * @param {ArrayLike<number>} indexes @param {number} n
 */
export function positionsIn(indexes, n) {
  const out = Int32Array.from(indexes).sort();
  let k = 0;
  for (let j = 0; j < out.length; j++) {
    const i = out[j];
    if (i >= 0 && i < n && (k === 0 || out[k - 1] !== i)) out[k++] = i;
  }
  return out.slice(0, k);
}
