// One view of the map figure: mounting, click-to-select, and (tests only) paint tracking.

import { filterMask, pointColors } from "./map_style.js";
import { mountMapTools } from "./map_tools.js";
import { mountOverlay } from "./overlay.js";
import { dataToClientTransform } from "./picking.js";
import { mountRaster } from "./raster.js";
import { testHooksEnabled } from "./test_hooks.js";
import { mountTooltip } from "./tooltip.js";

const MARK_TIMEOUT_MS = 20000;
const SVG_TRACK_SLACK_MS = 250;

/** Resolves once `el` is in the document (anywidget may render into a detached element). */
export function whenConnected(el, timeoutMs = 10000) {
  return new Promise((resolve) => {
    const start = performance.now();
    const check = () => {
      if (el.isConnected || performance.now() - start > timeoutMs) resolve();
      else requestAnimationFrame(check);
    };
    check();
  });
}

/** Create a child widget view inside `container`; bqplot lays out on "displayed", so wait until attached. */
export async function mountFigure(manager, figureModel, container) {
  const view = await manager.create_view(figureModel, {});
  container.appendChild(view.el);
  await whenConnected(container);
  view.trigger("displayed");
  return view;
}

/** The view of `markModel` inside a bqplot figure view, once the figure has created it. */
async function markViewOf(figureView, markModel) {
  const deadline = performance.now() + MARK_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (figureView.mark_views && figureView.mark_views.views) {
      const views = await Promise.all(figureView.mark_views.views);
      const found = views.find((v) => v && v.model === markModel);
      if (found && found.scales && found.scales.x && found.scales.y) return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new Error("datamap-widget: the map's scatter view did not appear");
}

export async function mountMap({ ctrl, container, renderer, onScaleChange = null }) {
  const figureView = await mountFigure(ctrl.store.widgetManager, ctrl.parts.map, container);
  const pointsView = await markViewOf(figureView, ctrl.parts.points);
  // The ring must not take the pointer: bqplot saves a hovered mark's model (touch()), which sends
  // our client-side ring x/y to the kernel; its echo restarts the ring's move mid-transition.
  // Clicks reach the points through our own picking either way.
  const ringView = await markViewOf(figureView, ctrl.parts.highlight);
  ringView.el.style.pointerEvents = "none";
  const duration = () => Number(ctrl.parts.map.get("animation_duration")) || 0;
  // Big maps ("gl"): the points are drawn by our raster layer; the bqplot-gl mark stays hidden.
  const raster =
    renderer === "gl"
      ? mountRaster({
          figureView,
          pointsView,
          colors: (pointsView.scales.color && pointsView.scales.color.model.get("colors")) || ["#d73027", "#4575b4"],
          sizeOf: () => Number(ctrl.parts.points.get("default_size")) || 12,
          durationOf: duration,
          onFrame: () => tracker && tracker.onRasterFrame(raster),
        })
      : null;
  const tracker = testHooksEnabled() ? paintTracker(pointsView, renderer, duration) : null;
  let startedAt = -Infinity; // last time the points were given new positions

  /** The map moves to `positions` (epoch `epoch`); SVG marks get them through the shared model. */
  function beginTransition(epoch, animate = true, positions = null) {
    startedAt = animate ? performance.now() : -Infinity;
    if (tracker) tracker.begin(epoch, animate);
    if (raster && positions) raster.show(positions, animate);
    updateLayers();
  }

  /** Is the map still moving to the positions it was last given? */
  function animating() {
    if (raster) return raster.animating();
    return performance.now() - startedAt < duration();
  }

  function transform() {
    return dataToClientTransform(pointsView);
  }

  function clientXY(i) {
    const tr = transform();
    return tr ? tr.toClient(ctrl.positions.x[i], ctrl.positions.y[i]) : null;
  }

  const pickRadius = () => Math.max(6, Math.sqrt(Number(ctrl.parts.points.get("default_size")) || 16) / 2 + 4);

  // Selection (map): overlay layer, gestures, zoom, hover, colour / filter / search
  const overlay = mountOverlay({
    figureView,
    pointsView,
    sizeOf: () => Number(ctrl.parts.points.get("default_size")) || 12,
  });
  const tooltip = mountTooltip({ ctrl, container });
  const scaleModels = { x: pointsView.scales.x.model, y: pointsView.scales.y.model };
  if (!ctrl.homeDomain)
    ctrl.homeDomain = {
      x: [scaleModels.x.get("min"), scaleModels.x.get("max")],
      y: [scaleModels.y.get("min"), scaleModels.y.get("max")],
    };
  const scales = {
    domain: (axis) => [Number(scaleModels[axis].get("min")), Number(scaleModels[axis].get("max"))],
    set: (axis, min, max) => scaleModels[axis].set({ min, max }), // client-side only, never saved
    reset: () => {
      for (const axis of ["x", "y"])
        scaleModels[axis].set({ min: ctrl.homeDomain[axis][0], max: ctrl.homeDomain[axis][1] });
    },
    zoomed: () => ["x", "y"].some((a) => scales.domain(a).some((v, k) => v !== ctrl.homeDomain[a][k])),
  };
  let maskCache = { key: null, mask: null };
  function visibleMask() {
    const f = ctrl.goldFilter;
    const key = `${f}|${ctrl.store.label}`;
    if (maskCache.key !== key) {
      const meta = ctrl.history.meta;
      const multilabel = meta.task === "multilabel";
      maskCache = {
        key,
        mask: filterMask(f, {
          n: ctrl.n,
          gold: ctrl.history.gold,
          goldSets: ctrl.store.goldSets,
          nLabels: (meta.label_names || []).length,
          multilabel,
        }),
      };
    }
    return maskCache.mask;
  }
  const styled = () => ctrl.colorBy !== "correctness" || ctrl.goldFilter !== null;
  let layerFrame = 0;
  function drawLayers() {
    layerFrame = 0;
    if (ctrl.shown === 0) {
      overlay.draw({ positions: null });
      return;
    }
    const on = styled();
    if (raster) raster.canvas.style.visibility = on ? "hidden" : "";
    else pointsView.el.style.opacity = on ? "0" : "";
    const colors = on
      ? pointColors(ctrl.colorBy, {
          positions: ctrl.positions,
          gold: ctrl.history.gold,
          meta: ctrl.history.meta,
          reviewCodes: ctrl.reviewCodes,
          scores: ctrl.scores,
          correctnessColors: (pointsView.scales.color && pointsView.scales.color.model.get("colors")) || null,
        })
      : null;
    overlay.draw({
      positions: ctrl.positions,
      colors,
      visible: visibleMask(),
      selection: ctrl.selection,
      hits: ctrl.searchQuery ? ctrl.searchHits : null,
      reviewCodes: ctrl.reviewCodes,
      current: ctrl.selected,
    });
    if (tracker) tracker.layersDrawn();
  }
  function updateLayers() {
    if (!layerFrame) layerFrame = requestAnimationFrame(drawLayers);
  }
  // The scale views take the new domain after our listener runs: redraw in the next frame.
  let scaleFrame = 0;
  const onScale = () => {
    if (scaleFrame) return;
    scaleFrame = requestAnimationFrame(() => {
      scaleFrame = 0;
      if (raster) raster.redraw();
      drawLayers();
      if (onScaleChange) onScaleChange();
    });
  };
  for (const m of Object.values(scaleModels)) m.on("change:min change:max", onScale);
  const tools = mountMapTools({ ctrl, container, transform, pickRadius, visibleMask, tooltip, scales });

  return {
    figureView,
    beginTransition,
    animating,
    clientXY,
    tracker,
    raster,
    updateLayers,
    scales,
    tooltip,
    transform,
    dispose() {
      tools.dispose();
      for (const m of Object.values(scaleModels)) m.off("change:min change:max", onScale);
      cancelAnimationFrame(layerFrame);
      cancelAnimationFrame(scaleFrame);
      overlay.dispose();
      tooltip.dispose();
      if (raster) raster.dispose();
      figureView.remove();
    },
  };
}

/**
 * Test instrumentation only (see test_hooks.js): when each epoch was first painted, and the frames
 * of the last transition. Raster frames are counted as drawn; SVG frames by sampling a few dots'
 * transforms every animation frame.
 */
function paintTracker(pointsView, renderer, duration) {
  const painted = new Map(); // epoch -> performance.now() of its first drawn frame
  const begun = []; // epochs whose transition began, in order
  let last = null; // {start, end, frames, epoch, done}

  function frameDrawn() {
    const now = performance.now();
    if (!last || last.done) return;
    last.frames += 1;
    last.end = now;
    if (!painted.has(last.epoch)) painted.set(last.epoch, now);
  }

  function onRasterFrame(raster) {
    if (!last || last.done) return;
    frameDrawn();
    if (!raster.animating()) last.done = true;
  }

  function trackSVG(t) {
    const dots = pointsView.el.querySelectorAll(".object_grp");
    const samples = dots.length ? [dots[0], dots[dots.length >> 1], dots[dots.length - 1]] : [];
    let previous = samples.map((d) => d.getAttribute("transform")).join("|");
    const tick = () => {
      if (t !== last || t.done) return;
      const now = performance.now();
      const current = samples.map((d) => d.getAttribute("transform")).join("|");
      if (current !== previous) {
        frameDrawn();
        previous = current;
      }
      if (now - t.start > duration() + SVG_TRACK_SLACK_MS) t.done = true;
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  function begin(epoch, animate) {
    const t = { start: performance.now(), end: null, frames: 0, epoch, done: false };
    last = t;
    begun.push({ epoch, at: t.start, animate });
    if (renderer === "svg") trackSVG(t);
    // If nothing moves (same positions) no frame is drawn: the map already shows this epoch.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (!painted.has(epoch) && t.frames === 0) painted.set(epoch, performance.now());
      }),
    );
  }

  let layers = 0;
  let layersAt = null;
  return {
    begin,
    onRasterFrame,
    layersDrawn: () => {
      layers += 1;
      layersAt = performance.now();
    },
    layersCount: () => layers,
    layersDrawnAt: () => layersAt,
    begun: () => begun.slice(),
    lastTransition: () => (last ? { start: last.start, end: last.end, frames: last.frames } : null),
    paintedAt: (epoch) => (painted.has(epoch) ? painted.get(epoch) : null),
  };
}
