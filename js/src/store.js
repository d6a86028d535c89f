// @ts-check
// The page's one decoding store, per widget model (shared by all its views). It is the only module
// that talks to the anywidget model: traits and binary buffers come in (decoded by wire.js), typed
// arrays and plain values go out, with a change event per field; what the page tells the kernel
// (the current point, the selection, the label to show, decisions, requests for missing epochs)
// goes out through it too. Everything else reads this store, never the model.
//
// The history: the `_epoch` trait brings the newest epoch of the shown label; epochs this page
// lacks (after a reload, a late display, a label switch) are asked for with one message and
// arrive as answers (see datamap_widget/_sync.py). `epochs.complete` leading epochs are usable.
//
// `source` is the anywidget model, or any object with its `get(name)` / `on` / `off` surface
// (`set`, `save_changes` and `send` only where a kernel listens: without them writes stay in the
// page and nothing is requested).
import { EpochStore, historyView } from "./history.js";
import {
  decisionsMessage,
  PACKED,
  readCount,
  readEpoch,
  readGoldSets,
  readImages,
  readLoggedEpochs,
  readMessage,
  readMeta,
  readPacked,
  readParts,
  readRenderer,
  readReviews,
  readScores,
  readSelectedIndex,
  readSelection,
  readShownLabel,
  readWantedLabel,
  requestEpochsMessage,
  selectedIndexValue,
  selectionValue,
  stringAt,
  TRAITS,
} from "./wire.js";

const REQUEST_TIMEOUT_MS = 120000; // ask again for missing epochs if no answer came by then

/**
 * A store field with a change event, named as its getter: history (epochs arrived or the shown
 * label changed: `history`, `epochs`), meta, scores, reviews (the kernel's decisions),
 * selectedIndex, selection, wantedLabel (also fired when this page set them), and
 * decisionErrors (called with the kernel's [[decision id, reason], ...] refusals).
 * @typedef {"history" | "meta" | "scores" | "reviews" | "selectedIndex" | "selection" | "wantedLabel" | "decisionErrors"} Field
 */

export class DataStore {
  /** @param {any} source the anywidget model, or an object with the same get / on / off */
  constructor(source) {
    this.source = source;
    /** number of examples (points), fixed for the widget's life */
    this.n = readCount(source);
    /** @type {Map<Field, Set<Function>>} */
    this.listeners = new Map();
    /** @type {Map<string, {raws: any[], value: any}>} */
    this.memo = new Map();
    this.epochs = new EpochStore(readShownLabel(source), this.n);
    this.history = historyView(this.epochs, source);
    /** @type {Float32Array | null} label-issue score per point of the shown label (sent with epochs) */
    this.scores = null;
    this.scoresLabel = null;
    this.request = null; // {label, stop, at}: the last request for missing epochs
    /** @type {[string, Function][]} */
    this.handlers = [
      [`change:${TRAITS.epoch}`, () => this.receiveEpoch()],
      [`change:${TRAITS.meta}`, () => this.receiveMeta()],
      [
        "msg:custom",
        (/** @type {any} */ content, /** @type {any[]} */ buffers) => this.receiveMessage(content, buffers),
      ],
      [`change:${TRAITS.reviews}`, () => this.emit("reviews")],
      [`change:${TRAITS.selectedIndex}`, () => this.emit("selectedIndex")],
      [`change:${TRAITS.selection}`, () => this.emit("selection")],
      [`change:${TRAITS.label}`, () => this.emit("wantedLabel")],
    ];
    for (const [event, handler] of this.handlers) source.on(event, handler);
    this.receiveEpoch();
  }

  dispose() {
    for (const [event, handler] of this.handlers) this.source.off(event, handler);
    this.listeners.clear();
  }

  /**
   * Call `listener` whenever `field` changes; returns the function that stops it.
   * @param {Field} field @param {Function} listener @returns {() => void}
   */
  on(field, listener) {
    const set = this.listeners.get(field) || new Set();
    this.listeners.set(field, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** @param {Field} field @param {...any} args */
  emit(field, ...args) {
    for (const listener of this.listeners.get(field) || []) listener(...args);
  }

  /** `decode()` again only when one of `traits` holds a new value (trait values are replaced, never mutated). */
  cached(key, traits, decode) {
    const hit = this.memo.get(key);
    let same = hit !== undefined;
    for (let j = 0; same && j < traits.length; j++) same = this.source.get(traits[j]) === hit.raws[j];
    if (same) return hit.value;
    const raws = traits.map((t) => this.source.get(t));
    const value = decode();
    this.memo.set(key, { raws, value });
    return value;
  }

  /** Whether a kernel listens (what the page sets or sends reaches Python when it is free). */
  get connected() {
    return typeof this.source.send === "function";
  }

  get renderer() {
    return readRenderer(this.source);
  }

  /** The ipywidgets manager that holds the child figures (bqplot). */
  get widgetManager() {
    return this.source.widget_manager;
  }

  /** The child bqplot models the page drives, by role (map, points, highlight, trajectory, ...). */
  async resolveParts() {
    const manager = this.widgetManager;
    const entries = await Promise.all(
      Object.entries(readParts(this.source)).map(async ([role, id]) => [role, await manager.get_model(id)]),
    );
    return Object.fromEntries(entries);
  }

  /** Task, class / label names, thresholds, shown_label (as the kernel holds them now). */
  get meta() {
    return readMeta(this.source);
  }

  /** The label whose history `epochs` holds ("" unless multilabel). */
  get label() {
    return this.epochs.label;
  }

  /** The label the user asked for (multilabel; the kernel then sends its history). */
  get wantedLabel() {
    return readWantedLabel(this.source);
  }

  /** Epochs the kernel has logged (the page may still be fetching some of them). */
  get loggedEpochs() {
    return Math.max(this.epochs.newest, readLoggedEpochs(this.source));
  }

  /** Multilabel gold sets: N x L bytes, 0/1. */
  get goldSets() {
    return readGoldSets(this.source);
  }

  get hasTexts() {
    return this.packed("texts").offsets.length > 0;
  }

  /** Example i's text (null: no texts); `maxBytes` decodes only its start. */
  textAt(i, maxBytes = Number.POSITIVE_INFINITY) {
    return stringAt(this.packed("texts"), i, maxBytes);
  }

  /** Example i's id (null when the ids are the positions 0..N-1). */
  idAt(i) {
    return stringAt(this.packed("ids"), i);
  }

  /** All texts as UTF-8 bytes + uint32 offsets (the text search indexes them). */
  get texts() {
    return this.packed("texts");
  }

  /** @param {"texts" | "ids"} kind */
  packed(kind) {
    return this.cached(kind, PACKED[kind], () => readPacked(this.source, kind));
  }

  get hasImages() {
    return readImages(this.source) !== null;
  }

  /** Example i's grey-level image {height, width, pixels}, or null when the examples are not images. */
  imageAt(i) {
    const images = readImages(this.source);
    if (!images) return null;
    const { height, width, pixels } = images;
    return { height, width, pixels: pixels.subarray(i * height * width, (i + 1) * height * width) };
  }

  /** Every decision the kernel holds (ReviewLog.to_messages() form). */
  get reviews() {
    return this.cached("reviews", [TRAITS.reviews], () => readReviews(this.source)); // parsed once per change
  }

  /** The current point as the trait holds it (null: none). */
  get selectedIndex() {
    return readSelectedIndex(this.source, this.n);
  }

  /** The multi-point selection (ascending positions), or null if the trait holds a malformed value. */
  get selection() {
    return this.cached("selection", [TRAITS.selection], () => {
      try {
        return readSelection(this.source, this.n);
      } catch (err) {
        console.warn("datamap-widget: ignored a malformed selection", err);
        return null;
      }
    });
  }

  /** Set the current point; it reaches Python when the kernel is free. @param {number | null} i */
  select(i) {
    this.write(TRAITS.selectedIndex, selectedIndexValue(i));
  }

  /** Set the multi-point selection (ascending, unique positions). @param {Int32Array} indexes */
  setSelection(indexes) {
    this.write(TRAITS.selection, selectionValue(indexes));
  }

  /** Ask the kernel to show another label (applied, and its history sent, when it is free). */
  setLabel(name) {
    this.write(TRAITS.label, name);
  }

  write(name, value) {
    if (typeof this.source.set !== "function") return;
    this.source.set(name, value);
    if (typeof this.source.save_changes === "function") this.source.save_changes();
  }

  /** Send decisions to the kernel's review log; throws if the comm refuses (the caller keeps them). */
  sendDecisions(decisions) {
    if (this.connected) this.source.send(decisionsMessage(decisions));
  }

  resetEpochs(label) {
    this.epochs = new EpochStore(label, this.n);
    this.request = null;
  }

  /** The newest epoch arrived (one comm message per logged epoch), or the shown label changed. */
  receiveEpoch() {
    const { epoch, label: epochLabel, payload } = readEpoch(this.source);
    const label = epoch ? epochLabel : readShownLabel(this.source);
    if (label !== this.epochs.label) this.resetEpochs(label);
    if (epoch) {
      try {
        this.epochs.put(epoch, payload);
      } catch (err) {
        console.warn("datamap-widget: ignored a malformed epoch", err);
      }
    }
    this.receiveScores(payload, label);
    this.epochs.newest = Math.max(this.epochs.newest, readLoggedEpochs(this.source));
    this.historyChanged();
  }

  /** The score of the shown label from an epoch; an epoch without one keeps the label's last. */
  receiveScores(payload, label) {
    let scores;
    try {
      scores = readScores(payload, this.n);
    } catch (err) {
      console.warn("datamap-widget: ignored malformed scores", err);
      return;
    }
    if (scores === undefined) {
      if (label !== this.scoresLabel) this.setScores(null, this.scoresLabel);
    } else if (scores !== null) this.setScores(scores, label);
  }

  setScores(scores, label) {
    this.scoresLabel = label;
    if (scores === this.scores) return;
    this.scores = scores;
    this.emit("scores");
  }

  receiveMeta() {
    const shown = readShownLabel(this.source);
    if (shown !== this.epochs.label && !readEpoch(this.source).epoch) this.resetEpochs(shown);
    this.emit("meta");
    this.historyChanged();
  }

  /** Answers to our requests for missing epochs, and the kernel's refusals of decisions. */
  receiveMessage(content, buffers) {
    const message = readMessage(content, buffers);
    if (!message) return;
    if (message.type === "decision_errors") {
      this.emit("decisionErrors", message.errors);
      return;
    }
    if (message.label !== this.epochs.label) return;
    try {
      this.epochs.put(message.first, message.payload, message.buffers);
    } catch (err) {
      console.warn("datamap-widget: ignored malformed history", err);
      return;
    }
    if (this.request && this.epochs.complete >= this.request.stop - 1) this.request = null;
    this.historyChanged();
  }

  /** Ask the kernel for epochs this page lacks (answered when the kernel is free). */
  requestMissing() {
    const gap = this.epochs.missing();
    if (!gap || !this.connected) return;
    const now = performance.now();
    const r = this.request;
    if (r && r.label === this.epochs.label && now - r.at < REQUEST_TIMEOUT_MS) return;
    const stop = this.epochs.newest + 1;
    this.request = { label: this.epochs.label, stop, at: now };
    try {
      this.source.send(requestEpochsMessage(this.epochs.label, gap[0], stop));
    } catch (err) {
      console.warn("datamap-widget: could not ask the kernel for the history", err);
    }
  }

  historyChanged() {
    this.history = historyView(this.epochs, this.source);
    this.requestMissing();
    this.emit("history");
  }
}
