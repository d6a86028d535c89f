// @ts-check
// What the user picked, shared by every view: the current point (the panel's example, the ring,
// the review queue's position) and the multi-point selection (the review list). Both live in the
// page, so picking works while a cell runs; they reach Python through the store when it is free,
// and a change made in Python (or by another page) comes back the same way.
import { positionsIn } from "./selection.js";

export class SelectionState {
  /** `page`: the controller (store, drawCurrent, notify). */
  constructor(page) {
    this.page = page;
    /** @type {number | null} the current point */
    this.selected = null;
    this.selection = new Int32Array(0); // selected positions, ascending
    const { store } = page;
    this.unsubscribe = [
      store.on("selectedIndex", () => this.syncCurrent()),
      store.on("selection", () => this.syncSelection()),
    ];
    this.syncSelection(false);
  }

  dispose() {
    for (const stop of this.unsubscribe) stop();
  }

  /** Make point i (or null) the current point. */
  select(i) {
    this.selected = i;
    this.page.drawCurrent();
    this.page.notify();
    this.page.store.select(i);
  }

  syncCurrent() {
    const i = this.page.store.selectedIndex;
    if (i === this.selected) return;
    this.selected = i;
    this.page.drawCurrent();
    this.page.notify();
  }

  /** Store a multi-point selection (positions, any order; kept ascending, unique). */
  setSelection(indexes) {
    this.selection = positionsIn(indexes, this.page.store.n);
    this.page.store.setSelection(this.selection);
    this.page.notify();
  }

  /** Nothing selected, no current point (Esc, click on empty space). */
  clear() {
    if (this.selection.length) this.setSelection(new Int32Array(0));
    if (this.selected !== null) this.select(null);
  }

  syncSelection(notify = true) {
    const sel = this.page.store.selection;
    if (sel === null) return; // malformed: the store warned, keep ours
    if (sel.length === this.selection.length && sel.every((v, j) => v === this.selection[j])) return;
    this.selection = sel;
    if (notify) this.page.notify();
  }
}
