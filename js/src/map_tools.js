// Pointer gestures on one map view, all page-side (they work while a training cell runs):
// click = select one point (shift: add it), click on empty space = clear; drag = rectangle
// selection, alt-drag = lasso, shift adds to the selection; ctrl/meta-drag or middle-drag = pan;
// wheel = zoom about the pointer; hover = tooltip. Zoom and pan change the shared x/y scales'
// min/max client-side (never saved), so every view, the picking and the selection follow; a
// gesture's pixels are converted to data coordinates once, so selections are exact when zoomed.
import { pickNearest } from "./picking.js";
import { clientToData, combine, indexesToMask, maskToIndexes, selectLasso, selectRect } from "./selection.js";

const DRAG_PX = 4; // a press that moves less than this is a click
const ZOOM_STEP = 0.0015; // per wheel delta unit
const MIN_SPAN = 1e-4;

export function mountMapTools({ ctrl, container, transform, pickRadius, visibleMask, tooltip, scales }) {
  const svgNS = "http://www.w3.org/2000/svg";
  const shape = document.createElementNS(svgNS, "svg");
  shape.setAttribute("class", "dmw-gesture");
  Object.assign(shape.style, {
    position: "absolute",
    left: "0",
    top: "0",
    width: "100%",
    height: "100%",
    pointerEvents: "none",
    overflow: "visible",
  });
  const path = document.createElementNS(svgNS, "polygon");
  shape.appendChild(path);
  shape.style.display = "none";
  if (getComputedStyle(container).position === "static") container.style.position = "relative";
  container.appendChild(shape);
  let press = null; // {x, y, mode, points, domain}
  let swallowClick = false;
  // Where the button went up, as pointer events give it: fractional with OS scaling or browser
  // zoom, while Chromium truncates a click's clientX/clientY to whole pixels, which would pick
  // a neighbour of the point the tooltip (fed by pointermove) names.
  let releasedAt = null;
  let hoverFrame = 0;
  let lastMove = null;

  function inPlot(cx, cy) {
    const tr = transform();
    if (!tr) return false;
    const d = clientToData(tr, cx, cy);
    const [x0, x1] = scales.domain("x");
    const [y0, y1] = scales.domain("y");
    return d.x >= x0 && d.x <= x1 && d.y >= y0 && d.y <= y1;
  }

  function drawShape(points) {
    const box = container.getBoundingClientRect();
    path.setAttribute("points", points.map((p) => `${p.x - box.left},${p.y - box.top}`).join(" "));
    shape.style.display = "";
  }

  function finishSelection(maskNew, add) {
    const current = add && ctrl.selection.length ? indexesToMask(ctrl.selection, ctrl.n) : null;
    ctrl.setSelection(maskToIndexes(combine(current, maskNew, add ? "add" : "replace")));
  }

  function onPointerDown(event) {
    if (ctrl.shown === 0 || (event.button !== 0 && event.button !== 1)) return;
    if (!inPlot(event.clientX, event.clientY)) return;
    const pan = event.button === 1 || event.ctrlKey || event.metaKey;
    const mode = pan ? "pan" : event.altKey ? "lasso" : "rect";
    press = {
      x: event.clientX,
      y: event.clientY,
      mode,
      add: event.shiftKey,
      moved: false,
      points: [{ x: event.clientX, y: event.clientY }],
      domain: { x: scales.domain("x"), y: scales.domain("y") },
    };
    if (event.button === 1 || event.altKey || pan) event.preventDefault();
    try {
      container.setPointerCapture(event.pointerId);
    } catch {
      // synthetic events have no active pointer: the gesture still works without capture
    }
  }

  function onPointerMove(event) {
    lastMove = event;
    if (press) {
      if (!press.moved && Math.hypot(event.clientX - press.x, event.clientY - press.y) < DRAG_PX) return;
      press.moved = true;
      tooltip.hide();
      if (press.mode === "pan") {
        const tr = transform();
        if (!tr) return;
        const dx = (event.clientX - press.x) / tr.pxPerX;
        const dy = (event.clientY - press.y) / tr.pxPerY;
        scales.set("x", press.domain.x[0] - dx, press.domain.x[1] - dx);
        scales.set("y", press.domain.y[0] - dy, press.domain.y[1] - dy);
      } else if (press.mode === "lasso") {
        press.points.push({ x: event.clientX, y: event.clientY });
        drawShape(press.points);
      } else {
        const a = press.points[0];
        press.points = [a, { x: event.clientX, y: event.clientY }];
        drawShape([
          a,
          { x: event.clientX, y: a.y },
          { x: event.clientX, y: event.clientY },
          { x: a.x, y: event.clientY },
        ]);
      }
      return;
    }
    if (!hoverFrame) hoverFrame = requestAnimationFrame(hover);
  }

  function hover() {
    hoverFrame = 0;
    const event = lastMove;
    if (!event || press || ctrl.shown === 0) return;
    const tr = transform();
    const i = tr ? pickNearest(ctrl.positions, tr, event.clientX, event.clientY, pickRadius(), visibleMask()) : null;
    tooltip.show(i, event.clientX, event.clientY);
  }

  function onPointerUp(event) {
    releasedAt = { x: event.clientX, y: event.clientY };
    const p = press;
    press = null;
    shape.style.display = "none";
    if (!p || !p.moved) return;
    swallowClick = true; // the click that ends a drag is not a click
    setTimeout(() => (swallowClick = false), 0);
    if (p.mode === "pan") return;
    const tr = transform();
    if (!tr) return;
    if (p.mode === "rect") {
      const a = clientToData(tr, p.x, p.y);
      const b = clientToData(tr, event.clientX, event.clientY);
      finishSelection(selectRect(ctrl.positions, a, b, { visible: visibleMask() }), p.add);
    } else {
      p.points.push({ x: event.clientX, y: event.clientY });
      const polygon = p.points.map((q) => clientToData(tr, q.x, q.y));
      finishSelection(selectLasso(ctrl.positions, polygon, { visible: visibleMask() }), p.add);
    }
  }

  /** The click's position: the pointerup's unrounded one when it is this click's. */
  function clickPoint(event) {
    const up = releasedAt;
    releasedAt = null;
    if (up && Math.abs(up.x - event.clientX) < 1 && Math.abs(up.y - event.clientY) < 1) return up;
    return { x: event.clientX, y: event.clientY };
  }

  function onClick(event) {
    const at = clickPoint(event);
    if (swallowClick) {
      swallowClick = false;
      event.stopPropagation();
      return;
    }
    if (ctrl.shown === 0) return;
    const tr = transform();
    if (!tr) return;
    const i = pickNearest(ctrl.positions, tr, at.x, at.y, pickRadius(), visibleMask());
    if (i === null) {
      if (!event.shiftKey && inPlot(at.x, at.y)) ctrl.clearSelection();
      return;
    }
    if (event.shiftKey && ctrl.selection.length) ctrl.setSelection([...ctrl.selection, i]);
    else ctrl.setSelection([i]);
    ctrl.select(i);
  }

  function onWheel(event) {
    if (ctrl.shown === 0 || !inPlot(event.clientX, event.clientY)) return;
    const tr = transform();
    if (!tr) return;
    event.preventDefault();
    const c = clientToData(tr, event.clientX, event.clientY);
    const factor = Math.exp(event.deltaY * ZOOM_STEP);
    for (const axis of ["x", "y"]) {
      const [lo, hi] = scales.domain(axis);
      const at = c[axis];
      const nlo = at + (lo - at) * factor;
      const nhi = at + (hi - at) * factor;
      if (nhi - nlo > MIN_SPAN) scales.set(axis, nlo, nhi);
    }
  }

  function onLeave() {
    if (!press) tooltip.hide();
  }

  container.addEventListener("pointerdown", onPointerDown, true);
  container.addEventListener("pointermove", onPointerMove, true);
  container.addEventListener("pointerup", onPointerUp, true);
  container.addEventListener("pointercancel", onPointerUp, true);
  container.addEventListener("pointerleave", onLeave);
  container.addEventListener("click", onClick, true);
  container.addEventListener("wheel", onWheel, { passive: false });

  return {
    dispose() {
      container.removeEventListener("pointerdown", onPointerDown, true);
      container.removeEventListener("pointermove", onPointerMove, true);
      container.removeEventListener("pointerup", onPointerUp, true);
      container.removeEventListener("pointercancel", onPointerUp, true);
      container.removeEventListener("pointerleave", onLeave);
      container.removeEventListener("click", onClick, true);
      container.removeEventListener("wheel", onWheel);
      cancelAnimationFrame(hoverFrame);
      shape.remove();
    },
  };
}
