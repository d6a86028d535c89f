// @ts-check
// What the kernel sends once per example (texts, ids, grey-level images, gold labels), read by
// the detail panel, the review list and the hover tooltip alike. Texts are returned as strings
// for textContent: never markup.
import { bytesOf, typedAt } from "./buffers.js";

const decoder = new TextDecoder("utf-8");

/**
 * The i-th string of a packed pair of traits (UTF-8 bytes + uint32 offsets), or null if the
 * widget has none. `maxBytes` decodes only the start (4 bytes per character at most).
 * @param {any} model @param {string} bytesTrait @param {string} offsetsTrait @param {number} i
 * @param {number} [maxBytes]
 * @returns {string | null}
 */
export function stringAt(model, bytesTrait, offsetsTrait, i, maxBytes = Number.POSITIVE_INFINITY) {
  const raw = bytesOf(model.get(offsetsTrait));
  const offsets = typedAt(Uint32Array, raw, 0, raw.byteLength >> 2);
  if (offsets.length < i + 2) return null;
  const end = Math.min(offsets[i + 1], offsets[i] + maxBytes);
  return decoder.decode(bytesOf(model.get(bytesTrait)).subarray(offsets[i], end));
}

/** @param {any} model @returns {boolean} whether the examples are images */
export function hasImages(model) {
  return (model.get("_image_shape") || []).length === 2;
}

/**
 * Paint example i's grey-level image into `canvas` at its own resolution (CSS scales it).
 * @param {HTMLCanvasElement} canvas @param {any} model @param {number} i
 * @returns {{ height: number, width: number }}
 */
export function paintImage(canvas, model, i) {
  const [height, width] = model.get("_image_shape");
  const pixels = bytesOf(model.get("_images")).subarray(i * height * width, (i + 1) * height * width);
  canvas.width = width;
  canvas.height = height;
  canvas.style.imageRendering = "pixelated";
  const ctx = canvas.getContext("2d");
  if (!ctx) return { height, width };
  const image = ctx.createImageData(width, height);
  for (let p = 0; p < pixels.length; p++) {
    const v = pixels[p];
    image.data[4 * p] = v;
    image.data[4 * p + 1] = v;
    image.data[4 * p + 2] = v;
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return { height, width };
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
