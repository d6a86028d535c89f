// The tool row of a widget that compares two runs (DataMapWidget(compare=...)): which map is
// drawn (the shown run, the compared run, or how each example moved between them), the epoch
// each run is at, and the examples only one run has (counted; those the shown run alone has can
// be selected, which lists them in the review list). Names and ids go through textContent only.
import { h } from "./dom.js";

const plural = (k, word) => `${k.toLocaleString("en-US")} ${word}${k === 1 ? "" : "s"}`;

export function buildCompareControls(ctrl) {
  const { compare } = ctrl;
  const root = h("div", "dmw-compare");
  if (!compare.enabled) return { root, update() {} };
  const info = compare.info;
  const [here, there] = info.names;
  const label = h("span", "dmw-compare-label", "Map: ");
  const buttons = [
    ["main", here],
    ["other", there],
    ["moved", `moved (${there} → ${here})`],
  ].map(([mode, text]) => {
    const b = h("button", "dmw-compare-mode", text);
    b.type = "button";
    b.dataset.mode = mode;
    b.addEventListener("click", () => compare.setMode(mode));
    return b;
  });
  const epochs = h("span", "dmw-compare-epochs", "");
  const counts = h("div", "dmw-compare-counts", "");
  const selectMissing = h("button", "dmw-compare-select-missing", "");
  selectMissing.type = "button";
  selectMissing.title = `select the examples ${there} lacks (they are listed below the map)`;
  selectMissing.addEventListener("click", () => ctrl.setSelection(compare.info.missing));
  const legend = h("div", "dmw-compare-legend", "");
  counts.append(h("span", null, ""), selectMissing);
  root.append(label, ...buttons, epochs, counts, legend);

  function update() {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.mode === compare.mode));
    const other = compare.counterpart();
    const otherName = other && other.name === "other" ? there : here;
    epochs.textContent = other && other.epoch ? ` ${otherName} at epoch ${other.epoch}` : ` ${otherName}: no epoch yet`;
    const parts = [`${plural(info.matched, "example")} in both`];
    if (info.onlyHere) parts.push(`${plural(info.onlyHere, "example")} only in ${here} (not on the ${there} map)`);
    if (info.onlyThere) {
      const some = info.onlyThereIds.slice(0, 3).join(", ");
      parts.push(`${plural(info.onlyThere, "example")} only in ${there} (not shown${some ? `, e.g. ${some}` : ""})`);
    }
    counts.firstChild.textContent = `${parts.join(" · ")} `;
    selectMissing.style.display = info.onlyHere ? "" : "none";
    selectMissing.textContent = `select the ${plural(info.onlyHere, "example")} only in ${here}`;
    legend.textContent =
      compare.mode === "moved"
        ? `Arrows from each example's place on the ${there} map to the ${here} map: grey, the average of the examples starting in each cell (darker and wider: more of them); black, each selected example (or the current one).`
        : "";
  }
  return { root, update };
}
