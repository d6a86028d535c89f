// One rendered view of the widget: layout, child figures, and (tests only) the test handle.
import { buildControls } from "./controls.js";
import { h } from "./dom.js";
import { mountFigure, mountMap } from "./map_view.js";
import { buildPanel } from "./panel.js";
import { testHooksEnabled } from "./test_hooks.js";

export async function renderView({ model, el, ctrl }) {
  await ctrl.ready;
  const renderer = model.get("renderer") === "gl" ? "gl" : "svg";
  el.classList.add("datamap-widget");
  const controls = buildControls(model, ctrl);
  const body = h("div", "dmw-body");
  const mapBox = h("div", "dmw-map");
  const panel = buildPanel(model, ctrl);
  body.append(mapBox, panel.root);
  el.replaceChildren(controls.root, body);

  const map = await mountMap({ model, ctrl, container: mapBox, renderer });
  const trajectoryView = await mountFigure(model.widget_manager, ctrl.parts.trajectory, panel.trajectory);

  const view = {
    beginTransition: (epoch, animate, positions) => map.beginTransition(epoch, animate, positions),
    animating: () => map.animating(),
    update() {
      controls.update();
      panel.update();
    },
  };
  ctrl.views.add(view);
  view.update();
  if (ctrl.shown > 0) map.beginTransition(ctrl.shown, false, ctrl.positions); // an already-logged map
  if (map.tracker) el.__datamapWidget = testHandle({ el, renderer, ctrl, map });

  return () => {
    ctrl.views.delete(view);
    if (el.__datamapWidget) delete el.__datamapWidget;
    map.dispose();
    trajectoryView.remove();
  };
}

/** What browser tests read and drive (only built when the test hooks are enabled). */
function testHandle({ el, renderer, ctrl, map }) {
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
    _internals: { ctrl, figureView: map.figureView },
  };
}
