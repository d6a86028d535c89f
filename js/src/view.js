// One rendered view of the widget: layout, child figures, keys, and (tests only) the test handle.
import { buildControls } from "./controls.js";
import { h } from "./dom.js";
import { buildMapControls } from "./map_controls.js";
import { mountFigure, mountMap } from "./map_view.js";
import { buildPanel } from "./panel.js";
import { buildReviewPanel } from "./review_panel.js";
import { testHandle } from "./test_hooks.js";

export async function renderView({ el, ctrl }) {
  await ctrl.ready;
  const { store } = ctrl;
  const renderer = store.renderer;
  el.classList.add("datamap-widget");
  const controls = buildControls(ctrl);
  const body = h("div", "dmw-body");
  const mapBox = h("div", "dmw-map");
  const panel = buildPanel(ctrl);
  body.append(mapBox, panel.root);
  const review = buildReviewPanel(ctrl);
  el.replaceChildren(controls.root, body, review.root);
  const onKey = reviewKeys(el, review);

  // The map's tool row under the header; Esc clears the selection (only when the widget has focus).
  let mapControls = null;
  const map = await mountMap({
    ctrl,
    container: mapBox,
    renderer,
    onScaleChange: () => mapControls && mapControls.update(),
  });
  mapControls = buildMapControls(ctrl, {
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
  const trajectoryView = await mountFigure(store.widgetManager, ctrl.parts.trajectory, panel.trajectory);

  const view = {
    beginTransition: (epoch, animate, positions) => map.beginTransition(epoch, animate, positions),
    animating: () => map.animating(),
    update() {
      controls.update();
      panel.update();
      review.update();
      mapControls.update();
      map.updateLayers();
    },
  };
  ctrl.views.add(view);
  view.update();
  if (ctrl.shown > 0) map.beginTransition(ctrl.shown, false, ctrl.positions); // an already-logged map
  ctrl.review.sendPending(); // a (re)rendered view re-sends what the kernel has not confirmed
  if (map.tracker) el.__datamapWidget = testHandle({ el, renderer, ctrl, map, review });

  return () => {
    ctrl.views.delete(view);
    controls.dispose();
    el.removeEventListener("keydown", onKey);
    el.removeEventListener("keydown", onMapKey);
    mapBox.removeEventListener("pointerdown", focusOnPress);
    if (el.__datamapWidget) delete el.__datamapWidget;
    map.dispose();
    trajectoryView.remove();
  };
}

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
