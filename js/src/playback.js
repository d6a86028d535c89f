// @ts-check
// Which epoch the map shows, and moving it there: follow new epochs, replay (scrub) and play.
//
// Keeping up with training: a logged epoch only stores its arrays (O(N)); showing it is scheduled.
// Epochs that arrive while the map is still animating are coalesced: when the animation ends, the
// map goes straight to the newest epoch, without a tween (we are behind: no stale transitions).
import { showPoints, withoutAnimation } from "./marks.js";
import { accumulate, emptySums, mapAtEpoch, mapFromSums } from "./metrics.js";

const PLAY_STEP_MS = 700;
const BUSY_POLL_MS = 40;
const MAX_WAIT_MS = 3000; // never wait longer than this for an animation to end

export class Playback {
  /** `page`: the controller (store, parts, views, drawCurrent, notify). */
  constructor(page) {
    this.page = page;
    const n = page.store.n;
    this.shown = 0;
    this.drawnEpoch = 0; // the epoch the marks were last given (0: the map is empty)
    this.shownLabel = undefined; // the label of the map last computed
    this.follow = true;
    this.sums = emptySums(n); // running sums of the newest complete epochs (follow mode)
    this.sumsOf = page.store.epochs; // the history those sums were taken from
    this.positions = mapFromSums(this.sums, n);
    this.playTimer = null;
    this.showTimer = null;
    this.waitingSince = null; // when a newer epoch started waiting for an animation to end
    this.unsubscribe = page.store.on("history", () => this.scheduleShow());
  }

  dispose() {
    this.unsubscribe();
    this.stopPlay();
    clearTimeout(this.showTimer);
  }

  /** Complete epochs the map can show. */
  get nEpochs() {
    return this.page.store.epochs.complete;
  }

  get playing() {
    return this.playTimer !== null;
  }

  /** Any view still animating the map? */
  animating() {
    for (const view of this.page.views) if (view.animating()) return true;
    return false;
  }

  /** Show the newest complete epoch soon; epochs arriving meanwhile are coalesced into one. */
  scheduleShow() {
    if (this.showTimer !== null || !this.page.parts) return;
    const run = () => {
      this.showTimer = null;
      const now = performance.now();
      if (this.animating() && now - (this.waitingSince ?? now) < MAX_WAIT_MS) {
        if (this.waitingSince === null) this.waitingSince = now;
        this.showTimer = setTimeout(run, BUSY_POLL_MS);
        return;
      }
      const behind = this.waitingSince !== null;
      this.waitingSince = null;
      this.showNewest(behind);
    };
    this.showTimer = setTimeout(run, 0);
  }

  showNewest(behind) {
    const complete = this.nEpochs;
    const labelChanged = this.page.store.history.meta.shown_label !== this.shownLabel;
    let target = this.shown;
    if (this.follow || this.shown > complete || this.shown === 0) target = complete;
    if (labelChanged || target !== this.shown) {
      this.shown = target;
      this.apply({ animate: !behind && !labelChanged });
    } else {
      this.page.notify();
    }
  }

  /** Scrub to epoch k (1..nEpochs); the map follows new epochs again once k is the newest. */
  replay(k) {
    const target = Math.max(1, Math.min(this.nEpochs, Math.round(Number(k)) || 1));
    if (this.nEpochs === 0) return;
    this.follow = target === this.nEpochs;
    if (target === this.shown) {
      this.page.notify();
      return;
    }
    this.shown = target;
    this.apply();
  }

  togglePlay() {
    if (this.playTimer !== null) {
      this.stopPlay();
      return;
    }
    if (this.nEpochs === 0) return;
    if (this.shown >= this.nEpochs) this.replay(1);
    this.playTimer = setInterval(() => {
      if (this.shown >= this.nEpochs) this.stopPlay();
      else this.replay(this.shown + 1);
    }, PLAY_STEP_MS);
    this.page.notify();
  }

  stopPlay() {
    if (this.playTimer !== null) {
      clearInterval(this.playTimer);
      this.playTimer = null;
      this.page.notify();
    }
  }

  /** The map after the shown epoch: O(N) from the running sums when following, else O(k N). */
  computePositions() {
    const { store } = this.page;
    const history = store.history;
    if (this.sumsOf !== store.epochs) {
      this.sums = emptySums(store.n); // another label's history: start the sums again
      this.sumsOf = store.epochs;
    }
    const k = this.shown;
    if (k >= this.sums.k) return mapFromSums(accumulate(this.sums, history, k), store.n);
    return mapAtEpoch(history, k);
  }

  /** Recompute the map for the shown epoch and move the marks there (animated unless told not). */
  apply({ animate = true } = {}) {
    const page = this.page;
    if (!page.parts) return;
    // Nothing to move from when the map was empty or no view is mounted yet: the map appears at
    // once (a bqplot-gl tween started before its view draws stalls at its first frame).
    animate = animate && this.drawnEpoch > 0 && this.shown > 0 && page.views.size > 0;
    this.drawnEpoch = this.shown;
    this.shownLabel = page.store.history.meta.shown_label;
    this.positions = this.computePositions();
    for (const view of page.views) view.beginTransition(this.shown, animate, this.positions);
    const change = () => {
      // SVG: bqplot draws (and tweens) the shared mark; big maps: each view's raster layer draws.
      if (page.store.renderer !== "gl") showPoints(page.parts, this.positions, this.shown > 0);
      page.drawCurrent(); // the ring moves (or jumps) together with its point
    };
    if (animate) change();
    else withoutAnimation(page.parts.map, change);
    page.notify();
  }
}
