// The map's own overlay canvas, over the plot area, for both renderers: the multi-point
// selection, search matches, decided points and the current point; and, when the points are
// coloured by something else than correctness or filtered by gold label, the points themselves
// (the base layer, bqplot's SVG dots or the raster canvas, is then hidden in this view only).
// Positions go through the same data -> client transform as picking, so what is drawn is what
// a click or a drag selects, zoomed or not.

import { rgba } from "./map_style.js";
import { dataToClientTransform } from "./picking.js";
import { discOffsets } from "./raster.js";
import { emphasised, faded, outlineOf } from "./selection_style.js";

const SELECTED = rgba("#111111");
const SEARCH = rgba("#ff00cc");
const DECIDED = rgba("#000000");

/** Offsets of a ring (annulus) between radii r0 and r1 px, flat [dx, dy, ...]. */
export function ringOffsets(r0, r1) {
  const out = [];
  const R = Math.ceil(r1);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const d2 = dx * dx + dy * dy;
      if (d2 >= r0 * r0 && d2 <= r1 * r1 + 0.25) out.push(dx, dy);
    }
  }
  return Int32Array.from(out);
}

/** Write `color` (RGBA uint32, or a per-point array) at offsets around each listed point. */
function stamp(pixels, width, clip, px, py, offsets, color) {
  const m = offsets.length;
  for (let k = 0; k < m; k += 2) {
    const qx = px + offsets[k];
    const qy = py + offsets[k + 1];
    if (qx >= clip.x0 && qx < clip.x1 && qy >= clip.y0 && qy < clip.y1) pixels[qy * width + qx] = color;
  }
}

export function mountOverlay({ figureView, pointsView, sizeOf }) {
  const canvas = document.createElement("canvas");
  canvas.className = "dmw-overlay";
  Object.assign(canvas.style, { position: "absolute", left: "0px", top: "0px", pointerEvents: "none" });
  const host = figureView.el;
  if (getComputedStyle(host).position === "static") host.style.position = "relative";
  host.appendChild(canvas);
  let ctx = null;
  let image = null;

  function place() {
    const width = Math.max(1, Math.round(host.clientWidth));
    const height = Math.max(1, Math.round(host.clientHeight));
    if (canvas.width !== width || canvas.height !== height || !image) {
      canvas.width = width;
      canvas.height = height;
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      ctx = canvas.getContext("2d");
      image = ctx.createImageData(width, height);
    }
  }

  /**
   * Draw. `state`: {positions, colors (Uint32Array|null: each point's colour), drawPoints (draw
   * every point here: the base layer is hidden), visible (mask|null), selection (Int32Array),
   * hits (Int32Array|null), reviewCodes, current (index|null)}. A selection of several points
   * is drawn again over the faded map, in colour and outlined (selection_style.js).
   */
  function draw(state) {
    place();
    const pixels = new Uint32Array(image.data.buffer);
    pixels.fill(0);
    const tr = dataToClientTransform(pointsView);
    if (!tr || !state.positions) {
      ctx.putImageData(image, 0, 0);
      return;
    }
    const box = host.getBoundingClientRect();
    const o = tr.toClient(0, 0);
    const x0 = o.x - box.left;
    const y0 = o.y - box.top;
    const kx = tr.pxPerX;
    const ky = tr.pxPerY;
    const sx = pointsView.scales.x.model;
    const sy = pointsView.scales.y.model;
    const xa = x0 + kx * Number(sx.get("min"));
    const xb = x0 + kx * Number(sx.get("max"));
    const ya = y0 + ky * Number(sy.get("min"));
    const yb = y0 + ky * Number(sy.get("max"));
    const clip = {
      x0: Math.max(0, Math.floor(Math.min(xa, xb))),
      x1: Math.min(image.width, Math.ceil(Math.max(xa, xb))),
      y0: Math.max(0, Math.floor(Math.min(ya, yb))),
      y1: Math.min(image.height, Math.ceil(Math.max(ya, yb))),
    };
    const { x, y } = state.positions;
    const W = image.width;
    const shown = (i) => state.visible === null || state.visible[i];
    const pxOf = (i) => Math.round(x0 + kx * x[i]);
    const pyOf = (i) => Math.round(y0 + ky * y[i]);
    const area = sizeOf();
    const r = Math.max(1, Math.sqrt(area / Math.PI));
    const disc = discOffsets(area);
    const emphasis = emphasised(state.selection) && state.colors !== null;
    if (state.drawPoints) {
      const colorOf = emphasis ? (i) => faded(state.colors[i]) : (i) => state.colors[i];
      for (let i = 0, n = x.length; i < n; i++)
        if (shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), disc, colorOf(i));
    }
    if (emphasis) {
      const outline = ringOffsets(r - 0.5, r + 1);
      const picked = state.selection.filter((i) => i < x.length && shown(i));
      for (const i of picked) stamp(pixels, W, clip, pxOf(i), pyOf(i), outline, outlineOf(state.colors[i]));
      for (const i of picked) stamp(pixels, W, clip, pxOf(i), pyOf(i), disc, state.colors[i]);
    }
    if (state.reviewCodes) {
      const dot = discOffsets(Math.min(area, 7));
      const codes = state.reviewCodes;
      for (let i = 0, n = Math.min(x.length, codes.length); i < n; i++)
        if (codes[i] && shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), dot, DECIDED);
    }
    if (state.hits && state.hits.length) {
      const ring = ringOffsets(r + 0.5, r + 2.5);
      for (const i of state.hits) if (i < x.length && shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), ring, SEARCH);
    }
    if (state.selection.length && !emphasis) {
      const ring = ringOffsets(
        r + (state.hits && state.hits.length ? 2.5 : 0.5),
        r + (state.hits && state.hits.length ? 4 : 2),
      );
      for (const i of state.selection)
        if (i < x.length && shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), ring, SELECTED);
    }
    if ((state.drawPoints || emphasis) && state.current !== null && state.current < x.length) {
      stamp(pixels, W, clip, pxOf(state.current), pyOf(state.current), ringOffsets(r + 3, r + 5.5), SELECTED);
    }
    ctx.putImageData(image, 0, 0);
  }

  return { canvas, draw, dispose: () => canvas.remove() };
}
