// The linked inspection panel: everything is filled in the browser from synced state.
import { fmt3, h } from "./dom.js";
import { goldNameOf, paintImage } from "./examples.js";
import { regionOf } from "./metrics.js";

function field(list, label, className) {
  const row = h("div", "dmw-field");
  const value = h("span", className);
  row.append(h("span", "dmw-field-name", label), value);
  list.append(row);
  return value;
}

export function buildPanel(ctrl) {
  const { store } = ctrl;
  const root = h("div", "dmw-panel");
  const hint = h("div", "dmw-hint", "Click a point on the map to inspect it.");
  const title = h("div", "dmw-title");
  const canvas = h("canvas", "dmw-image");
  const text = h("div", "dmw-text");
  const fields = h("div", "dmw-fields");
  const gold = field(fields, "Gold", "dmw-gold");
  const pred = field(fields, "Prediction", "dmw-pred");
  const confidence = field(fields, "Confidence", "dmw-confidence");
  const variability = field(fields, "Variability", "dmw-variability");
  const correctness = field(fields, "Correctness", "dmw-correctness");
  const region = field(fields, "Region", "dmw-region");
  const trajectory = h("div", "dmw-trajectory");
  const legend = h("div", "dmw-trajectory-legend", "● correct   ✚ incorrect   - - p = 0.5");
  const images = store.hasImages;
  canvas.style.display = images ? "" : "none";
  text.style.display = store.hasTexts ? "" : "none";
  root.append(hint, title, canvas, text, fields, trajectory, legend);

  function drawImage(i) {
    const { height, width } = paintImage(canvas, store.imageAt(i));
    const scale = Math.max(1, Math.floor(160 / Math.max(height, width)));
    canvas.style.width = `${width * scale}px`;
    canvas.style.height = `${height * scale}px`;
  }

  let lastIndex = null;
  function update() {
    const i = ctrl.selected;
    const k = ctrl.shown;
    const { meta } = ctrl.history;
    const active = i !== null && k > 0;
    root.classList.toggle("dmw-empty", !active);
    hint.style.display = active ? "none" : "";
    if (!active) {
      for (const node of [title, text, gold, pred, confidence, variability, correctness, region]) node.textContent = "";
      lastIndex = null;
      return;
    }
    if (i !== lastIndex) {
      text.textContent = store.textAt(i) ?? "";
      if (images) drawImage(i);
      lastIndex = i;
    }
    const label = meta.task === "multilabel" ? ` — map of "${meta.shown_label}"` : "";
    const id = store.idAt(i) ?? "";
    title.textContent = `Example ${id ? `id ${id}` : `#${i}`} · epoch ${k}${label}`;
    const c = ctrl.positions.y[i];
    const v = ctrl.positions.x[i];
    gold.textContent = goldNameOf(i, { meta, gold: ctrl.history.gold, goldSets: store.goldSets });
    const row = ctrl.history.rows[k - 1];
    const cls = row.pred[i];
    const p = row.pGold[i];
    pred.textContent = `${(meta.class_names || [])[cls] ?? cls} (p(gold) ${fmt3(p)})`;
    confidence.textContent = fmt3(c);
    variability.textContent = fmt3(v);
    correctness.textContent = fmt3(ctrl.positions.color[i]);
    region.textContent = regionOf(c, v, meta);
  }

  return { root, trajectory, update };
}
