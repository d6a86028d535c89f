// One rendered view of the widget: layout, child figures, and (tests only) the test handle.
import { buildControls } from "./controls.js";
import { h } from "./dom.js";
import { buildMapControls } from "./map_controls.js";
import { mountFigure, mountMap } from "./map_view.js";
import { buildPanel } from "./panel.js";
import { buildReviewPanel } from "./review_panel.js"; // ---- review

export async function renderView({ model, el, ctrl }) {
  await ctrl.ready;
  const renderer = model.get("renderer") === "gl" ? "gl" : "svg";
  el.classList.add("datamap-widget");
  const controls = buildControls(model, ctrl);
  const body = h("div", "dmw-body");
  const mapBox = h("div", "dmw-map");
  const panel = buildPanel(model, ctrl);
  body.append(mapBox, panel.root);
  const review = buildReviewPanel(model, ctrl); // ---- review
  el.replaceChildren(controls.root, body, review.root);
  const onKey = reviewKeys(el, review); // ---- review

  // ---- selection (map): tool row under the header, Esc clears (only when the widget has focus)
  let mapControls = null;
  const map = await mountMap({
    model,
    ctrl,
    container: mapBox,
    renderer,
    onScaleChange: () => mapControls && mapControls.update(),
  });
  mapControls = buildMapControls(model, ctrl, {
    resetZoom: () => map.scales.reset(),
    zoomed: () => map.scales.zoomed(),
  });
  controls.root.after(mapControls.root);
  if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
  const onMapKey = (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    const t = event.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
    ctrl.clearSelection();
    event.preventDefault();
    event.stopPropagation();
  };
  el.addEventListener("keydown", onMapKey);
  const focusOnPress = () => el.focus({ preventScroll: true });
  mapBox.addEventListener("pointerdown", focusOnPress);
  const trajectoryView = await mountFigure(model.widget_manager, ctrl.parts.trajectory, panel.trajectory);

  const view = {
    beginTransition: (epoch, animate, positions) => map.beginTransition(epoch, animate, positions),
    animating: () => map.animating(),
    update() {
      controls.update();
      panel.update();
      review.update(); // ---- review
      mapControls.update();
      map.updateLayers();
    },
  };
  ctrl.views.add(view);
  view.update();
  if (ctrl.shown > 0) map.beginTransition(ctrl.shown, false, ctrl.positions); // an already-logged map
  ctrl.sendDecisions(); // ---- review: a (re)rendered view re-sends what the kernel has not confirmed
  if (map.tracker) el.__datamapWidget = testHandle({ el, renderer, ctrl, map, review });

  return () => {
    ctrl.views.delete(view);
    el.removeEventListener("keydown", onKey); // ---- review
    el.removeEventListener("keydown", onMapKey);
    mapBox.removeEventListener("pointerdown", focusOnPress);
    if (el.__datamapWidget) delete el.__datamapWidget;
    map.dispose();
    trajectoryView.remove();
  };
}

/** What browser tests read and drive (only built when the test hooks are enabled). */
function testHandle({ el, renderer, ctrl, map, review }) {
  return {
    el,
    renderer,
    n: ctrl.n,
    nEpochs: () => ctrl.nEpochs,
    shownEpoch: () => ctrl.shown,
    positions: () => ({ x: ctrl.positions.x, y: ctrl.positions.y, color: ctrl.positions.color }),
    clientXY: (i) => map.clientXY(i),
    selectedIndex: () => ctrl.selected,
    lastTransition: () => map.tracker.lastTransition(),
    transitionsBegun: () => map.tracker.begun(),
    animating: () => map.animating(),
    frameCostMs: () => (map.raster ? map.raster.frameCost() : null),
    paintedAt: (epoch) => map.tracker.paintedAt(epoch),
    replay: (k) => ctrl.replay(k),
    // ---- review
    reviewCodes: () => Array.from(ctrl.reviewCodes),
    reviewOrder: () => Array.from(ctrl.reviewOrder()),
    reviewRows: () => review.rowCount(),
    reviewListOpen: () => review.isOpen(),
    pendingDecisions: () => ctrl.outbox.pending.size,
    hasScores: () => ctrl.scores !== null,
    // ---- end review
    // ---- selection (map)
    selection: () => Array.from(ctrl.selection),
    setSelection: (indexes) => ctrl.setSelection(indexes),
    searchHits: () => Array.from(ctrl.searchHits),
    colorBy: () => ctrl.colorBy,
    domain: () => ({ x: map.scales.domain("x"), y: map.scales.domain("y") }),
    tooltipIndex: () => map.tooltip.shownIndex(),
    layersDrawn: () => map.tracker.layersCount(),
    layersDrawnAt: () => map.tracker.layersDrawnAt(),
    tooltipShownAt: () => map.tooltip.shownAt(),
    setReviewCodes: (codes) => {
      ctrl.reviewCodes = Uint8Array.from(codes);
      ctrl.notify();
    },
    _internals: { ctrl, figureView: map.figureView, redraw: () => map.raster && map.raster.redraw() },
  };
}

// ---- review
/**
 * Review keys (j/k, c/w/x, number keys, Esc) act only while the widget has focus: the root is
 * focusable and listens itself, and `data-lm-suppress-shortcuts` makes JupyterLab's shortcut
 * matcher stop at the widget, so j/k never also move the notebook's cell cursor. Keys typed
 * into inputs and selects, and keys with Ctrl/Meta/Alt, pass through untouched.
 */
function reviewKeys(el, review) {
  el.tabIndex = 0;
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const onKey = (event) => {
    if (!review.onKey(event)) return;
    event.preventDefault();
    event.stopPropagation();
  };
  el.addEventListener("keydown", onKey);
  return onKey;
}
