// @ts-check
// The "moved" view's geometry (pure, no DOM): how each example moved between the compared run's
// map and the shown run's. Every point: averaged per grid cell (binned by where it starts), so
// the picture reads the same at 600 or 600,000 points; the selection: one arrow per point.
// Examples present in one run only (a non-finite position in the other) have no shift.

/**
 * Mean shift per cell of a cols x rows grid over `domain` ({x: [lo, hi], y: [lo, hi]}): points
 * binned by their start (`from`, the other run's map), each cell holding their count and the mean
 * start and end (`to`, the shown run's map). Points outside the domain, hidden by `visible` (a
 * mask) or missing from either run are left out.
 * @param {{x: ArrayLike<number>, y: ArrayLike<number>}} from
 * @param {{x: ArrayLike<number>, y: ArrayLike<number>}} to
 * @param {{x: number[], y: number[]}} domain @param {number} cols @param {number} rows
 * @param {Uint8Array | null} [visible]
 */
export function flowField(from, to, domain, cols, rows, visible = null) {
  const cells = cols * rows;
  const count = new Int32Array(cells);
  const sums = [new Float64Array(cells), new Float64Array(cells), new Float64Array(cells), new Float64Array(cells)];
  const [fx, fy, tx, ty] = sums;
  const [x0, x1] = domain.x;
  const [y0, y1] = domain.y;
  const kx = cols / (x1 - x0);
  const ky = rows / (y1 - y0);
  for (let i = 0, n = from.x.length; i < n; i++) {
    const ax = from.x[i];
    const ay = from.y[i];
    const bx = to.x[i];
    const by = to.y[i];
    if (!(Number.isFinite(ax) && Number.isFinite(ay) && Number.isFinite(bx) && Number.isFinite(by))) continue;
    if (visible !== null && !visible[i]) continue;
    const c = Math.floor((ax - x0) * kx);
    const r = Math.floor((ay - y0) * ky);
    if (c < 0 || c >= cols || r < 0 || r >= rows) continue;
    const cell = r * cols + c;
    count[cell] += 1;
    fx[cell] += ax;
    fy[cell] += ay;
    tx[cell] += bx;
    ty[cell] += by;
  }
  let max = 0;
  for (let cell = 0; cell < cells; cell++) {
    const k = count[cell];
    if (!k) continue;
    max = Math.max(max, k);
    for (const s of sums) s[cell] /= k;
  }
  return { cols, rows, count, fx, fy, tx, ty, max };
}

/**
 * The points of `indexes` that get their own arrow: those present in both runs (and shown),
 * at most `max` of them, evenly spread over the list. Returns {picked, total}.
 * @param {ArrayLike<number>} indexes
 * @param {{x: ArrayLike<number>}} from @param {{x: ArrayLike<number>}} to
 * @param {number} max @param {Uint8Array | null} [visible]
 */
export function arrowPoints(indexes, from, to, max, visible = null) {
  const both = [];
  for (let j = 0; j < indexes.length; j++) {
    const i = indexes[j];
    if (Number.isFinite(from.x[i]) && Number.isFinite(to.x[i]) && (visible === null || visible[i])) both.push(i);
  }
  if (both.length <= max) return { picked: both, total: both.length };
  const picked = [];
  for (let k = 0; k < max; k++) picked.push(both[Math.floor((k * both.length) / max)]);
  return { picked, total: both.length };
}

/**
 * The two barbs of an arrowhead at (bx, by) for a shaft from (ax, ay), `size` px long:
 * [lx, ly, rx, ry]; null when the shaft is too short to point anywhere.
 * @param {number} ax @param {number} ay @param {number} bx @param {number} by @param {number} size
 */
export function arrowHead(ax, ay, bx, by, size) {
  const dx = bx - ax;
  const dy = by - ay;
  const len = Math.hypot(dx, dy);
  if (len < 1.5) return null;
  const ux = dx / len;
  const uy = dy / len;
  const s = Math.min(size, len * 0.6);
  const w = s * 0.5;
  return [bx - s * ux + w * uy, by - s * uy - w * ux, bx - s * ux - w * uy, by - s * uy + w * ux];
}
