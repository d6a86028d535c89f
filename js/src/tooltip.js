// Hover tooltip: the start of the example's text (or a small thumbnail in images mode) and its
// gold label. Filled with textContent only (texts and label names are data, never markup); it
// never takes the pointer, so clicks and drags go through to the map.
import { bytesOf, typedAt } from "./buffers.js";
import { h } from "./dom.js";

export const SNIPPET_CHARS = 140;
const decoder = new TextDecoder("utf-8");

/** The first `max` characters of a text, with an ellipsis when cut. */
export function snippet(text, max = SNIPPET_CHARS) {
  const chars = Array.from(String(text));
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max).join("")}…`;
}

/** Gold label name(s) of point i: class name, or the multilabel example's label names. */
export function goldNameOf(i, { meta, gold, goldSets }) {
  if (meta.task === "multilabel") {
    const names = meta.label_names || [];
    const chosen = names.filter((_, j) => goldSets[i * names.length + j]);
    return chosen.length ? chosen.join(", ") : "(none)";
  }
  const g = gold[i];
  return String((meta.class_names || [])[g] ?? g);
}

export function mountTooltip({ model, ctrl, container }) {
  const root = h("div", "dmw-tooltip");
  root.style.display = "none";
  const thumb = h("canvas", "dmw-tooltip-image");
  const text = h("div", "dmw-tooltip-text");
  const gold = h("div", "dmw-tooltip-gold");
  root.append(thumb, text, gold);
  container.appendChild(root);
  const hasImages = (model.get("_image_shape") || []).length === 2;
  thumb.style.display = hasImages ? "" : "none";
  let shownIndex = null;
  let shownAt = null; // performance.now() of the last show (benchmarks)

  function textAt(i) {
    const raw = bytesOf(model.get("_text_offsets"));
    const offsets = typedAt(Uint32Array, raw, 0, raw.byteLength >> 2);
    if (offsets.length < i + 2) return "";
    // decode only the first bytes (4 per char at most): cheap even for long texts
    const end = Math.min(offsets[i + 1], offsets[i] + 4 * SNIPPET_CHARS + 4);
    return snippet(decoder.decode(bytesOf(model.get("_texts")).subarray(offsets[i], end)));
  }

  function drawThumb(i) {
    const [height, width] = model.get("_image_shape");
    const pixels = bytesOf(model.get("_images")).subarray(i * height * width, (i + 1) * height * width);
    thumb.width = width;
    thumb.height = height;
    const scale = Math.max(1, Math.floor(64 / Math.max(height, width)));
    thumb.style.width = `${width * scale}px`;
    thumb.style.height = `${height * scale}px`;
    const c = thumb.getContext("2d");
    const img = c.createImageData(width, height);
    for (let p = 0; p < pixels.length; p++) {
      img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = pixels[p];
      img.data[4 * p + 3] = 255;
    }
    c.putImageData(img, 0, 0);
  }

  /** Show point i's tooltip near client position (cx, cy); null hides it. */
  function show(i, cx, cy) {
    if (i === null) {
      hide();
      return;
    }
    if (i !== shownIndex) {
      text.textContent = textAt(i);
      text.style.display = text.textContent ? "" : "none";
      if (hasImages) drawThumb(i);
      gold.textContent = `gold: ${goldNameOf(i, { meta: ctrl.history.meta, gold: ctrl.history.gold, goldSets: bytesOf(model.get("_gold_sets")) })}`;
      shownIndex = i;
    }
    const box = container.getBoundingClientRect();
    root.style.left = `${Math.round(cx - box.left + 14)}px`;
    root.style.top = `${Math.round(cy - box.top + 14)}px`;
    root.style.display = "";
    root.dataset.index = String(i);
    shownAt = performance.now();
  }

  function hide() {
    root.style.display = "none";
    shownIndex = null;
    delete root.dataset.index;
  }

  return { root, show, hide, shownIndex: () => shownIndex, shownAt: () => shownAt, dispose: () => root.remove() };
}
