// anywidget entry: per-model state in `initialize`, per-view DOM in `render`.
import { controllerFor } from "./controller.js";
import { renderView } from "./view.js";

export default {
  async initialize({ model }) {
    const ctrl = controllerFor(model);
    await ctrl.ready;
    return () => ctrl.dispose();
  },
  async render({ model, el }) {
    return renderView({ el, ctrl: controllerFor(model) });
  },
};
