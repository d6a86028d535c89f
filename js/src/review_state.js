// @ts-check
// The review queue's state, shared by every view. Decisions made here are shown at once (codes)
// and sent to the kernel as "decisions" messages; they stay in the outbox (and are re-sent) until
// the kernel's decisions (the store's `reviews`) hold them. The queue walks the review list: the
// selection, or with none every example, most likely mislabeled first (label-issue score, else
// lowest confidence), in the list's sort.
import { DecisionOutbox } from "./decision_outbox.js";
import { decisionMessage, ReviewQueue, rankByScore } from "./review_queue.js";
import { nameRanks, sortIndexes } from "./row_window.js";

const RESEND_MS = 20000;
const VERDICT_CODES = { correct: 1, wrong: 2, remove: 3 };

export class ReviewState {
  /** `page`: the controller (store, selected, selection, positions, shown, history, select, notify). */
  constructor(page) {
    this.page = page;
    const { store } = page;
    this.outbox = new DecisionOutbox();
    this.codes = new Uint8Array(store.n); // per point: 0 not reviewed, 1 correct, 2 wrong, 3 removed
    /** @type {Float32Array | null} label-issue score per point (the store's, unless set here) */
    this.scores = store.scores;
    this.sort = { key: null, descending: false }; // list/queue order (shared by views)
    this.orderCache = null;
    this.errors = []; // the kernel's reasons for the decisions it refused last
    this.unsubscribe = [
      store.on("reviews", () => this.receiveReviews()),
      store.on("meta", () => this.refreshCodes()), // multilabel codes are per shown label
      store.on("scores", () => {
        this.scores = store.scores;
      }),
      store.on("decisionErrors", (errors) => this.receiveErrors(errors)),
    ];
    this.resendTimer = setInterval(() => this.sendPending(), RESEND_MS);
    this.receiveReviews(false);
  }

  dispose() {
    for (const stop of this.unsubscribe) stop();
    clearInterval(this.resendTimer);
  }

  /** Index of the shown label among the label names (multilabel decisions are per label). */
  label() {
    const meta = this.page.store.meta;
    if (meta.task !== "multilabel") return null;
    const k = (meta.label_names || []).indexOf(String(meta.shown_label));
    return k < 0 ? null : k;
  }

  receiveReviews(notify = true) {
    this.outbox.reconcile(this.page.store.reviews);
    this.refreshCodes();
    if (notify) this.page.notify();
  }

  refreshCodes() {
    this.codes = this.outbox.verdictCodes(this.page.store.reviews, this.page.store.n, this.label());
  }

  receiveErrors(errors) {
    this.outbox.refuse(errors);
    this.errors = errors.map((e) => String(e[1]));
    this.refreshCodes();
    this.page.notify();
  }

  /** The latest decision about point i: the page's own not yet confirmed one, else the kernel's. */
  latest(i) {
    return this.outbox.latest(this.page.store.reviews, i);
  }

  /** Send every decision the kernel has not confirmed yet (it drops ids it has seen). */
  sendPending() {
    const pending = this.outbox.toSend();
    if (!pending.length) return;
    try {
      this.page.store.sendDecisions(pending);
    } catch (err) {
      console.warn("datamap-widget: could not send decisions (kept, sent again later)", err);
    }
  }

  /** Decide about the current point; then the queue moves on to the next example. */
  decide(verdict, newLabel = null) {
    const i = this.page.selected;
    if (i === null || i >= this.page.store.n || !this.page.store.connected) return null; // no kernel: no record
    const label = this.label();
    const message = decisionMessage({ index: i, verdict, newLabel: label === null ? newLabel : null, label });
    this.outbox.add(message);
    this.codes[i] = VERDICT_CODES[verdict] || 0;
    try {
      this.page.store.sendDecisions([message]);
    } catch (err) {
      console.warn("datamap-widget: could not send a decision (kept, sent again later)", err);
    }
    if (!this.step(1, { stayOutside: true })) this.page.notify();
    return message;
  }

  /** Sort key of the review list: a per-position array (or null: the default order). */
  keyArray(key) {
    const { positions, history } = this.page;
    if (key === "confidence") return positions.y;
    if (key === "correctness") return positions.color;
    if (key === "score") return this.scores;
    if (key === "gold") {
      const ranks = nameRanks((history.meta.class_names || []).map(String));
      const gold = history.gold;
      return (i) => ranks[gold[i]] ?? gold[i];
    }
    if (key === "decision") return this.codes;
    return null;
  }

  /** Positions of the review list, in order (cached until its inputs change). */
  order() {
    const { selection, positions, shown, history } = this.page;
    const { key, descending } = this.sort;
    const deps = [
      selection,
      key,
      descending,
      this.scores,
      positions,
      key === "decision" ? this.codes : null,
      history.gold,
    ];
    const c = this.orderCache;
    if (c && c.deps.every((d, j) => d === deps[j])) return c.order;
    let base;
    if (selection.length) base = selection;
    else if (this.scores) base = rankByScore(this.scores);
    else if (shown > 0) base = rankByScore(positions.y, { descending: false });
    else base = new Int32Array(0);
    const keys = key ? this.keyArray(key) : null;
    const order = keys ? sortIndexes(base, keys, { descending }) : Int32Array.from(base);
    this.orderCache = { deps, order };
    return order;
  }

  setSort(key) {
    const same = this.sort.key === key;
    this.sort = { key, descending: same ? !this.sort.descending : key === "score" };
    this.page.notify();
  }

  /** Move the current point `step` places along the review list; false at an end. */
  step(step, { stayOutside = false } = {}) {
    const queue = new ReviewQueue(this.order());
    if (!queue.length) return false;
    const { selected } = this.page;
    if (selected === null || !queue.goTo(selected)) {
      if (stayOutside) return false;
      this.page.select(queue.current());
      return true;
    }
    const next = step > 0 ? queue.next() : queue.previous();
    if (next === null) return false;
    this.page.select(next);
    return true;
  }
}
