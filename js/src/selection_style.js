// @ts-check
// How a multi-point selection is drawn so the map stays readable at any size: the rest of the
// map is faded towards white (the guides and region labels stay as they are), and each selected
// point is drawn again in its own colour with a thin, darker outline of that colour. A ring per
// point (the old look) turned a selection of 1,245 points into a solid black block. Colours are
// ImageData words (little-endian RGBA).

/** How far the unselected map fades towards white (0: not at all, 1: gone). */
export const WASH = 0.72;

/**
 * The CSS opacity of the base layer (the raster canvas or the SVG points) under a selection:
 * the browser fades it over the white plot, so the map still tweens between epochs, and the
 * guides, region labels, axes and the current point's ring above it stay as they are.
 */
export const BASE_OPACITY = String(1 - WASH);

/**
 * A colour faded towards white as the base layer is (for points the overlay draws itself, when
 * colouring by something else than correctness). Opaque.
 * @param {number} color RGBA word
 */
export function faded(color) {
  const keep = 1 - WASH;
  const white = 255 * WASH;
  const r = ((color & 255) * keep + white) | 0;
  const g = (((color >>> 8) & 255) * keep + white) | 0;
  const b = (((color >>> 16) & 255) * keep + white) | 0;
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * The outline colour of a selected point: its own colour, darker (so a dense selection keeps
 * its hues, its points stay apart and its edge shows on the washed-out map). Opaque.
 * @param {number} color RGBA word
 */
export function outlineOf(color) {
  const r = ((color & 255) * 0.65) | 0;
  const g = (((color >>> 8) & 255) * 0.65) | 0;
  const b = (((color >>> 16) & 255) * 0.65) | 0;
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Selections this size or larger are drawn washed out; one point is shown by its ring alone. */
export const EMPHASIS_MIN = 2;

/** @param {ArrayLike<number>} selection */
export function emphasised(selection) {
  return selection.length >= EMPHASIS_MIN;
}
