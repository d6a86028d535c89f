// The linked inspection panel: everything is filled in the browser from synced state.
import { bytesOf, typedAt } from "./buffers.js";
import { fmt3, h } from "./dom.js";
import { regionOf } from "./metrics.js";

const decoder = new TextDecoder("utf-8");

function field(list, label, className) {
  const row = h("div", "dmw-field");
  const value = h("span", className);
  row.append(h("span", "dmw-field-name", label), value);
  list.append(row);
  return value;
}

export function buildPanel(model, ctrl) {
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
  const hasImages = (model.get("_image_shape") || []).length === 2;
  canvas.style.display = hasImages ? "" : "none";
  const hasTexts = bytesOf(model.get("_text_offsets")).byteLength > 0;
  text.style.display = hasTexts ? "" : "none";
  root.append(hint, title, canvas, text, fields, trajectory, legend);

  // i-th string of a packed (UTF-8 bytes + uint32 offsets) pair of traits, "" if absent
  function stringAt(bytesTrait, offsetsTrait, i) {
    const raw = bytesOf(model.get(offsetsTrait));
    const offsets = typedAt(Uint32Array, raw, 0, raw.byteLength >> 2);
    if (offsets.length < i + 2) return "";
    return decoder.decode(bytesOf(model.get(bytesTrait)).subarray(offsets[i], offsets[i + 1]));
  }

  function drawImage(i) {
    const [height, width] = model.get("_image_shape");
    const pixels = bytesOf(model.get("_images")).subarray(i * height * width, (i + 1) * height * width);
    const scale = Math.max(1, Math.floor(160 / Math.max(height, width)));
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${width * scale}px`;
    canvas.style.height = `${height * scale}px`;
    canvas.style.imageRendering = "pixelated";
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(width, height);
    for (let p = 0; p < pixels.length; p++) {
      const v = pixels[p];
      image.data[4 * p] = v;
      image.data[4 * p + 1] = v;
      image.data[4 * p + 2] = v;
      image.data[4 * p + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  function goldNames(i, meta) {
    if (meta.task === "multilabel") {
      const names = meta.label_names || [];
      const sets = bytesOf(model.get("_gold_sets"));
      const chosen = names.filter((_, j) => sets[i * names.length + j]);
      return chosen.length ? chosen.join(", ") : "(none)";
    }
    return String((meta.class_names || [])[ctrl.history.gold[i]] ?? ctrl.history.gold[i]);
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
      text.textContent = stringAt("_texts", "_text_offsets", i);
      if (hasImages) drawImage(i);
      lastIndex = i;
    }
    const label = meta.task === "multilabel" ? ` — map of "${meta.shown_label}"` : "";
    const id = stringAt("_ids", "_id_offsets", i);
    title.textContent = `Example ${id ? `id ${id}` : `#${i}`} · epoch ${k}${label}`;
    const c = ctrl.positions.y[i];
    const v = ctrl.positions.x[i];
    gold.textContent = goldNames(i, meta);
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
