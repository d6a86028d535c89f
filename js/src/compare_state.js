// @ts-check
// Two runs side by side (DataMapWidget(compare=...)), shared by every view: which map is drawn
// ("main": the shown run, "other": the compared run, "moved": the shown run with each example's
// shift from its place on the other run's map), and the map of the run that is not drawn, for
// the moved view and the panel. Epochs are matched by number: at epoch k the other run shows
// its epoch min(k, its complete epochs). The compared run's epochs arrive on their own (the
// store's "compare" event), also while a cell runs.
import { accumulate, emptySums, mapAtEpoch, mapFromSums } from "./metrics.js";

export const COMPARE_MODES = ["main", "other", "moved"];

/** The map of one run after k epochs, kept in running sums so following new epochs is O(N). */
class RunMap {
  constructor() {
    this.epochs = null;
    this.sums = null;
    this.last = null; // {k, positions}
  }

  /** @param {any} epochs the run's EpochStore @param {any} history its view @param {number} k */
  at(epochs, history, k) {
    if (this.epochs !== epochs) {
      this.epochs = epochs;
      this.sums = emptySums(history.n);
      this.last = null;
    }
    if (this.last && this.last.k === k) return this.last.positions;
    const positions =
      k >= this.sums.k ? mapFromSums(accumulate(this.sums, history, k), history.n) : mapAtEpoch(history, k);
    this.last = { k, positions };
    return positions;
  }
}

export class CompareState {
  /** `page`: the controller (store, shown, playback, notify). */
  constructor(page) {
    this.page = page;
    /** @type {"main" | "other" | "moved"} */
    this.mode = "main";
    this.counterpartMap = new RunMap();
  }

  /** Is there a compared run? */
  get enabled() {
    return this.page.store.compareEpochs !== null;
  }

  /** The compared run's names, counts and the positions it lacks (null: no compared run). */
  get info() {
    return this.page.store.compareInfo;
  }

  /** The run whose map is drawn: "other" only in the other run's view. */
  get active() {
    return this.enabled && this.mode === "other" ? "other" : "main";
  }

  /** @param {"main" | "other"} name @returns {{epochs: any, history: any}} */
  run(name) {
    const { store } = this.page;
    return name === "other" && this.enabled
      ? { epochs: store.compareEpochs, history: store.compareHistory }
      : { epochs: store.epochs, history: store.history };
  }

  /** The drawn run: its history (EpochStore) and history view. */
  get activeRun() {
    return this.run(this.active);
  }

  /** Show another map: "main", "other" or "moved" (the other two need a compared run). */
  setMode(mode) {
    if (!COMPARE_MODES.includes(mode)) throw new Error(`datamap-widget: unknown map ${mode}`);
    if (mode !== "main" && !this.enabled) return;
    const before = this.active;
    this.mode = mode;
    if (this.active !== before) this.page.playback.switchRun();
    else this.page.notify();
  }

  /**
   * The run that is not drawn, at the shown epoch: {name, epoch, positions} (epoch 0: it has
   * none yet), or null without a compared run.
   */
  counterpart() {
    if (!this.enabled) return null;
    const name = this.active === "other" ? "main" : "other";
    const { epochs, history } = this.run(name);
    const epoch = Math.min(this.page.shown, epochs.complete);
    if (epoch === 0) return { name, epoch, positions: null };
    return { name, epoch, positions: this.counterpartMap.at(epochs, history, epoch) };
  }

  /**
   * In the moved view, where every point starts and ends: {from: the other run's map, to: the
   * shown run's} at the shown epoch; null in the other views or before the other run has an epoch.
   */
  shifts() {
    if (!this.enabled || this.mode !== "moved" || this.page.shown === 0) return null;
    const other = this.counterpart();
    return other && other.positions ? { from: other.positions, to: this.page.positions, epoch: other.epoch } : null;
  }
}
