// The "moved" view's canvas, over the plot area of one map view: every example's shift from its
// place on the compared run's map to the shown run's, averaged per grid cell (grey arrows, darker
// and wider where more examples moved together), and one arrow per selected example (or for the
// current point). Drawn with the same data -> client transform as picking, zoomed or not.

import { arrowHead, arrowPoints, flowField } from "./moved.js";
import { dataToClientTransform } from "./picking.js";

const GRID = 28; // cells across the visible plot, each way
const MAX_ARROWS = 4000; // more selected examples: an evenly spread subset gets arrows
const FLOW = "51, 51, 51"; // rgb of the cell arrows
const OWN_ALPHA = 0.8; // for a few selected arrows; fainter as there are more (they overlap)

export function mountMovedLayer({ figureView, pointsView }) {
  const canvas = document.createElement("canvas");
  canvas.className = "dmw-moved";
  Object.assign(canvas.style, { position: "absolute", left: "0px", top: "0px", pointerEvents: "none" });
  const host = figureView.el;
  host.appendChild(canvas);
  let drawn = { cells: 0, arrows: 0, selected: 0 };

  function place() {
    const width = Math.max(1, Math.round(host.clientWidth));
    const height = Math.max(1, Math.round(host.clientHeight));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    return canvas.getContext("2d");
  }

  function arrow(ctx, ax, ay, bx, by, head) {
    ctx.moveTo(ax, ay);
    ctx.lineTo(bx, by);
    const barbs = arrowHead(ax, ay, bx, by, head);
    if (!barbs) return;
    ctx.moveTo(barbs[0], barbs[1]);
    ctx.lineTo(bx, by);
    ctx.lineTo(barbs[2], barbs[3]);
  }

  /**
   * Draw the shifts (`state`: {from, to (positions {x, y}), selection (Int32Array), current
   * (index | null), visible (mask | null)}), or clear the layer (`state` null).
   */
  function draw(state) {
    const ctx = place();
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = { cells: 0, arrows: 0, selected: 0 };
    const tr = state && state.from && state.to ? dataToClientTransform(pointsView) : null;
    if (!tr) return drawn;
    const box = host.getBoundingClientRect();
    const o = tr.toClient(0, 0);
    const px = (x) => o.x - box.left + tr.pxPerX * x;
    const py = (y) => o.y - box.top + tr.pxPerY * y;
    const sx = pointsView.scales.x.model;
    const sy = pointsView.scales.y.model;
    const domain = {
      x: [Number(sx.get("min")), Number(sx.get("max"))],
      y: [Number(sy.get("min")), Number(sy.get("max"))],
    };
    ctx.save();
    ctx.beginPath();
    const [xa, xb] = domain.x.map(px);
    const [ya, yb] = domain.y.map(py);
    ctx.rect(Math.min(xa, xb), Math.min(ya, yb), Math.abs(xb - xa), Math.abs(yb - ya));
    ctx.clip();
    ctx.lineCap = "round";
    const field = flowField(state.from, state.to, domain, GRID, GRID, state.visible);
    for (let cell = 0; cell < field.count.length; cell++) {
      const k = field.count[cell];
      if (!k) continue;
      const weight = Math.sqrt(k / field.max);
      ctx.beginPath();
      ctx.strokeStyle = `rgba(${FLOW}, ${(0.25 + 0.6 * weight).toFixed(3)})`;
      ctx.lineWidth = 1 + 2.5 * weight;
      arrow(ctx, px(field.fx[cell]), py(field.fy[cell]), px(field.tx[cell]), py(field.ty[cell]), 6);
      ctx.stroke();
      drawn.cells += 1;
    }
    const own = state.selection.length ? state.selection : state.current === null ? [] : [state.current];
    const { picked, total } = arrowPoints(own, state.from, state.to, MAX_ARROWS, state.visible);
    ctx.beginPath();
    const alpha = Math.max(0.25, Math.min(OWN_ALPHA, OWN_ALPHA * Math.sqrt(50 / Math.max(1, picked.length))));
    ctx.strokeStyle = `rgba(0, 0, 0, ${alpha.toFixed(3)})`;
    ctx.lineWidth = own.length === 1 ? 2 : 1;
    for (const i of picked)
      arrow(ctx, px(state.from.x[i]), py(state.from.y[i]), px(state.to.x[i]), py(state.to.y[i]), 5);
    ctx.stroke();
    ctx.restore();
    drawn.arrows = picked.length;
    drawn.selected = total;
    return drawn;
  }

  return { canvas, draw, drawn: () => drawn, dispose: () => canvas.remove() };
}
