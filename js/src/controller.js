// Per-widget-model state shared by every view of that widget: the history received so far, the
// shown epoch, whether the map follows new epochs, the selected point. It drives the shared bqplot
// models client-side (set without save_changes), so nothing here needs the kernel.
//
// Keeping up with training: a logged epoch only stores its arrays (O(N)); showing it is scheduled.
// Epochs that arrive while the map is still animating are coalesced: when the animation ends, the
// map goes straight to the newest epoch, without a tween (we are behind: no stale transitions).

// ---- review
import { decodeArray } from "./codecs.js";
import { DecisionOutbox, parseReviews } from "./decision_outbox.js";
import { EpochStore, historyView } from "./history.js";
import { accumulate, emptySums, mapAtEpoch, mapFromSums } from "./metrics.js";
import { decisionMessage, ReviewQueue, rankByScore } from "./review_queue.js";
import { nameRanks, sortIndexes } from "./row_window.js";
import { decodeSelection, encodeSelection } from "./selection_sync.js";
import { showTrajectory } from "./trajectory.js";

const PLAY_STEP_MS = 700;
const BUSY_POLL_MS = 40;
const MAX_WAIT_MS = 3000; // never wait longer than this for an animation to end
const REQUEST_TIMEOUT_MS = 120000; // ask again for missing epochs if no answer came by then
const controllers = new Map();

function keyOf(model) {
  const parts = model.get("_parts") || {};
  return String(parts.map || "");
}

/** The controller of this widget model (created on first use, keyed by its map figure's id). */
export function controllerFor(model) {
  const key = keyOf(model);
  let ctrl = controllers.get(key);
  if (!ctrl) {
    ctrl = new Controller(model, key);
    controllers.set(key, ctrl);
  }
  return ctrl;
}

/**
 * Run `change` with the figure's animation_duration at 0, client-side only (never saved): bqplot
 * marks read it synchronously when they redraw for a data change, so only that change jumps.
 */
function withoutAnimation(figureModel, change) {
  const duration = figureModel.get("animation_duration");
  if (!duration) {
    change();
    return;
  }
  figureModel.set("animation_duration", 0);
  try {
    change();
  } finally {
    figureModel.set("animation_duration", duration);
  }
}

function shownLabelOf(model) {
  const meta = model.get("_meta") || {};
  return String(meta.shown_label ?? "");
}

class Controller {
  constructor(model, key) {
    this.model = model;
    this.key = key;
    this.views = new Set();
    this.n = model.get("n_examples") | 0;
    this.store = new EpochStore(shownLabelOf(model), this.n);
    this.sums = emptySums(this.n); // running sums of the newest complete epochs (follow mode)
    this.history = historyView(this.store, model);
    this.shown = 0;
    this.drawnEpoch = 0; // the epoch the marks were last given (0: the map is empty)
    this.follow = true;
    this.positions = mapFromSums(this.sums, this.n);
    this.ringAt = null; // the point whose highlight ring is drawn (null: ring hidden)
    this.selected = null;
    this.playTimer = null;
    this.showTimer = null;
    this.waitingSince = null; // when a newer epoch started waiting for an animation to end
    this.request = null; // {label, stop, at}: the last request for missing epochs
    this.onEpoch = () => this.receiveEpoch();
    this.onMeta = () => this.receiveMeta();
    this.onMsg = (content, buffers) => this.receiveMessage(content, buffers);
    this.onSelectedTrait = () => this.syncSelectionFromModel();
    // ---- selection (map): multi-point selection, colour mode, gold filter, search (page-side)
    this.selection = new Int32Array(0); // selected positions, ascending
    this.colorBy = "correctness"; // correctness | gold | region | reviewed | score
    this.goldFilter = null; // null: all points shown; else a gold class / label index
    this.searchQuery = "";
    this.searchHits = new Int32Array(0);
    this.onSelectionTrait = () => this.syncMultiSelectionFromModel();
    model.on("change:_selection", this.onSelectionTrait);
    this.syncMultiSelectionFromModel(false);
    this.initReview(); // ---- review
    model.on("change:_epoch", this.onEpoch);
    model.on("change:_meta", this.onMeta);
    model.on("msg:custom", this.onMsg);
    model.on("change:_selected_index", this.onSelectedTrait);
    model.on("change:_reviews", this.onReviews); // ---- review
    this.receiveEpoch();
    this.ready = this.resolveParts().then(() => {
      this.shown = this.store.complete;
      const sel = model.get("_selected_index") || [];
      this.selected = sel.length && sel[0] >= 0 && sel[0] < this.n ? sel[0] : null;
      this.apply();
    });
  }

  async resolveParts() {
    const refs = this.model.get("_parts") || {};
    const manager = this.model.widget_manager;
    const entries = await Promise.all(
      Object.entries(refs).map(async ([role, ref]) => [
        role,
        await manager.get_model(String(ref).replace(/^IPY_MODEL_/, "")),
      ]),
    );
    this.parts = Object.fromEntries(entries);
  }

  dispose() {
    this.stopPlay();
    clearTimeout(this.showTimer);
    this.model.off("change:_epoch", this.onEpoch);
    this.model.off("change:_meta", this.onMeta);
    this.model.off("msg:custom", this.onMsg);
    this.model.off("change:_selected_index", this.onSelectedTrait);
    this.model.off("change:_reviews", this.onReviews); // ---- review
    clearInterval(this.resendTimer); // ---- review
    this.model.off("change:_selection", this.onSelectionTrait);
    controllers.delete(this.key);
  }

  get nEpochs() {
    return this.store.complete;
  }

  /** Epochs the kernel has logged (the page may still be fetching some of them). */
  get loggedEpochs() {
    return Math.max(this.store.newest, this.model.get("n_epochs") | 0);
  }

  // ------------------------------------------------------------------ receiving history
  resetStore(label) {
    this.store = new EpochStore(label, this.n);
    this.sums = emptySums(this.n);
    this.request = null;
  }

  /** The newest epoch arrived (one comm message per logged epoch), or the shown label changed. */
  receiveEpoch() {
    const epoch = this.model.get("_epoch") || {};
    const label = epoch.epoch ? String(epoch.label ?? "") : shownLabelOf(this.model);
    if (label !== this.store.label) this.resetStore(label);
    if (epoch.epoch) {
      try {
        this.store.put(epoch.epoch, epoch);
      } catch (err) {
        console.warn("datamap-widget: ignored a malformed epoch", err);
      }
    }
    this.receiveScores(epoch, label); // ---- review
    this.store.newest = Math.max(this.store.newest, this.model.get("n_epochs") | 0);
    this.historyChanged();
  }

  receiveMeta() {
    if (shownLabelOf(this.model) !== this.store.label && !(this.model.get("_epoch") || {}).epoch) {
      this.resetStore(shownLabelOf(this.model));
    }
    this.refreshReviewCodes(); // ---- review: multilabel codes are per shown label
    this.historyChanged();
  }

  /** Answers to our requests for missing epochs. */
  receiveMessage(content, buffers) {
    if (content && content.type === "decision_errors") return this.receiveDecisionErrors(content); // ---- review
    if (!content || content.type !== "epochs" || String(content.label) !== this.store.label) return;
    try {
      this.store.put(Number(content.first), content, buffers);
    } catch (err) {
      console.warn("datamap-widget: ignored malformed history", err);
      return;
    }
    if (this.request && this.store.complete >= this.request.stop - 1) this.request = null;
    this.historyChanged();
  }

  /** Ask the kernel for epochs this page lacks (answered when the kernel is free). */
  requestMissing() {
    const gap = this.store.missing();
    if (!gap) return;
    const now = performance.now();
    const r = this.request;
    if (r && r.label === this.store.label && now - r.at < REQUEST_TIMEOUT_MS) return;
    const stop = this.store.newest + 1;
    this.request = { label: this.store.label, stop, at: now };
    try {
      this.model.send({ type: "request_epochs", label: this.store.label, first: gap[0], stop });
    } catch (err) {
      console.warn("datamap-widget: could not ask the kernel for the history", err);
    }
  }

  historyChanged() {
    this.history = historyView(this.store, this.model);
    this.requestMissing();
    this.scheduleShow();
  }

  // ------------------------------------------------------------------ showing epochs
  /** Any view still animating the map? */
  animating() {
    for (const view of this.views) if (view.animating()) return true;
    return false;
  }

  /** Show the newest complete epoch soon; epochs arriving meanwhile are coalesced into one. */
  scheduleShow() {
    if (this.showTimer !== null || !this.parts) return;
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
    const complete = this.store.complete;
    const labelChanged = this.history.meta.shown_label !== this.shownLabel;
    if (this.selected !== null && this.selected >= this.n) this.selected = null;
    let target = this.shown;
    if (this.follow || this.shown > complete || this.shown === 0) target = complete;
    if (labelChanged || target !== this.shown) {
      this.shown = target;
      this.apply({ animate: !behind && !labelChanged });
    } else {
      this.notify();
    }
  }

  /** Scrub to epoch k (1..nEpochs); the map follows new epochs again once k is the newest. */
  replay(k) {
    const target = Math.max(1, Math.min(this.nEpochs, Math.round(Number(k)) || 1));
    if (this.nEpochs === 0) return;
    this.follow = target === this.nEpochs;
    if (target === this.shown) {
      this.notify();
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
    this.notify();
  }

  stopPlay() {
    if (this.playTimer !== null) {
      clearInterval(this.playTimer);
      this.playTimer = null;
      this.notify();
    }
  }

  /** Select point i (or null); the selection reaches Python when the kernel is free. */
  select(i) {
    this.selected = i;
    this.applySelection();
    this.notify();
    this.model.set("_selected_index", i === null ? [] : [i]);
    this.model.save_changes();
  }

  syncSelectionFromModel() {
    const sel = this.model.get("_selected_index") || [];
    const i = sel.length && sel[0] >= 0 && sel[0] < this.n ? sel[0] : null;
    if (i === this.selected) return;
    this.selected = i;
    this.applySelection();
    this.notify();
  }

  /** The map after the shown epoch: O(N) from the running sums when following, else O(k N). */
  computePositions() {
    const k = this.shown;
    if (k >= this.sums.k) return mapFromSums(accumulate(this.sums, this.history, k), this.n);
    return mapAtEpoch(this.history, k);
  }

  /** Recompute the map for the shown epoch and move the marks there (animated unless told not). */
  apply({ animate = true } = {}) {
    if (!this.parts) return;
    // Nothing to move from when the map was empty or no view is mounted yet: the map appears at
    // once (a bqplot-gl tween started before its view draws stalls at its first frame).
    animate = animate && this.drawnEpoch > 0 && this.shown > 0 && this.views.size > 0;
    this.drawnEpoch = this.shown;
    this.shownLabel = this.history.meta.shown_label;
    this.positions = this.computePositions();
    for (const view of this.views) view.beginTransition(this.shown, animate, this.positions);
    const { x, y, color } = this.positions;
    const change = () => {
      // SVG: bqplot draws (and tweens) the shared mark; big maps: each view's raster layer draws.
      if (this.model.get("renderer") !== "gl") this.parts.points.set({ x, y, color, visible: this.shown > 0 });
      this.applySelection(); // the ring moves (or jumps) together with its point
    };
    if (animate) change();
    else withoutAnimation(this.parts.map, change);
    this.notify();
  }

  /**
   * Put the highlight ring on the selected point. A newly selected (or re-shown) point gets its
   * ring at once: bqplot would otherwise tween it from its last place (the origin at first) for
   * the figure's animation_duration. The same point keeps its ring and moves with it (epochs).
   */
  applySelection() {
    if (!this.parts) return;
    const i = this.selected;
    const visible = i !== null && this.shown > 0;
    if (visible) {
      const ring = { x: [this.positions.x[i]], y: [this.positions.y[i]], visible: true };
      if (this.ringAt === i) this.parts.highlight.set(ring);
      else withoutAnimation(this.parts.map, () => this.parts.highlight.set(ring));
    } else {
      this.parts.highlight.set({ visible: false });
    }
    this.ringAt = visible ? i : null;
    showTrajectory(this.parts, this.history, visible ? i : null, this.shown);
  }

  notify() {
    for (const view of this.views) view.update();
  }

  // ------------------------------------------------------------------ ---- review
  // Decisions made here are shown at once (reviewCodes) and sent to the kernel as "decisions"
  // messages; they stay in the outbox (and are re-sent) until the kernel's `_reviews` list holds
  // them. The queue walks the review list: the selection, or with none every example, most
  // likely mislabeled first (label-issue score, else lowest confidence), in the list's sort.
  initReview() {
    this.outbox = new DecisionOutbox();
    this.reviews = []; // the kernel's canonical decisions (parsed `_reviews`)
    this.reviewCodes = new Uint8Array(this.n);
    this.scores = null;
    this.scoresLabel = null;
    this.reviewSort = { key: null, descending: false }; // list/queue order (shared by views)
    this.reviewOrderCache = null;
    this.decisionErrors = [];
    this.onReviews = () => this.receiveReviews();
    this.resendTimer = setInterval(() => this.sendDecisions(), 20000);
    this.receiveReviews(false);
  }

  /** Index of the shown label among the label names (multilabel decisions are per label). */
  reviewLabel() {
    const meta = this.model.get("_meta") || {};
    if (meta.task !== "multilabel") return null;
    const k = (meta.label_names || []).indexOf(String(meta.shown_label));
    return k < 0 ? null : k;
  }

  receiveReviews(notify = true) {
    this.reviews = parseReviews(this.model.get("_reviews")); // parsed once per change
    this.outbox.reconcile(this.reviews);
    this.refreshReviewCodes();
    if (notify) this.notify();
  }

  refreshReviewCodes() {
    this.reviewCodes = this.outbox.verdictCodes(this.reviews, this.n, this.reviewLabel());
  }

  receiveDecisionErrors(content) {
    this.outbox.refuse(content.errors || []);
    this.decisionErrors = (content.errors || []).map((e) => String(e[1]));
    this.refreshReviewCodes();
    this.notify();
  }

  /** The label-issue score per point (sent with each epoch) of the shown label, or keep the old. */
  receiveScores(epoch, label) {
    if (!epoch || !epoch.score) {
      if (label !== this.scoresLabel) this.scores = null;
      return;
    }
    try {
      const { data } = decodeArray(epoch.score);
      if (data.length === this.n) {
        this.scores = data;
        this.scoresLabel = label;
        this.reviewOrderCache = null;
      }
    } catch (err) {
      console.warn("datamap-widget: ignored malformed scores", err);
    }
  }

  /** Send every decision the kernel has not confirmed yet (it drops ids it has seen). */
  sendDecisions() {
    const pending = this.outbox.toSend();
    if (!pending.length) return;
    try {
      this.model.send({ type: "decisions", decisions: pending });
    } catch (err) {
      console.warn("datamap-widget: could not send decisions (kept, sent again later)", err);
    }
  }

  /** Decide about the current point; then the queue moves on to the next example. */
  decide(verdict, newLabel = null) {
    const i = this.selected;
    if (i === null || i >= this.n) return null;
    const label = this.reviewLabel();
    const message = decisionMessage({ index: i, verdict, newLabel: label === null ? newLabel : null, label });
    this.outbox.add(message);
    this.reviewCodes[i] = { correct: 1, wrong: 2, remove: 3 }[verdict] || 0;
    try {
      this.model.send({ type: "decisions", decisions: [message] });
    } catch (err) {
      console.warn("datamap-widget: could not send a decision (kept, sent again later)", err);
    }
    if (!this.reviewStep(1, { stayOutside: true })) this.notify();
    return message;
  }

  /** Sort key of the review list: a per-position array (or null: the default order). */
  reviewKeyArray(key) {
    if (key === "confidence") return this.positions.y;
    if (key === "correctness") return this.positions.color;
    if (key === "score") return this.scores;
    if (key === "gold") {
      const ranks = nameRanks((this.history.meta.class_names || []).map(String));
      const gold = this.history.gold;
      return (i) => ranks[gold[i]] ?? gold[i];
    }
    if (key === "decision") return this.reviewCodes;
    return null;
  }

  /** Positions of the review list, in order (cached until its inputs change). */
  reviewOrder() {
    const { key, descending } = this.reviewSort;
    const deps = [
      this.selection,
      key,
      descending,
      this.scores,
      this.positions,
      key === "decision" ? this.reviewCodes : null,
      this.history.gold,
    ];
    const c = this.reviewOrderCache;
    if (c && c.deps.every((d, j) => d === deps[j])) return c.order;
    let base;
    if (this.selection.length) base = this.selection;
    else if (this.scores) base = rankByScore(this.scores);
    else if (this.shown > 0) base = rankByScore(this.positions.y, { descending: false });
    else base = new Int32Array(0);
    const keys = key ? this.reviewKeyArray(key) : null;
    const order = keys ? sortIndexes(base, keys, { descending }) : Int32Array.from(base);
    this.reviewOrderCache = { deps, order };
    return order;
  }

  setReviewSort(key) {
    const same = this.reviewSort.key === key;
    this.reviewSort = { key, descending: same ? !this.reviewSort.descending : key === "score" };
    this.notify();
  }

  /** Move the current point `step` places along the review list; false at an end. */
  reviewStep(step, { stayOutside = false } = {}) {
    const queue = new ReviewQueue(this.reviewOrder());
    if (!queue.length) return false;
    if (this.selected === null || !queue.goTo(this.selected)) {
      if (stayOutside) return false;
      this.select(queue.current());
      return true;
    }
    const next = step > 0 ? queue.next() : queue.previous();
    if (next === null) return false;
    this.select(next);
    return true;
  }
  // ---- selection (map)
  /** Store a multi-point selection (positions, any order; kept ascending, unique), sync it. */
  setSelection(indexes) {
    const sorted = Int32Array.from(indexes).sort();
    let k = 0;
    for (let j = 0; j < sorted.length; j++) {
      const i = sorted[j];
      if (i >= 0 && i < this.n && (k === 0 || sorted[k - 1] !== i)) sorted[k++] = i;
    }
    this.selection = sorted.slice(0, k);
    this.model.set("_selection", encodeSelection(this.selection));
    this.model.save_changes();
    this.notify();
  }

  /** Nothing selected, no current point (Esc, click on empty space). */
  clearSelection() {
    if (this.selection.length) this.setSelection(new Int32Array(0));
    if (this.selected !== null) this.select(null);
  }

  syncMultiSelectionFromModel(notify = true) {
    let sel;
    try {
      sel = decodeSelection(this.model.get("_selection"), this.n);
    } catch (err) {
      console.warn("datamap-widget: ignored a malformed selection", err);
      return;
    }
    if (sel.length === this.selection.length && sel.every((v, j) => v === this.selection[j])) return;
    this.selection = sel;
    if (notify) this.notify();
  }

  /** Map style (colour mode, gold filter, search) changed: every view redraws its layers. */
  setStyle({ colorBy, goldFilter, searchQuery, searchHits } = {}) {
    if (colorBy !== undefined) this.colorBy = colorBy;
    if (goldFilter !== undefined) this.goldFilter = goldFilter;
    if (searchQuery !== undefined) this.searchQuery = searchQuery;
    if (searchHits !== undefined) this.searchHits = searchHits;
    this.notify();
  }
}
