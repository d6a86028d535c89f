// Hover tooltip: the start of the example's text (or a small thumbnail in images mode) and its
// gold label. Filled with textContent only (texts and label names are data, never markup); it
// never takes the pointer, so clicks and drags go through to the map.
import { h } from "./dom.js";
import { goldNameOf, paintImage } from "./examples.js";

export const SNIPPET_CHARS = 140;

/** The first `max` characters of a text, with an ellipsis when cut. */
export function snippet(text, max = SNIPPET_CHARS) {
  const chars = Array.from(String(text));
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max).join("")}…`;
}

export function mountTooltip({ ctrl, container }) {
  const { store } = ctrl;
  const root = h("div", "dmw-tooltip");
  root.style.display = "none";
  const thumb = h("canvas", "dmw-tooltip-image");
  const text = h("div", "dmw-tooltip-text");
  const gold = h("div", "dmw-tooltip-gold");
  root.append(thumb, text, gold);
  container.appendChild(root);
  const images = store.hasImages;
  thumb.style.display = images ? "" : "none";
  let shownIndex = null;
  let shownAt = null; // performance.now() of the last show (benchmarks)

  function textAt(i) {
    // decode only the first bytes (4 per char at most): cheap even for long texts
    return snippet(store.textAt(i, 4 * SNIPPET_CHARS + 4) ?? "");
  }

  function drawThumb(i) {
    const { height, width } = paintImage(thumb, store.imageAt(i));
    const scale = Math.max(1, Math.floor(64 / Math.max(height, width)));
    thumb.style.width = `${width * scale}px`;
    thumb.style.height = `${height * scale}px`;
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
      if (images) drawThumb(i);
      gold.textContent = `gold: ${goldNameOf(i, { meta: ctrl.history.meta, gold: ctrl.history.gold, goldSets: store.goldSets })}`;
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
