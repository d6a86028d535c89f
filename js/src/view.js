// One rendered view of the widget: layout, child figures, and the test handle.
import { buildControls } from "./controls.js";
import { h } from "./dom.js";
import { mountFigure, mountMap } from "./map_view.js";
import { buildPanel } from "./panel.js";

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
    beginTransition: (epoch) => map.beginTransition(epoch),
    update() {
      controls.update();
      panel.update();
    },
  };
  ctrl.views.add(view);
  view.update();

  const handle = {
    el,
    renderer,
    n: ctrl.history.n,
    nEpochs: () => ctrl.nEpochs,
    shownEpoch: () => ctrl.shown,
    positions: () => ({ x: ctrl.positions.x, y: ctrl.positions.y, color: ctrl.positions.color }),
    clientXY: (i) => map.clientXY(i),
    selectedIndex: () => ctrl.selected,
    lastTransition: () => map.lastTransition(),
    paintedAt: (epoch) => map.paintedAt(epoch),
    replay: (k) => ctrl.replay(k),
    _internals: { ctrl, figureView: map.figureView },
  };
  if (ctrl.shown > 0) map.beginTransition(ctrl.shown); // first paint of an already-logged map
  window.__datamapWidgets = window.__datamapWidgets || [];
  window.__datamapWidgets.push(handle);

  return () => {
    ctrl.views.delete(view);
    const list = window.__datamapWidgets || [];
    const at = list.indexOf(handle);
    if (at >= 0) list.splice(at, 1);
    map.dispose();
    trajectoryView.remove();
  };
}
