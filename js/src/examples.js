// @ts-check
// Showing what the kernel sends once per example (grey-level images, gold label names), for the
// detail panel, the review list and the hover tooltip alike (texts and ids: store.textAt / idAt).
// Names are returned as strings for textContent: never markup.

/**
 * Paint a grey-level image (one example's, from store.imageAt) into `canvas` at its own
 * resolution (CSS scales it).
 * @param {HTMLCanvasElement} canvas @param {{ height: number, width: number, pixels: Uint8Array }} image
 * @returns {{ height: number, width: number }}
 */
export function paintImage(canvas, { height, width, pixels }) {
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
