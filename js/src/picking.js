// @ts-check
// Pixel geometry of the map and nearest-point picking, identical for the SVG and WebGL marks.

/**
 * Affine map data -> client (viewport) pixels for a bqplot mark view:
 * the mark's own d3 scales give plot-area pixels; the mark element's screen CTM places them.
 */
export function dataToClientTransform(markView) {
  const sx = markView.scales.x;
  const sy = markView.scales.y;
  const ox = sx.offset || 0;
  const oy = sy.offset || 0;
  const x0 = sx.scale(0) + ox;
  const ax = sx.scale(1) + ox - x0;
  const y0 = sy.scale(0) + oy;
  const ay = sy.scale(1) + oy - y0;
  const ctm = markView.el.getScreenCTM();
  if (!ctm) return null;
  return {
    // local plot pixels (px, py) = (x0 + ax*x, y0 + ay*y); client = CTM * local
    toClient(x, y) {
      const px = x0 + ax * x;
      const py = y0 + ay * y;
      return { x: ctm.a * px + ctm.c * py + ctm.e, y: ctm.b * px + ctm.d * py + ctm.f };
    },
    // pixels per data unit along each axis, in client space (no rotation in a bqplot figure)
    pxPerX: ax * ctm.a,
    pxPerY: ay * ctm.d,
  };
}

/**
 * Index of the point nearest to the client position (cx, cy) within `radius` pixels, or null
 * (only points whose `visible` mask entry is set, when a mask is given).
 * Linear scan over Float32Arrays: ~1 ms at 43k points, ~20 ms at 1M.
 */
export function pickNearest(positions, transform, cx, cy, radius, visible = null) {
  const { x, y } = positions;
  const origin = transform.toClient(0, 0);
  const kx = transform.pxPerX;
  const ky = transform.pxPerY;
  const tx = cx - origin.x;
  const ty = cy - origin.y;
  let best = null;
  let bestD2 = radius * radius;
  for (let i = 0, n = x.length; i < n; i++) {
    const dx = x[i] * kx - tx;
    if (dx > radius || dx < -radius) continue;
    if (visible !== null && !visible[i]) continue; // filtered out: not shown, not picked
    const dy = y[i] * ky - ty;
    const d2 = dx * dx + dy * dy;
    if (d2 <= bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}
