// @ts-check
// The page state of one widget model, shared by every view of it, and what the views read and call:
// the data (store.js), the shown epoch (playback.js), what is picked (selection_state.js), the
// review queue (review_state.js) and the map style. It drives the shared bqplot models
// client-side (set without save_changes), so nothing here needs the kernel.
import { CurrentPointMarks } from "./marks.js";
import { Playback } from "./playback.js";
import { ReviewState } from "./review_state.js";
import { SelectionState } from "./selection_state.js";
import { DataStore } from "./store.js";
import { partsKey } from "./wire.js";

const controllers = new Map();

/** The controller of this widget model (created on first use, keyed by its map figure's id). */
export function controllerFor(model) {
  const key = partsKey(model);
  let ctrl = controllers.get(key);
  if (!ctrl) {
    ctrl = new Controller(model, key);
    controllers.set(key, ctrl);
  }
  return ctrl;
}

class Controller {
  constructor(model, key) {
    this.key = key;
    this.store = new DataStore(model);
    this.n = this.store.n;
    this.views = new Set();
    this.parts = null; // the child bqplot models by role, once resolved
    this.homeDomain = null; // the map's unzoomed x/y domains (set by the first map view)
    this.colorBy = "correctness"; // correctness | gold | region | reviewed | score
    this.goldFilter = null; // null: all points shown; else a gold class / label index
    this.searchQuery = "";
    /** @type {Int32Array} */
    this.searchHits = new Int32Array(0);
    this.marks = new CurrentPointMarks();
    this.playback = new Playback(this);
    this.picked = new SelectionState(this);
    this.review = new ReviewState(this);
    this.ready = this.store.resolveParts().then((parts) => {
      this.parts = parts;
      this.playback.shown = this.store.epochs.complete;
      this.picked.selected = this.store.selectedIndex;
      this.playback.apply();
    });
  }

  dispose() {
    this.playback.dispose();
    this.picked.dispose();
    this.review.dispose();
    this.store.dispose();
    controllers.delete(this.key);
  }

  notify() {
    for (const view of this.views) view.update();
  }

  /** The ring and trajectory follow the current point at the shown epoch. */
  drawCurrent() {
    if (!this.parts) return;
    const { selected: i, shown, positions, history } = this;
    this.marks.draw(this.parts, { i, shown, positions, history });
  }

  get history() {
    return this.store.history;
  }

  get nEpochs() {
    return this.playback.nEpochs;
  }

  get loggedEpochs() {
    return this.store.loggedEpochs;
  }

  get shown() {
    return this.playback.shown;
  }

  get positions() {
    return this.playback.positions;
  }

  get playing() {
    return this.playback.playing;
  }

  replay(k) {
    this.playback.replay(k);
  }

  togglePlay() {
    this.playback.togglePlay();
  }

  get selected() {
    return this.picked.selected;
  }

  get selection() {
    return this.picked.selection;
  }

  select(i) {
    this.picked.select(i);
  }

  setSelection(indexes) {
    this.picked.setSelection(indexes);
  }

  clearSelection() {
    this.picked.clear();
  }

  /**
   * Map style (colour mode, gold filter, search) changed: every view redraws its layers.
   * @param {{colorBy?: string, goldFilter?: number | null, searchQuery?: string, searchHits?: Int32Array}} style
   */
  setStyle({ colorBy, goldFilter, searchQuery, searchHits } = {}) {
    if (colorBy !== undefined) this.colorBy = colorBy;
    if (goldFilter !== undefined) this.goldFilter = goldFilter;
    if (searchQuery !== undefined) this.searchQuery = searchQuery;
    if (searchHits !== undefined) this.searchHits = searchHits;
    this.notify();
  }

  get scores() {
    return this.review.scores;
  }

  set scores(scores) {
    this.review.scores = scores;
  }

  get reviewCodes() {
    return this.review.codes;
  }
}
