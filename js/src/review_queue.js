// @ts-check
// The review queue: which example to read next, and what a key press means while reviewing.
//
// The queue walks an order of example positions: the selection (in the list's sort order), or,
// with nothing selected, a ranking by a label-issue score (most likely mislabeled first). It
// only keeps a cursor; whether an example is decided comes from a callback, so decisions made
// in another view (or restored after a reload) are skipped without the queue being told.
// Pure logic: no DOM, no model.
import { sortIndexes, stableOrder } from "./row_window.js";

/**
 * Positions ordered by `scores` (typed array or array, one per example), highest first by
 * default: most likely mislabeled first. NaN scores go last; ties keep position order; scores
 * compare at float32 precision (see row_window.stableOrder). `candidates` (optional
 * positions) limits the ranking to those examples, in that order for ties.
 */
export function rankByScore(scores, { descending = true, candidates = null } = {}) {
  const pool = candidates === null ? null : Int32Array.from(candidates);
  if (pool === null) return Int32Array.from(stableOrder(scores, { descending }));
  return sortIndexes(pool, scores, { descending });
}

export class ReviewQueue {
  /**
   * order: positions to review, in review order. isDecided(position) -> bool. With
   * skipDecided, next/previous step over decided examples (the first one shown is the first
   * undecided one).
   * @param {ArrayLike<number>} order
   * @param {{ isDecided?: (position: number) => boolean, skipDecided?: boolean }} [options]
   */
  constructor(order, { isDecided = (_position) => false, skipDecided = false } = {}) {
    this.order = Int32Array.from(order);
    this.isDecided = isDecided;
    this.skipDecided = skipDecided;
    this.cursor = this.order.length ? 0 : -1;
    if (skipDecided && this.cursor === 0 && isDecided(this.order[0])) {
      const first = this.find(0, 1);
      this.cursor = first === -1 ? 0 : first;
    }
  }

  get length() {
    return this.order.length;
  }

  /** Place of the cursor in the order (0-based; -1 when the queue is empty). */
  get position() {
    return this.cursor;
  }

  /** The example under the cursor (a position into the data), or null for an empty queue. */
  current() {
    return this.cursor < 0 ? null : this.order[this.cursor];
  }

  /** First place from `from` in direction `step` that the queue may stop at, or -1. */
  find(from, step) {
    for (let k = from; k >= 0 && k < this.order.length; k += step) {
      if (!this.skipDecided || !this.isDecided(this.order[k])) return k;
    }
    return -1;
  }

  /** Move to the next example (skipping decided ones when asked). At the end: stays, null. */
  next() {
    if (this.cursor < 0) return null;
    const k = this.find(this.cursor + 1, 1);
    if (k === -1) return null;
    this.cursor = k;
    return this.current();
  }

  /** Move to the previous example. At the start: stays, returns null. */
  previous() {
    if (this.cursor < 0) return null;
    const k = this.find(this.cursor - 1, -1);
    if (k === -1) return null;
    this.cursor = k;
    return this.current();
  }

  /** Put the cursor on example `position` (e.g. a list row was clicked); false if absent. */
  goTo(position) {
    const k = this.order.indexOf(position);
    if (k === -1) return false;
    this.cursor = k;
    return true;
  }

  /** Review another order (new selection or sort); the current example keeps the cursor. */
  setOrder(order) {
    const keep = this.current();
    this.order = Int32Array.from(order);
    const k = keep === null ? -1 : this.order.indexOf(keep);
    this.cursor = k !== -1 ? k : this.order.length ? 0 : -1;
  }

  /** Examples of the queue not yet decided. */
  remaining() {
    let count = 0;
    for (const i of this.order) if (!this.isDecided(i)) count++;
    return count;
  }
}

const EDITABLE = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/**
 * What a key press means while reviewing, or null to let it through. Pure: the caller listens
 * on the widget's own element (so JupyterLab's keys are never taken) and acts on the answer.
 *
 *   j / k           next / previous example
 *   c               label correct
 *   w               label wrong: binary -> the other class; multilabel -> flip the shown label;
 *                   multiclass -> {type: "choose"} (open the class picker)
 *   1..9, 0         class 0..9 (binary/multiclass): the gold class means "correct"
 *   x, Delete       remove the example from the data
 *   Escape          clear the selection
 *
 * Keys with Ctrl/Meta/Alt, and keys typed into inputs, text areas, selects or editable text,
 * are never taken.
 */
export function keyAction(event, { task, nClasses, gold }) {
  if (!event || event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target;
  if (target && (EDITABLE.has(String(target.tagName || "").toUpperCase()) || target.isContentEditable)) return null;
  const key = event.key;
  switch (key) {
    case "j":
      return { type: "next" };
    case "k":
      return { type: "previous" };
    case "c":
      return { type: "decide", verdict: "correct" };
    case "x":
    case "Delete":
      return { type: "decide", verdict: "remove" };
    case "Escape":
      return { type: "clear" };
    case "w":
      if (task === "binary") return { type: "decide", verdict: "wrong", newLabel: 1 - gold };
      if (task === "multilabel") return { type: "decide", verdict: "wrong" };
      return { type: "choose" };
    default:
      break;
  }
  if (task !== "multilabel" && typeof key === "string" && key.length === 1 && key >= "0" && key <= "9") {
    const cls = key === "0" ? 9 : Number(key) - 1;
    if (cls >= nClasses) return null;
    return cls === gold ? { type: "decide", verdict: "correct" } : { type: "decide", verdict: "wrong", newLabel: cls };
  }
  return null;
}

let counter = 0;

/**
 * A decision message for the kernel (the format ReviewLog.apply_messages reads), with a
 * decision id unique to this page, so a message sent again after a reconnect is recognised.
 */
export function decisionMessage({ index, verdict, newLabel = null, label = null, now = Date.now(), prefix = "" }) {
  counter += 1;
  const random = Math.floor(Math.random() * 2 ** 32).toString(36);
  return {
    decision_id: `${prefix}${now.toString(36)}-${random}-${counter}`,
    index,
    verdict,
    new_label: newLabel,
    label,
    time: now,
  };
}
