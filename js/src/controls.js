// Header of a view: epoch counter, replay slider, play button, label picker (multilabel).
import { h } from "./dom.js";

export function buildControls(ctrl) {
  const { store } = ctrl;
  const root = h("div", "dmw-controls");
  const epoch = h("span", "dmw-epoch");
  const replay = h("input", "dmw-replay");
  replay.type = "range";
  replay.min = "1";
  replay.step = "1";
  replay.title = "Replay: the map as it stood after each epoch";
  const play = h("button", "dmw-play", "▶ Play");
  play.type = "button";
  root.append(epoch, play, replay);

  replay.addEventListener("input", () => ctrl.replay(Number(replay.value)));
  play.addEventListener("click", () => ctrl.togglePlay());

  let select = null;
  let pending = null;
  const meta = store.meta;
  if (meta.task === "multilabel") {
    const wrap = h("label", "dmw-label-wrap", "Label ");
    select = h("select", "dmw-label-select");
    for (const name of meta.label_names || []) {
      const option = h("option", null, String(name));
      option.value = String(name);
      select.append(option);
    }
    // Another label's history comes from the kernel: without one (a saved map) the picker is off.
    select.disabled = !store.connected;
    if (!store.connected) select.title = "off: switching labels needs the notebook's kernel";
    pending = h("span", "dmw-label-pending", store.connected ? "" : " (other labels need the kernel)");
    wrap.append(select, pending);
    root.append(wrap);
    select.addEventListener("change", () => {
      // Applied by the kernel (it re-sends that label's history); while a cell is running
      // this waits until the cell finishes.
      store.setLabel(select.value);
      update();
    });
  }

  function update() {
    const n = ctrl.nEpochs;
    // Epochs the kernel logged that this page has not received yet (a reload, a late display):
    // they arrive when the kernel is free.
    const fetching = ctrl.loggedEpochs - n;
    const note = fetching > 0 ? ` (loading ${fetching} more epoch${fetching > 1 ? "s" : ""}…)` : "";
    if (n === 0)
      epoch.textContent =
        fetching > 0 ? `Loading ${fetching} logged epoch${fetching > 1 ? "s" : ""}…` : "No epochs logged yet";
    else epoch.textContent = `Epoch ${ctrl.shown} / ${n}${note}`;
    replay.max = String(Math.max(1, n));
    replay.value = String(Math.max(1, ctrl.shown));
    replay.disabled = n <= 1;
    play.disabled = n <= 1;
    play.textContent = ctrl.playing ? "❚❚ Pause" : "▶ Play";
    if (select) {
      const shown = ctrl.history.meta.shown_label;
      const wanted = store.wantedLabel;
      if (document.activeElement !== select) select.value = wanted;
      if (store.connected)
        pending.textContent = wanted !== shown ? ` loading "${wanted}" (applies when the kernel is idle)…` : "";
    }
  }
  const stop = select ? store.on("wantedLabel", update) : () => {};
  return { root, update, dispose: stop };
}
