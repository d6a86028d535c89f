// The map's tool row: colour by, filter by gold label, select by region / gold label, search,
// reset zoom, selection count + clear. Everything runs in the page (works while a cell runs).
// Option labels and the search text go through textContent / value only (data, never markup).

import { h } from "./dom.js";
import { legendOf } from "./map_style.js";
import { REGIONS } from "./metrics.js";
import { maskToIndexes, selectByClass, selectByGoldLabel, selectByRegion } from "./selection.js";
import { TextIndex } from "./text_search.js";

const COLOR_CHOICES = [
  ["correctness", "correctness"],
  ["gold", "gold label"],
  ["region", "region"],
  ["reviewed", "reviewed status"],
  ["score", "label-issue score"],
];

function option(value, text) {
  const o = h("option", null, text);
  o.value = value;
  return o;
}

/** Gold classes (binary / multiclass) or labels (multilabel) offered by filter and select. */
function goldChoices(meta) {
  return meta.task === "multilabel" ? meta.label_names || [] : meta.class_names || [];
}

export function buildMapControls(ctrl, { resetZoom, zoomed }) {
  const { store } = ctrl;
  const root = h("div", "dmw-map-controls");
  const meta = ctrl.history.meta;
  const colorWrap = h("label", "dmw-color-wrap", "Colour by ");
  const colorBy = h("select", "dmw-color-by");
  for (const [value, text] of COLOR_CHOICES) colorBy.append(option(value, text));
  colorWrap.append(colorBy);

  const filterWrap = h("label", "dmw-filter-wrap", "Show ");
  const filter = h("select", "dmw-filter");
  filter.append(option("", "all points"));
  for (const [k, name] of goldChoices(meta).entries()) filter.append(option(String(k), `gold: ${name}`));
  filterWrap.append(filter);

  const selectWrap = h("label", "dmw-select-wrap", "Select ");
  const selectBy = h("select", "dmw-select-by");
  selectBy.append(option("", "…"));
  for (const r of REGIONS) selectBy.append(option(`region:${r}`, `region: ${r}`));
  for (const [k, name] of goldChoices(meta).entries()) selectBy.append(option(`gold:${k}`, `gold: ${name}`));
  selectWrap.append(selectBy);

  const search = h("input", "dmw-search");
  search.type = "search";
  search.placeholder = "Search texts";
  search.setAttribute("aria-label", "Search the texts (case-insensitive)");
  search.style.display = store.hasTexts ? "" : "none";
  const hits = h("span", "dmw-search-hits", "");

  const reset = h("button", "dmw-reset-zoom", "Reset zoom");
  reset.type = "button";
  reset.title = "Wheel: zoom; ctrl/⌘-drag or middle-drag: pan";
  const count = h("span", "dmw-selection-count", "");
  const clear = h("button", "dmw-clear-selection", "Clear");
  clear.type = "button";
  const legend = h("div", "dmw-legend");
  root.append(colorWrap, filterWrap, selectWrap, search, hits, reset, count, clear, legend);

  let index = null; // text index, built on the first keystroke
  function runSearch() {
    const query = search.value;
    if (!query) {
      ctrl.setStyle({ searchQuery: "", searchHits: new Int32Array(0) });
      return;
    }
    if (!index) index = new TextIndex(store.texts.bytes, store.texts.offsets);
    ctrl.setStyle({ searchQuery: query, searchHits: index.search(query) });
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", (event) => event.stopPropagation()); // typing is not a shortcut
  colorBy.addEventListener("change", () => ctrl.setStyle({ colorBy: colorBy.value }));
  filter.addEventListener("change", () =>
    ctrl.setStyle({ goldFilter: filter.value === "" ? null : Number(filter.value) }),
  );
  selectBy.addEventListener("change", () => {
    const [kind, value] = selectBy.value.split(/:(.*)/s);
    selectBy.value = "";
    if (!kind || ctrl.shown === 0) return;
    let mask;
    if (kind === "region") mask = selectByRegion(ctrl.positions, ctrl.history.meta, value);
    else if (ctrl.history.meta.task === "multilabel")
      mask = selectByGoldLabel(store.goldSets, goldChoices(ctrl.history.meta).length, Number(value));
    else mask = selectByClass(ctrl.history.gold, [Number(value)]);
    ctrl.setSelection(maskToIndexes(mask));
  });
  reset.addEventListener("click", () => resetZoom());
  clear.addEventListener("click", () => ctrl.clearSelection());

  let legendKey = null;
  function update() {
    const scoreOption = colorBy.querySelector('option[value="score"]');
    scoreOption.disabled = !ctrl.scores;
    if (document.activeElement !== colorBy) colorBy.value = ctrl.colorBy;
    if (document.activeElement !== filter) filter.value = ctrl.goldFilter === null ? "" : String(ctrl.goldFilter);
    if (document.activeElement !== search && search.value !== ctrl.searchQuery) search.value = ctrl.searchQuery;
    hits.textContent = ctrl.searchQuery
      ? `${ctrl.searchHits.length} match${ctrl.searchHits.length === 1 ? "" : "es"}`
      : "";
    const k = ctrl.selection.length;
    count.textContent = k ? `${k} selected` : "";
    clear.disabled = k === 0 && ctrl.selected === null;
    reset.disabled = !zoomed();
    const key = ctrl.colorBy;
    if (key !== legendKey) {
      legendKey = key;
      legend.replaceChildren(
        ...legendOf(ctrl.colorBy, ctrl.history.meta.class_names || []).map(([name, color]) => {
          const item = h("span", "dmw-legend-item");
          const swatch = h("span", "dmw-swatch");
          swatch.style.background = color;
          item.append(swatch, h("span", null, name));
          return item;
        }),
      );
    }
  }
  return { root, update };
}
