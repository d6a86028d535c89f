// @ts-check
// The panel's line about the run that is not drawn (DataMapWidget(compare=...)): the current
// example's place on that run's map at the matching epoch, or why there is none, and its gold
// label there when the runs disagree (e.g. relabelled while cleaning). Plain text.
import { regionOf } from "./metrics.js";

const fmt = (v) => (Number.isFinite(v) ? v.toFixed(3) : "–");

/**
 * @param {any} ctrl the controller (compare, store, history) @param {number} i the current point
 * @returns {{ name: string, text: string } | null} null without a compared run
 */
export function counterpartLine(ctrl, i) {
  const other = ctrl.compare.counterpart();
  if (!other) return null;
  const names = ctrl.compare.info.names;
  const name = other.name === "other" ? names[1] : names[0];
  const meta = ctrl.history.meta;
  const classNames = meta.class_names || [];
  const goldThere = ctrl.store.compareGold[i];
  const goldHere = ctrl.store.history.gold[i];
  const relabelled =
    meta.task !== "multilabel" && goldThere !== undefined && goldThere !== 65535 && goldThere !== goldHere;
  const goldNote = relabelled ? ` · gold in ${names[1]}: ${classNames[goldThere] ?? goldThere}` : "";
  if (!other.positions) return { name, text: `no epoch yet${goldNote}` };
  const c = other.positions.y[i];
  const v = other.positions.x[i];
  if (!Number.isFinite(c)) return { name, text: `not in ${name}` };
  const region = regionOf(c, v, meta);
  const text = `epoch ${other.epoch}: confidence ${fmt(c)} · variability ${fmt(v)} · correctness ${fmt(other.positions.color[i])} · ${region}${goldNote}`;
  return { name, text };
}
