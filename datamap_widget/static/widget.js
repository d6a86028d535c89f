// src/trajectory.js
function showTrajectory(parts, history, i, k) {
  const xs = [];
  const ys = [];
  const rightX = [];
  const rightY = [];
  const wrongX = [];
  const wrongY = [];
  if (i !== null && k > 0) {
    for (let e = 0; e < k; e++) {
      const p = history.rows[e].pGold[i];
      xs.push(e + 1);
      ys.push(p);
      if (history.rows[e].correct[i]) {
        rightX.push(e + 1);
        rightY.push(p);
      } else {
        wrongX.push(e + 1);
        wrongY.push(p);
      }
    }
  }
  const last = Math.max(1, k);
  const step = Math.ceil(last / 10);
  const ticks = [];
  for (let e = 1; e <= last; e += step) ticks.push(e);
  parts.traj_x.set({ min: 0.5, max: last + 0.5 });
  parts.traj_x_axis.set({ tick_values: ticks });
  parts.traj_half.set({ x: [0.5, last + 0.5], y: [0.5, 0.5] });
  parts.traj_line.set({ x: xs, y: ys });
  parts.traj_right.set({ x: rightX, y: rightY });
  parts.traj_wrong.set({ x: wrongX, y: wrongY });
}

// src/marks.js
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
function showPoints(parts, { x, y, color }, visible) {
  parts.points.set({ x, y, color, visible });
}
var CurrentPointMarks = class {
  constructor() {
    this.ringAt = null;
  }
  /**
   * Put the highlight ring on point i (null: none) at `positions`, and its trajectory up to epoch
   * `shown` in the panel. A newly selected (or re-shown) point gets its ring at once: bqplot would
   * otherwise tween it from its last place (the origin at first) for the figure's
   * animation_duration. The same point keeps its ring and moves with it (epochs).
   */
  draw(parts, { i, shown, positions, history }) {
    const visible = i !== null && shown > 0;
    if (visible) {
      const ring = { x: [positions.x[i]], y: [positions.y[i]], visible: true };
      if (this.ringAt === i) parts.highlight.set(ring);
      else withoutAnimation(parts.map, () => parts.highlight.set(ring));
    } else {
      parts.highlight.set({ visible: false });
    }
    this.ringAt = visible ? i : null;
    showTrajectory(parts, history, visible ? i : null, shown);
  }
};

// src/metrics.js
var REGIONS = ["easy-to-learn", "ambiguous", "hard-to-learn"];
function emptySums(n) {
  return { k: 0, sum: new Float64Array(n), sumSq: new Float64Array(n), hits: new Float64Array(n) };
}
function accumulate(sums, history, k) {
  const { n, rows } = history;
  const { sum, sumSq, hits } = sums;
  for (let e = sums.k; e < k; e++) {
    const { pGold, correct } = rows[e];
    for (let i = 0; i < n; i++) {
      const p = pGold[i];
      sum[i] += p;
      sumSq[i] += p * p;
      hits[i] += correct[i];
    }
  }
  sums.k = Math.max(sums.k, k);
  return sums;
}
function mapFromSums(sums, n) {
  const { k, sum, sumSq, hits } = sums;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const color = new Float32Array(n);
  if (k <= 0) return { x, y, color };
  for (let i = 0; i < n; i++) {
    const mean = sum[i] / k;
    const variance = sumSq[i] / k - mean * mean;
    x[i] = variance > 0 ? Math.sqrt(variance) : 0;
    y[i] = mean;
    color[i] = hits[i] / k;
  }
  return { x, y, color };
}
function mapAtEpoch(history, k) {
  return mapFromSums(accumulate(emptySums(history.n), history, k), history.n);
}
function regionOf(confidence, variability, meta) {
  if (variability >= meta.variability_threshold) return "ambiguous";
  return confidence >= meta.confidence_threshold ? "easy-to-learn" : "hard-to-learn";
}

// src/playback.js
var PLAY_STEP_MS = 700;
var BUSY_POLL_MS = 40;
var MAX_WAIT_MS = 3e3;
var Playback = class {
  /** `page`: the controller (store, parts, views, drawCurrent, notify). */
  constructor(page) {
    this.page = page;
    const n = page.store.n;
    this.shown = 0;
    this.drawnEpoch = 0;
    this.shownLabel = void 0;
    this.follow = true;
    this.sums = emptySums(n);
    this.sumsOf = page.store.epochs;
    this.positions = mapFromSums(this.sums, n);
    this.playTimer = null;
    this.showTimer = null;
    this.waitingSince = null;
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
      this.sums = emptySums(store.n);
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
    animate = animate && this.drawnEpoch > 0 && this.shown > 0 && page.views.size > 0;
    this.drawnEpoch = this.shown;
    this.shownLabel = page.store.history.meta.shown_label;
    this.positions = this.computePositions();
    for (const view of page.views) view.beginTransition(this.shown, animate, this.positions);
    const change = () => {
      if (page.store.renderer !== "gl") showPoints(page.parts, this.positions, this.shown > 0);
      page.drawCurrent();
    };
    if (animate) change();
    else withoutAnimation(page.parts.map, change);
    page.notify();
  }
};

// src/decision_outbox.js
var VERDICT_CODES = { correct: 1, wrong: 2, remove: 3 };
var DecisionOutbox = class {
  constructor() {
    this.pending = /* @__PURE__ */ new Map();
    this.refused = /* @__PURE__ */ new Map();
  }
  /** A decision just made in this page: keep it until the kernel confirms or refuses it. */
  add(message) {
    this.pending.set(message.decision_id, message);
    return message;
  }
  /** Messages to send (again): every pending decision, oldest first. */
  toSend() {
    return Array.from(this.pending.values());
  }
  /** The kernel's canonical list arrived: drop what it confirms. Returns how many remain. */
  reconcile(canonical) {
    for (const m of canonical || []) this.pending.delete(m.decision_id);
    return this.pending.size;
  }
  /** The kernel refused some decisions ([decision_id, reason] pairs): stop sending them. */
  refuse(errors) {
    for (const [id, reason] of errors || []) {
      if (this.pending.delete(id)) this.refused.set(id, String(reason));
    }
  }
  /**
   * Latest verdict per position (0 none, 1 correct, 2 wrong, 3 remove) over the confirmed
   * decisions followed by the pending ones, as ReviewLog.verdict_codes folds them. With a
   * multilabel `label`, only decisions on that label and removals count.
   */
  verdictCodes(canonical, n, label = null) {
    const codes = new Uint8Array(n);
    const apply = (m) => {
      if (m.index < 0 || m.index >= n) return;
      if (label !== null && m.verdict !== "remove" && m.label !== label) return;
      codes[m.index] = VERDICT_CODES[m.verdict] || 0;
    };
    const confirmed = /* @__PURE__ */ new Set();
    for (const m of canonical || []) {
      apply(m);
      confirmed.add(m.decision_id);
    }
    for (const m of this.pending.values()) if (!confirmed.has(m.decision_id)) apply(m);
    return codes;
  }
  /** The latest decision on a position (pending ones count), or null: for the list and panel. */
  latest(canonical, index) {
    let found = null;
    for (const m of canonical || []) if (m.index === index) found = m;
    for (const m of this.pending.values()) if (m.index === index) found = m;
    return found;
  }
  isPending(index) {
    for (const m of this.pending.values()) if (m.index === index) return true;
    return false;
  }
};

// src/row_window.js
function visibleRows({ scrollTop, viewportHeight, rowHeight, rowCount, overscan = 5 }) {
  const total = Math.max(0, rowCount | 0);
  const height = rowHeight > 0 ? rowHeight : 1;
  const totalHeight = total * height;
  const top = Math.min(Math.max(0, Number(scrollTop) || 0), Math.max(0, totalHeight - Math.max(0, viewportHeight)));
  const first = Math.floor(top / height);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / height);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, last + overscan);
  return { start, end: Math.max(start, end), offsetTop: start * height, totalHeight };
}
function scrollTopToShow(row, { scrollTop, viewportHeight, rowHeight }) {
  const rowTop = row * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}
var INDEX_SPAN = 2 ** 21;
var f32 = new Float32Array(1);
var u32 = new Uint32Array(f32.buffer);
function sortableBits(value) {
  f32[0] = value === 0 ? 0 : value;
  const bits = u32[0];
  return bits & 2147483648 ? ~bits >>> 0 : (bits | 2147483648) >>> 0;
}
function stableOrder(keys, { descending = false } = {}) {
  const m = keys.length;
  if (m > INDEX_SPAN) return comparatorOrder(keys, descending);
  const packed = new Float64Array(m);
  const top = sortableBits(Infinity);
  for (let j = 0; j < m; j++) {
    const v = keys[j];
    let u;
    if (Number.isNaN(v)) u = 4294967295;
    else u = descending ? top - sortableBits(v) : sortableBits(v);
    packed[j] = u * INDEX_SPAN + j;
  }
  packed.sort();
  const perm = new Uint32Array(m);
  for (let j = 0; j < m; j++) perm[j] = packed[j] % INDEX_SPAN;
  return perm;
}
function comparatorOrder(keys, descending) {
  const sign = descending ? -1 : 1;
  const perm = Uint32Array.from({ length: keys.length }, (_, j) => j);
  return perm.sort((a, b) => {
    const ka = Math.fround(keys[a]);
    const kb = Math.fround(keys[b]);
    const naA = Number.isNaN(ka);
    const naB = Number.isNaN(kb);
    if (naA || naB) return naA && naB ? a - b : naA ? 1 : -1;
    return ka === kb ? a - b : ka < kb ? -sign : sign;
  });
}
function sortIndexes(indexes, key, { descending = false } = {}) {
  const n = indexes.length;
  const keys = new Float64Array(n);
  const get = typeof key === "function" ? key : (i) => key[i];
  for (let j = 0; j < n; j++) keys[j] = get(indexes[j]);
  const perm = stableOrder(keys, { descending });
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) out[j] = indexes[perm[j]];
  return out;
}
function nameRanks(names) {
  const order = names.map((name, i) => [String(name), i]).sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);
  const ranks = new Int32Array(names.length);
  order.forEach(([, i], rank) => {
    ranks[i] = rank;
  });
  return ranks;
}

// src/review_queue.js
function rankByScore(scores, { descending = true, candidates = null } = {}) {
  const pool = candidates === null ? null : Int32Array.from(candidates);
  if (pool === null) return Int32Array.from(stableOrder(scores, { descending }));
  return sortIndexes(pool, scores, { descending });
}
var ReviewQueue = class {
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
};
var EDITABLE = /* @__PURE__ */ new Set(["INPUT", "TEXTAREA", "SELECT"]);
function keyAction(event, { task, nClasses, gold }) {
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
var counter = 0;
function decisionMessage({ index, verdict, newLabel = null, label = null, now = Date.now(), prefix = "" }) {
  counter += 1;
  const random = Math.floor(Math.random() * 2 ** 32).toString(36);
  return {
    decision_id: `${prefix}${now.toString(36)}-${random}-${counter}`,
    index,
    verdict,
    new_label: newLabel,
    label,
    time: now
  };
}

// src/review_state.js
var RESEND_MS = 2e4;
var VERDICT_CODES2 = { correct: 1, wrong: 2, remove: 3 };
var ReviewState = class {
  /** `page`: the controller (store, selected, selection, positions, shown, history, select, notify). */
  constructor(page) {
    this.page = page;
    const { store } = page;
    this.outbox = new DecisionOutbox();
    this.codes = new Uint8Array(store.n);
    this.scores = store.scores;
    this.sort = { key: null, descending: false };
    this.orderCache = null;
    this.errors = [];
    this.unsubscribe = [
      store.on("reviews", () => this.receiveReviews()),
      store.on("meta", () => this.refreshCodes()),
      // multilabel codes are per shown label
      store.on("scores", () => {
        this.scores = store.scores;
      }),
      store.on("decisionErrors", (errors) => this.receiveErrors(errors))
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
    if (i === null || i >= this.page.store.n || !this.page.store.connected) return null;
    const label = this.label();
    const message = decisionMessage({ index: i, verdict, newLabel: label === null ? newLabel : null, label });
    this.outbox.add(message);
    this.codes[i] = VERDICT_CODES2[verdict] || 0;
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
      history.gold
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
};

// src/selection.js
function clientToData(transform, cx, cy) {
  const origin = transform.toClient(0, 0);
  return { x: (cx - origin.x) / transform.pxPerX, y: (cy - origin.y) / transform.pxPerY };
}
function emptyMask(n) {
  return new Uint8Array(n);
}
function selectRect(positions, corner1, corner2, { visible = null } = {}) {
  const { x, y } = positions;
  const n = x.length;
  const mask = emptyMask(n);
  const x0 = Math.min(corner1.x, corner2.x);
  const x1 = Math.max(corner1.x, corner2.x);
  const y0 = Math.min(corner1.y, corner2.y);
  const y1 = Math.max(corner1.y, corner2.y);
  if (!(x0 <= x1 && y0 <= y1)) return mask;
  for (let i = 0; i < n; i++) {
    const px = x[i];
    const py = y[i];
    if (px >= x0 && px <= x1 && py >= y0 && py <= y1 && (visible === null || visible[i])) mask[i] = 1;
  }
  return mask;
}
function cleanPolygon(polygon) {
  const flat = [];
  const push = (px, py) => {
    if (!Number.isFinite(px) || !Number.isFinite(py)) return;
    const k2 = flat.length;
    if (k2 >= 2 && flat[k2 - 2] === px && flat[k2 - 1] === py) return;
    flat.push(px, py);
  };
  if (polygon.length && typeof polygon[0] === "object") for (const p of polygon) push(+p.x, +p.y);
  else for (let k2 = 0; k2 + 1 < polygon.length; k2 += 2) push(+polygon[k2], +polygon[k2 + 1]);
  const k = flat.length;
  if (k >= 4 && flat[0] === flat[k - 2] && flat[1] === flat[k - 1]) flat.length = k - 2;
  return flat;
}
function edgesOf(flat) {
  const m = flat.length / 2;
  const lowY = [];
  const highY = [];
  const xAtLow = [];
  const slope = [];
  const dir = [];
  for (let k = 0; k < m; k++) {
    const ax = flat[2 * k];
    const ay = flat[2 * k + 1];
    const bx = flat[2 * ((k + 1) % m)];
    const by = flat[2 * ((k + 1) % m) + 1];
    if (ay === by) continue;
    const up = by > ay;
    const [lx, ly, hx, hy] = up ? [ax, ay, bx, by] : [bx, by, ax, ay];
    lowY.push(ly);
    highY.push(hy);
    xAtLow.push(lx);
    slope.push((hx - lx) / (hy - ly));
    dir.push(up ? 1 : -1);
  }
  return {
    count: lowY.length,
    lowY: Float64Array.from(lowY),
    highY: Float64Array.from(highY),
    xAtLow: Float64Array.from(xAtLow),
    slope: Float64Array.from(slope),
    dir: Int8Array.from(dir)
  };
}
var CELLS_PER_BAND = 64;
function cellIndex(edges, minX, maxX, minY, maxY) {
  const bands = Math.max(8, Math.min(1024, edges.count));
  const cells = CELLS_PER_BAND;
  const height = (maxY - minY) / bands;
  const width = (maxX - minX) / cells;
  const eps = 1e-9 * Math.max(1, Math.abs(minX), Math.abs(maxX), Math.abs(minY), Math.abs(maxY));
  const bandOf = (v) => Math.min(bands - 1, Math.max(0, Math.floor((v - minY) / height)));
  const cellOf = (v) => Math.min(cells - 1, Math.max(0, Math.floor((v - minX) / width)));
  const rowWidth = cells + 1;
  const diff = new Int32Array(bands * rowWidth);
  const pairCell = [];
  const pairEdge = [];
  const { lowY, highY, xAtLow, slope, dir } = edges;
  for (let e = 0; e < edges.count; e++) {
    for (let b = bandOf(lowY[e]), last = bandOf(highY[e]); b <= last; b++) {
      const top = minY + b * height;
      const bottom = top + height;
      const spans = lowY[e] <= top - eps && highY[e] >= bottom + eps;
      const y0 = Math.max(lowY[e], top - eps);
      const y1 = Math.min(highY[e], bottom + eps);
      const xa = xAtLow[e] + (y0 - lowY[e]) * slope[e];
      const xb = xAtLow[e] + (y1 - lowY[e]) * slope[e];
      const c0 = cellOf(Math.min(xa, xb) - eps);
      const c1 = cellOf(Math.max(xa, xb) + eps);
      let first = 0;
      if (spans) {
        diff[b * rowWidth] += dir[e];
        diff[b * rowWidth + c0] -= dir[e];
        first = c0;
      }
      for (let c = first; c <= c1; c++) {
        pairCell.push(b * cells + c);
        pairEdge.push(e);
      }
    }
  }
  const base = new Int32Array(bands * cells);
  for (let b = 0; b < bands; b++) {
    let run = 0;
    for (let c = 0; c < cells; c++) {
      run += diff[b * rowWidth + c];
      base[b * cells + c] = run;
    }
  }
  const start = new Int32Array(bands * cells + 1);
  for (const cell of pairCell) start[cell + 1]++;
  for (let k = 0; k < bands * cells; k++) start[k + 1] += start[k];
  const list = new Int32Array(pairEdge.length);
  const fill = start.slice(0, bands * cells);
  for (let k = 0; k < pairEdge.length; k++) list[fill[pairCell[k]]++] = pairEdge[k];
  return { base, start, list, cellAt: (px, py) => bandOf(py) * cells + cellOf(px) };
}
function selectLasso(positions, polygon, { visible = null } = {}) {
  const { x, y } = positions;
  const n = x.length;
  const mask = emptyMask(n);
  const flat = cleanPolygon(polygon || []);
  if (flat.length < 6) return mask;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < flat.length; k += 2) {
    minX = Math.min(minX, flat[k]);
    maxX = Math.max(maxX, flat[k]);
    minY = Math.min(minY, flat[k + 1]);
    maxY = Math.max(maxY, flat[k + 1]);
  }
  if (!(minX < maxX && minY < maxY)) return mask;
  const edges = edgesOf(flat);
  const { base, start, list, cellAt } = cellIndex(edges, minX, maxX, minY, maxY);
  const { lowY, highY, xAtLow, slope, dir } = edges;
  for (let i = 0; i < n; i++) {
    const px = x[i];
    const py = y[i];
    if (!(px >= minX && px <= maxX && py >= minY && py < maxY)) continue;
    if (visible !== null && !visible[i]) continue;
    const cell = cellAt(px, py);
    let winding = base[cell];
    for (let k = start[cell], end = start[cell + 1]; k < end; k++) {
      const e = list[k];
      if (py < lowY[e] || py >= highY[e]) continue;
      if (xAtLow[e] + (py - lowY[e]) * slope[e] > px) winding += dir[e];
    }
    if (winding !== 0) mask[i] = 1;
  }
  return mask;
}
function selectByClass(gold, classes, { visible = null } = {}) {
  const wanted = new Set(Array.from(classes, Number));
  const mask = emptyMask(gold.length);
  for (let i = 0; i < gold.length; i++) if (wanted.has(gold[i]) && (visible === null || visible[i])) mask[i] = 1;
  return mask;
}
function selectByGoldLabel(goldSets, nLabels, label, { visible = null } = {}) {
  const n = nLabels > 0 ? Math.floor(goldSets.length / nLabels) : 0;
  const mask = emptyMask(n);
  for (let i = 0; i < n; i++) if (goldSets[i * nLabels + label] && (visible === null || visible[i])) mask[i] = 1;
  return mask;
}
function selectByRegion(positions, meta, region, { visible = null } = {}) {
  const { x, y } = positions;
  const mask = emptyMask(x.length);
  for (let i = 0; i < x.length; i++) {
    if (regionOf(y[i], x[i], meta) === region && (visible === null || visible[i])) mask[i] = 1;
  }
  return mask;
}
function combine(current, next, mode = "replace") {
  if (mode === "replace" || current === null) return mode === "subtract" ? emptyMask(next.length) : next.slice();
  const out = current.slice();
  if (mode === "add") for (let i = 0; i < out.length; i++) out[i] |= next[i];
  else if (mode === "subtract") for (let i = 0; i < out.length; i++) out[i] &= next[i] ^ 1;
  else throw new Error(`unknown selection mode ${mode}`);
  return out;
}
function maskToIndexes(mask) {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i] ? 1 : 0;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}
function indexesToMask(indexes, n) {
  const mask = emptyMask(n);
  for (const i of indexes) if (i >= 0 && i < n) mask[i] = 1;
  return mask;
}
function positionsIn(indexes, n) {
  const out = Int32Array.from(indexes).sort();
  let k = 0;
  for (let j = 0; j < out.length; j++) {
    const i = out[j];
    if (i >= 0 && i < n && (k === 0 || out[k - 1] !== i)) out[k++] = i;
  }
  return out.slice(0, k);
}

// src/selection_state.js
var SelectionState = class {
  /** `page`: the controller (store, drawCurrent, notify). */
  constructor(page) {
    this.page = page;
    this.selected = null;
    this.selection = new Int32Array(0);
    const { store } = page;
    this.unsubscribe = [
      store.on("selectedIndex", () => this.syncCurrent()),
      store.on("selection", () => this.syncSelection())
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
    if (sel === null) return;
    if (sel.length === this.selection.length && sel.every((v, j) => v === this.selection[j])) return;
    this.selection = sel;
    if (notify) this.page.notify();
  }
};

// src/buffers.js
function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}
function typedAt(Type, u8, byteOffset, length) {
  const start = u8.byteOffset + byteOffset;
  if (start % Type.BYTES_PER_ELEMENT === 0) return new Type(u8.buffer, start, length);
  const copy = u8.slice(byteOffset, byteOffset + length * Type.BYTES_PER_ELEMENT);
  return new Type(copy.buffer, 0, length);
}

// src/codecs.js
var TYPES = {
  float32: Float32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array
};
function decodeArray(desc, buffers) {
  const Type = TYPES[desc && desc.dtype];
  if (!Type) throw new Error(`datamap-widget: unsupported array dtype ${desc && desc.dtype}`);
  const raw = bytesOf(typeof desc.buffer === "number" ? (buffers || [])[desc.buffer] : desc.buffer);
  const shape = (desc.shape || []).map(Number);
  const length = shape.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== length * Type.BYTES_PER_ELEMENT) {
    throw new Error(`datamap-widget: array of shape [${shape}] ${desc.dtype} has ${raw.byteLength} bytes`);
  }
  return { data: typedAt(Type, raw, 0, length), shape };
}
function rowsOf(desc, buffers) {
  const { data, shape } = decodeArray(desc, buffers);
  const [rows, n] = shape.length === 2 ? shape : [1, shape[0] || 0];
  const out = [];
  for (let r = 0; r < rows; r++) out.push(data.subarray(r * n, (r + 1) * n));
  return out;
}

// src/selection_sync.js
function encodeSelection(indexes) {
  const data = Int32Array.from(indexes);
  return { dtype: "int32", shape: [data.length], buffer: new DataView(data.buffer) };
}
function decodeSelection(value, n) {
  if (!value || !value.dtype) return new Int32Array(0);
  if (value.dtype !== "int32") throw new Error(`datamap-widget: the selection must be int32, not ${value.dtype}`);
  const { data } = decodeArray(value);
  return positionsIn(data, n);
}

// src/wire.js
var TRAITS = Object.freeze({
  parts: "_parts",
  renderer: "renderer",
  n: "n_examples",
  loggedEpochs: "n_epochs",
  label: "label",
  meta: "_meta",
  epoch: "_epoch",
  gold: "_gold",
  goldSets: "_gold_sets",
  texts: "_texts",
  textOffsets: "_text_offsets",
  ids: "_ids",
  idOffsets: "_id_offsets",
  images: "_images",
  imageShape: "_image_shape",
  selectedIndex: "_selected_index",
  reviews: "_reviews",
  selection: "_selection"
});
function readParts(source) {
  const refs = source.get(TRAITS.parts) || {};
  return Object.fromEntries(Object.entries(refs).map(([role, ref]) => [role, String(ref).replace(/^IPY_MODEL_/, "")]));
}
function partsKey(source) {
  const parts = source.get(TRAITS.parts) || {};
  return String(parts.map || "");
}
function readRenderer(source) {
  return source.get(TRAITS.renderer) === "gl" ? "gl" : "svg";
}
function readCount(source) {
  return source.get(TRAITS.n) | 0;
}
function readLoggedEpochs(source) {
  return source.get(TRAITS.loggedEpochs) | 0;
}
function readWantedLabel(source) {
  return source.get(TRAITS.label);
}
function readMeta(source) {
  return source.get(TRAITS.meta) || {};
}
function readShownLabel(source) {
  return String(readMeta(source).shown_label ?? "");
}
function readEpoch(source) {
  const payload = source.get(TRAITS.epoch) || {};
  return { epoch: Number(payload.epoch) || 0, label: String(payload.label ?? ""), payload };
}
function readScores(payload, n) {
  if (!payload || !payload.score) return void 0;
  const { data } = decodeArray(payload.score);
  return data.length === n ? (
    /** @type {Float32Array} */
    data
  ) : null;
}
function readGold(source, n) {
  const raw = bytesOf(source.get(TRAITS.gold));
  return typedAt(Uint16Array, raw, 0, Math.min(n, raw.byteLength >> 1));
}
function readGoldSets(source) {
  return bytesOf(source.get(TRAITS.goldSets));
}
var PACKED = Object.freeze({ texts: [TRAITS.texts, TRAITS.textOffsets], ids: [TRAITS.ids, TRAITS.idOffsets] });
function readPacked(source, kind) {
  const [bytesTrait, offsetsTrait] = PACKED[kind];
  const raw = bytesOf(source.get(offsetsTrait));
  return { bytes: bytesOf(source.get(bytesTrait)), offsets: typedAt(Uint32Array, raw, 0, raw.byteLength >> 2) };
}
var decoder = new TextDecoder("utf-8");
function stringAt({ bytes, offsets }, i, maxBytes = Number.POSITIVE_INFINITY) {
  if (offsets.length < i + 2) return null;
  const end = Math.min(offsets[i + 1], offsets[i] + maxBytes);
  return decoder.decode(bytes.subarray(offsets[i], end));
}
function readImages(source) {
  const shape = source.get(TRAITS.imageShape) || [];
  if (shape.length !== 2) return null;
  return { height: shape[0], width: shape[1], pixels: bytesOf(source.get(TRAITS.images)) };
}
function readSelectedIndex(source, n) {
  const sel = source.get(TRAITS.selectedIndex) || [];
  return sel.length && sel[0] >= 0 && sel[0] < n ? sel[0] : null;
}
function selectedIndexValue(i) {
  return i === null ? [] : [i];
}
function readSelection(source, n) {
  return decodeSelection(source.get(TRAITS.selection), n);
}
function selectionValue(indexes) {
  return encodeSelection(indexes);
}
function parseReviews(value) {
  if (Array.isArray(value)) return value;
  if (typeof value !== "string" || value === "") return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
function readReviews(source) {
  return parseReviews(source.get(TRAITS.reviews));
}
function readMessage(content, buffers) {
  if (!content) return null;
  if (content.type === "decision_errors") return { type: "decision_errors", errors: content.errors || [] };
  if (content.type !== "epochs") return null;
  return { type: "epochs", label: String(content.label), first: Number(content.first), payload: content, buffers };
}
function requestEpochsMessage(label, first, stop) {
  return { type: "request_epochs", label, first, stop };
}
function decisionsMessage(decisions) {
  return { type: "decisions", decisions };
}

// src/history.js
var EpochStore = class {
  constructor(label, n) {
    this.label = label;
    this.n = n;
    this.rows = [];
    this.complete = 0;
    this.newest = 0;
  }
  /** Store epochs first, first+1, ... from (E, N) array descriptors; returns how many were new. */
  put(first, payload, buffers) {
    const p = rowsOf(payload.p_gold, buffers);
    const pred = rowsOf(payload.pred, buffers);
    const correct = rowsOf(payload.correct, buffers);
    let added = 0;
    for (let r = 0; r < p.length; r++) {
      const at = first - 1 + r;
      if (p[r].length !== this.n)
        throw new Error(`datamap-widget: epoch ${at + 1} has ${p[r].length} values for ${this.n} examples`);
      if (!this.rows[at]) added += 1;
      this.rows[at] = { pGold: p[r], pred: pred[r], correct: correct[r] };
    }
    this.newest = Math.max(this.newest, first - 1 + p.length);
    while (this.complete < this.rows.length && this.rows[this.complete]) this.complete += 1;
    return added;
  }
  /** The first run of missing epochs up to `newest`, as epoch numbers [first, stop), or null. */
  missing() {
    if (this.complete >= this.newest) return null;
    const first = this.complete + 1;
    let stop = first;
    while (stop <= this.newest && !this.rows[stop - 1]) stop += 1;
    return [first, stop];
  }
};
function historyView(epochs, source) {
  return {
    n: epochs.n,
    nEpochs: epochs.complete,
    rows: epochs.rows,
    gold: readGold(source, epochs.n),
    meta: readMeta(source)
  };
}

// src/store.js
var REQUEST_TIMEOUT_MS = 12e4;
var DataStore = class {
  /** @param {any} source the anywidget model, or an object with the same get / on / off */
  constructor(source) {
    this.source = source;
    this.n = readCount(source);
    this.listeners = /* @__PURE__ */ new Map();
    this.memo = /* @__PURE__ */ new Map();
    this.epochs = new EpochStore(readShownLabel(source), this.n);
    this.history = historyView(this.epochs, source);
    this.scores = null;
    this.scoresLabel = null;
    this.request = null;
    this.handlers = [
      [`change:${TRAITS.epoch}`, () => this.receiveEpoch()],
      [`change:${TRAITS.meta}`, () => this.receiveMeta()],
      [
        "msg:custom",
        (content, buffers) => this.receiveMessage(content, buffers)
      ],
      [`change:${TRAITS.reviews}`, () => this.emit("reviews")],
      [`change:${TRAITS.selectedIndex}`, () => this.emit("selectedIndex")],
      [`change:${TRAITS.selection}`, () => this.emit("selection")],
      [`change:${TRAITS.label}`, () => this.emit("wantedLabel")]
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
  on(field2, listener) {
    const set = this.listeners.get(field2) || /* @__PURE__ */ new Set();
    this.listeners.set(field2, set);
    set.add(listener);
    return () => set.delete(listener);
  }
  /** @param {Field} field @param {...any} args */
  emit(field2, ...args) {
    for (const listener of this.listeners.get(field2) || []) listener(...args);
  }
  /** `decode()` again only when one of `traits` holds a new value (trait values are replaced, never mutated). */
  cached(key, traits, decode) {
    const hit = this.memo.get(key);
    let same = hit !== void 0;
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
      Object.entries(readParts(this.source)).map(async ([role, id]) => [role, await manager.get_model(id)])
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
    return this.cached("reviews", [TRAITS.reviews], () => readReviews(this.source));
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
    if (scores === void 0) {
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
};

// src/controller.js
var controllers = /* @__PURE__ */ new Map();
function controllerFor(model) {
  const key = partsKey(model);
  let ctrl = controllers.get(key);
  if (!ctrl) {
    ctrl = new Controller(model, key);
    controllers.set(key, ctrl);
  }
  return ctrl;
}
var Controller = class {
  constructor(model, key) {
    this.key = key;
    this.store = new DataStore(model);
    this.n = this.store.n;
    this.views = /* @__PURE__ */ new Set();
    this.parts = null;
    this.homeDomain = null;
    this.colorBy = "correctness";
    this.goldFilter = null;
    this.searchQuery = "";
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
    if (colorBy !== void 0) this.colorBy = colorBy;
    if (goldFilter !== void 0) this.goldFilter = goldFilter;
    if (searchQuery !== void 0) this.searchQuery = searchQuery;
    if (searchHits !== void 0) this.searchHits = searchHits;
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
};

// src/dom.js
function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== void 0) node.textContent = text;
  return node;
}
function fmt3(value) {
  return Number.isFinite(value) ? value.toFixed(3) : "\u2013";
}

// src/controls.js
function buildControls(ctrl) {
  const { store } = ctrl;
  const root = h("div", "dmw-controls");
  const epoch = h("span", "dmw-epoch");
  const replay = h("input", "dmw-replay");
  replay.type = "range";
  replay.min = "1";
  replay.step = "1";
  replay.title = "Replay: the map as it stood after each epoch";
  const play = h("button", "dmw-play", "\u25B6 Play");
  play.type = "button";
  root.append(epoch, play, replay);
  replay.addEventListener("input", () => ctrl.replay(Number(replay.value)));
  play.addEventListener("click", () => ctrl.togglePlay());
  let select = null;
  let pending = null;
  const meta = store.meta;
  if (meta.task === "multilabel") {
    const wrap = h("label", "dmw-label-wrap", "Label ");
    select = h("select", "dmw-label-select");
    for (const name of meta.label_names || []) {
      const option2 = h("option", null, String(name));
      option2.value = String(name);
      select.append(option2);
    }
    select.disabled = !store.connected;
    if (!store.connected) select.title = "off: switching labels needs the notebook's kernel";
    pending = h("span", "dmw-label-pending", store.connected ? "" : " (other labels need the kernel)");
    wrap.append(select, pending);
    root.append(wrap);
    select.addEventListener("change", () => {
      store.setLabel(select.value);
      update();
    });
  }
  function update() {
    const n = ctrl.nEpochs;
    const fetching = ctrl.loggedEpochs - n;
    const note = fetching > 0 ? ` (loading ${fetching} more epoch${fetching > 1 ? "s" : ""}\u2026)` : "";
    if (n === 0)
      epoch.textContent = fetching > 0 ? `Loading ${fetching} logged epoch${fetching > 1 ? "s" : ""}\u2026` : "No epochs logged yet";
    else epoch.textContent = `Epoch ${ctrl.shown} / ${n}${note}`;
    replay.max = String(Math.max(1, n));
    replay.value = String(Math.max(1, ctrl.shown));
    replay.disabled = n <= 1;
    play.disabled = n <= 1;
    play.textContent = ctrl.playing ? "\u275A\u275A Pause" : "\u25B6 Play";
    if (select) {
      const shown = ctrl.history.meta.shown_label;
      const wanted = store.wantedLabel;
      if (document.activeElement !== select) select.value = wanted;
      if (store.connected)
        pending.textContent = wanted !== shown ? ` loading "${wanted}" (applies when the kernel is idle)\u2026` : "";
    }
  }
  const stop = select ? store.on("wantedLabel", update) : () => {
  };
  return { root, update, dispose: stop };
}

// src/raster.js
var SLOW_FRAME_MS = 250;
function colorTable(colors) {
  const rgb = colors.map((c) => {
    const v = parseInt(String(c).replace("#", ""), 16);
    return [v >> 16 & 255, v >> 8 & 255, v & 255];
  });
  const table = new Uint32Array(256);
  for (let k = 0; k < 256; k++) {
    const t = k / 255 * (rgb.length - 1);
    const j = Math.min(rgb.length - 2, Math.floor(t));
    const f = t - j;
    const [r, g, b] = [0, 1, 2].map((c) => Math.round(rgb[j][c] + f * (rgb[j + 1][c] - rgb[j][c])));
    table[k] = 255 << 24 | b << 16 | g << 8 | r;
  }
  return table;
}
function discOffsets(area) {
  const r = Math.max(1, Math.sqrt(area / Math.PI));
  const out = [];
  const R = Math.ceil(r);
  for (let dy = -R; dy <= R; dy++)
    for (let dx = -R; dx <= R; dx++) if (dx * dx + dy * dy <= r * r + 0.25) out.push(dx, dy);
  return Int32Array.from(out);
}
function rasterize(pixels, width, height, x, y, color, map, table, disc) {
  pixels.fill(0);
  const { x0, ax, y0, ay } = map;
  const n = x.length;
  const m = disc.length;
  for (let i = 0; i < n; i++) {
    const px = Math.round(x0 + ax * x[i]);
    const py = Math.round(y0 + ay * y[i]);
    const c = color[i];
    const rgba2 = table[c >= 1 ? 255 : c <= 0 ? 0 : c * 255 + 0.5 | 0];
    for (let k = 0; k < m; k += 2) {
      const qx = px + disc[k];
      const qy = py + disc[k + 1];
      if (qx >= 0 && qx < width && qy >= 0 && qy < height) pixels[qy * width + qx] = rgba2;
    }
  }
}
function mountRaster({ figureView, pointsView, colors, sizeOf, durationOf, onFrame }) {
  const canvas = document.createElement("canvas");
  canvas.className = "dmw-raster";
  canvas.style.position = "absolute";
  canvas.style.pointerEvents = "none";
  const table = colorTable(colors);
  const glCanvas = () => figureView.el.querySelector("canvas:not(.dmw-raster)");
  let image = null;
  let ctx = null;
  let tween = null;
  let frameCost = 0;
  let current = null;
  function place() {
    const ref = glCanvas();
    const fig = pointsView.parent || figureView;
    const width = Math.max(1, Math.round(ref && ref.clientWidth || Number(fig.plotarea_width) || 1));
    const height = Math.max(1, Math.round(ref && ref.clientHeight || Number(fig.plotarea_height) || 1));
    if (ref && canvas.parentNode !== ref.parentNode) ref.after(canvas);
    else if (!ref && !canvas.parentNode) figureView.el.appendChild(canvas);
    const margin = figureView.margin || { left: 0, top: 0 };
    canvas.style.left = ref ? ref.style.left : `${margin.left}px`;
    canvas.style.top = ref ? ref.style.top : `${margin.top}px`;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    if (canvas.width !== width || canvas.height !== height || !image) {
      canvas.width = width;
      canvas.height = height;
      ctx = canvas.getContext("2d");
      image = ctx.createImageData(width, height);
    }
  }
  function affine() {
    const sx = pointsView.scales.x;
    const sy = pointsView.scales.y;
    const x0 = sx.scale(0) + (sx.offset || 0);
    const y0 = sy.scale(0) + (sy.offset || 0);
    return { x0, ax: sx.scale(1) + (sx.offset || 0) - x0, y0, ay: sy.scale(1) + (sy.offset || 0) - y0 };
  }
  function draw(x, y, color) {
    const t0 = performance.now();
    place();
    const pixels = new Uint32Array(image.data.buffer);
    rasterize(pixels, image.width, image.height, x, y, color, affine(), table, discOffsets(sizeOf()));
    ctx.putImageData(image, 0, 0);
    return performance.now() - t0;
  }
  function frame() {
    const t = tween;
    if (!t) return;
    const f = Math.min(1, (performance.now() - t.start) / t.duration);
    const { from, to } = t;
    let x = to.x;
    let y = to.y;
    let color = to.color;
    if (f < 1) {
      const n = to.x.length;
      x = new Float32Array(n);
      y = new Float32Array(n);
      color = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = from.x[i] + f * (to.x[i] - from.x[i]);
        y[i] = from.y[i] + f * (to.y[i] - from.y[i]);
        color[i] = from.color[i] + f * (to.color[i] - from.color[i]);
      }
    }
    const cost = draw(x, y, color);
    frameCost = frameCost === 0 ? cost : 0.5 * frameCost + 0.5 * cost;
    if (onFrame) onFrame();
    if (f < 1 && tween === t) t.raf = requestAnimationFrame(frame);
    else if (tween === t) tween = null;
  }
  function show(to, animate) {
    if (tween) cancelAnimationFrame(tween.raf);
    const from = current;
    current = to;
    const duration = durationOf();
    const tweenable = animate && from && from.x.length === to.x.length && duration > 0 && frameCost < SLOW_FRAME_MS;
    tween = { from: tweenable ? from : to, to, start: performance.now(), duration: tweenable ? duration : 1, raf: 0 };
    tween.raf = requestAnimationFrame(frame);
  }
  function redraw() {
    if (!tween && current) draw(current.x, current.y, current.color);
  }
  return {
    canvas,
    show,
    redraw,
    animating: () => tween !== null,
    frameCost: () => frameCost,
    dispose() {
      if (tween) cancelAnimationFrame(tween.raf);
      tween = null;
      canvas.remove();
    }
  };
}

// src/map_style.js
var CATEGORY_COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac"
];
var REGION_COLORS = { "easy-to-learn": "#4575b4", ambiguous: "#9b59b6", "hard-to-learn": "#d73027" };
var REVIEW_COLORS = ["#c8c8c8", "#2ca02c", "#ff7f0e", "#222222"];
var REVIEW_NAMES = ["not reviewed", "label correct", "label wrong", "removed"];
var SCORE_COLORS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
var MISSING = "#c8c8c8";
function rgba(hex) {
  const v = parseInt(String(hex).replace("#", ""), 16);
  return (255 << 24 | (v & 255) << 16 | v & 65280 | v >> 16 & 255) >>> 0;
}
function tableColor(table, t) {
  return table[t >= 1 ? 255 : t <= 0 ? 0 : t * 255 + 0.5 | 0];
}
function pointColors(mode, state) {
  const { positions, gold, meta, reviewCodes, scores } = state;
  const n = positions.x.length;
  const out = new Uint32Array(n);
  if (mode === "gold") {
    const palette = CATEGORY_COLORS.map(rgba);
    for (let i = 0; i < n; i++) out[i] = gold && i < gold.length ? palette[gold[i] % palette.length] : rgba(MISSING);
  } else if (mode === "region") {
    const byName = Object.fromEntries(REGIONS.map((r) => [r, rgba(REGION_COLORS[r])]));
    for (let i = 0; i < n; i++) out[i] = byName[regionOf(positions.y[i], positions.x[i], meta)];
  } else if (mode === "reviewed") {
    const palette = REVIEW_COLORS.map(rgba);
    for (let i = 0; i < n; i++) out[i] = palette[reviewCodes && reviewCodes[i] < palette.length ? reviewCodes[i] : 0];
  } else if (mode === "score" && scores) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++)
      if (Number.isFinite(scores[i])) {
        lo = Math.min(lo, scores[i]);
        hi = Math.max(hi, scores[i]);
      }
    const table = colorTable(SCORE_COLORS);
    const span = hi > lo ? hi - lo : 1;
    for (let i = 0; i < n; i++)
      out[i] = Number.isFinite(scores[i]) ? tableColor(table, (scores[i] - lo) / span) : rgba(MISSING);
  } else {
    const table = colorTable(state.correctnessColors || ["#d73027", "#4575b4"]);
    for (let i = 0; i < n; i++) out[i] = tableColor(table, positions.color[i]);
  }
  return out;
}
function filterMask(filter, { n, gold, goldSets, nLabels, multilabel }) {
  if (filter === null || filter === void 0) return null;
  const mask = new Uint8Array(n);
  if (multilabel) for (let i = 0; i < n; i++) mask[i] = goldSets[i * nLabels + filter] ? 1 : 0;
  else for (let i = 0; i < n; i++) mask[i] = gold[i] === filter ? 1 : 0;
  return mask;
}
function legendOf(mode, classNames) {
  if (mode === "gold") return classNames.map((name, k) => [String(name), CATEGORY_COLORS[k % CATEGORY_COLORS.length]]);
  if (mode === "region") return REGIONS.map((r) => [r, REGION_COLORS[r]]);
  if (mode === "reviewed") return REVIEW_NAMES.map((name, k) => [name, REVIEW_COLORS[k]]);
  if (mode === "score")
    return [
      ["low score", SCORE_COLORS[0]],
      ["high score (likely mislabeled)", SCORE_COLORS[4]]
    ];
  return [];
}

// src/text_search.js
var SEPARATOR = "\0";
function upperBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
var TextIndex = class {
  /** bytes: Uint8Array of all texts; offsets: Uint32Array of N + 1 byte offsets. */
  constructor(bytes, offsets) {
    this.n = Math.max(0, offsets.length - 1);
    const decoder2 = new TextDecoder("utf-8");
    const parts = new Array(this.n);
    const starts = new Int32Array(this.n + 1);
    let at = 0;
    for (let i = 0; i < this.n; i++) {
      const text = decoder2.decode(bytes.subarray(offsets[i], offsets[i + 1])).toLowerCase().replaceAll(SEPARATOR, " ");
      parts[i] = text;
      starts[i] = at;
      at += text.length + 1;
    }
    starts[this.n] = at;
    this.haystack = parts.join(SEPARATOR);
    this.starts = starts;
  }
  /**
   * Positions (ascending Int32Array) of the texts that contain `query`, ignoring case. An empty
   * query (after dropping NUL characters) matches nothing: the caller shows no search then.
   * `limit` stops after that many matches.
   */
  search(query, { limit = Infinity } = {}) {
    const needle = String(query ?? "").toLowerCase().replaceAll(SEPARATOR, "");
    if (!needle.length || this.n === 0) return new Int32Array(0);
    const hits = [];
    const { haystack, starts } = this;
    let from = 0;
    while (hits.length < limit) {
      const at = haystack.indexOf(needle, from);
      if (at === -1) break;
      const i = upperBound(starts, at) - 1;
      hits.push(i);
      from = starts[i + 1];
    }
    return Int32Array.from(hits);
  }
};

// src/map_controls.js
var COLOR_CHOICES = [
  ["correctness", "correctness"],
  ["gold", "gold label"],
  ["region", "region"],
  ["reviewed", "reviewed status"],
  ["score", "label-issue score"]
];
function option(value, text) {
  const o = h("option", null, text);
  o.value = value;
  return o;
}
function goldChoices(meta) {
  return meta.task === "multilabel" ? meta.label_names || [] : meta.class_names || [];
}
function buildMapControls(ctrl, { resetZoom, zoomed }) {
  const { store } = ctrl;
  const root = h("div", "dmw-map-controls");
  const meta = ctrl.history.meta;
  const colorWrap = h("label", "dmw-color-wrap", "Colour by ");
  const colorBy = h("select", "dmw-color-by");
  for (const [value, text] of COLOR_CHOICES) colorBy.append(option(value, text));
  colorWrap.append(colorBy);
  const filterWrap = h("label", "dmw-filter-wrap", "Show ");
  const filter = h("select", "dmw-filter");
  filter.append(option("", "all points"));
  for (const [k, name] of goldChoices(meta).entries()) filter.append(option(String(k), `gold: ${name}`));
  filterWrap.append(filter);
  const selectWrap = h("label", "dmw-select-wrap", "Select ");
  const selectBy = h("select", "dmw-select-by");
  selectBy.append(option("", "\u2026"));
  for (const r of REGIONS) selectBy.append(option(`region:${r}`, `region: ${r}`));
  for (const [k, name] of goldChoices(meta).entries()) selectBy.append(option(`gold:${k}`, `gold: ${name}`));
  selectWrap.append(selectBy);
  const search = h("input", "dmw-search");
  search.type = "search";
  search.placeholder = "Search texts";
  search.setAttribute("aria-label", "Search the texts (case-insensitive)");
  search.style.display = store.hasTexts ? "" : "none";
  const hits = h("span", "dmw-search-hits", "");
  const reset = h("button", "dmw-reset-zoom", "Reset zoom");
  reset.type = "button";
  reset.title = "Wheel: zoom; ctrl/\u2318-drag or middle-drag: pan";
  const count = h("span", "dmw-selection-count", "");
  const clear = h("button", "dmw-clear-selection", "Clear");
  clear.type = "button";
  const legend = h("div", "dmw-legend");
  root.append(colorWrap, filterWrap, selectWrap, search, hits, reset, count, clear, legend);
  let index = null;
  function runSearch() {
    const query = search.value;
    if (!query) {
      ctrl.setStyle({ searchQuery: "", searchHits: new Int32Array(0) });
      return;
    }
    if (!index) index = new TextIndex(store.texts.bytes, store.texts.offsets);
    ctrl.setStyle({ searchQuery: query, searchHits: index.search(query) });
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", (event) => event.stopPropagation());
  colorBy.addEventListener("change", () => ctrl.setStyle({ colorBy: colorBy.value }));
  filter.addEventListener(
    "change",
    () => ctrl.setStyle({ goldFilter: filter.value === "" ? null : Number(filter.value) })
  );
  selectBy.addEventListener("change", () => {
    const [kind, value] = selectBy.value.split(/:(.*)/s);
    selectBy.value = "";
    if (!kind || ctrl.shown === 0) return;
    let mask;
    if (kind === "region") mask = selectByRegion(ctrl.positions, ctrl.history.meta, value);
    else if (ctrl.history.meta.task === "multilabel")
      mask = selectByGoldLabel(store.goldSets, goldChoices(ctrl.history.meta).length, Number(value));
    else mask = selectByClass(ctrl.history.gold, [Number(value)]);
    ctrl.setSelection(maskToIndexes(mask));
  });
  reset.addEventListener("click", () => resetZoom());
  clear.addEventListener("click", () => ctrl.clearSelection());
  let legendKey = null;
  function update() {
    const scoreOption = colorBy.querySelector('option[value="score"]');
    scoreOption.disabled = !ctrl.scores;
    if (document.activeElement !== colorBy) colorBy.value = ctrl.colorBy;
    if (document.activeElement !== filter) filter.value = ctrl.goldFilter === null ? "" : String(ctrl.goldFilter);
    if (document.activeElement !== search && search.value !== ctrl.searchQuery) search.value = ctrl.searchQuery;
    hits.textContent = ctrl.searchQuery ? `${ctrl.searchHits.length} match${ctrl.searchHits.length === 1 ? "" : "es"}` : "";
    const k = ctrl.selection.length;
    count.textContent = k ? `${k} selected` : "";
    clear.disabled = k === 0 && ctrl.selected === null;
    reset.disabled = !zoomed();
    const key = ctrl.colorBy;
    if (key !== legendKey) {
      legendKey = key;
      legend.replaceChildren(
        ...legendOf(ctrl.colorBy, ctrl.history.meta.class_names || []).map(([name, color]) => {
          const item = h("span", "dmw-legend-item");
          const swatch = h("span", "dmw-swatch");
          swatch.style.background = color;
          item.append(swatch, h("span", null, name));
          return item;
        })
      );
    }
  }
  return { root, update };
}

// src/picking.js
function dataToClientTransform(markView) {
  const sx = markView.scales.x;
  const sy = markView.scales.y;
  const ox = sx.offset || 0;
  const oy = sy.offset || 0;
  const x0 = sx.scale(0) + ox;
  const ax = sx.scale(1) + ox - x0;
  const y0 = sy.scale(0) + oy;
  const ay = sy.scale(1) + oy - y0;
  const ctm = markView.el.getScreenCTM();
  if (!ctm) return null;
  return {
    // local plot pixels (px, py) = (x0 + ax*x, y0 + ay*y); client = CTM * local
    toClient(x, y) {
      const px = x0 + ax * x;
      const py = y0 + ay * y;
      return { x: ctm.a * px + ctm.c * py + ctm.e, y: ctm.b * px + ctm.d * py + ctm.f };
    },
    // pixels per data unit along each axis, in client space (no rotation in a bqplot figure)
    pxPerX: ax * ctm.a,
    pxPerY: ay * ctm.d
  };
}
function pickNearest(positions, transform, cx, cy, radius, visible = null) {
  const { x, y } = positions;
  const origin = transform.toClient(0, 0);
  const kx = transform.pxPerX;
  const ky = transform.pxPerY;
  const tx = cx - origin.x;
  const ty = cy - origin.y;
  let best = null;
  let bestD2 = radius * radius;
  for (let i = 0, n = x.length; i < n; i++) {
    const dx = x[i] * kx - tx;
    if (dx > radius || dx < -radius) continue;
    if (visible !== null && !visible[i]) continue;
    const dy = y[i] * ky - ty;
    const d2 = dx * dx + dy * dy;
    if (d2 <= bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}

// src/map_tools.js
var DRAG_PX = 4;
var ZOOM_STEP = 15e-4;
var MIN_SPAN = 1e-4;
function mountMapTools({ ctrl, container, transform, pickRadius, visibleMask, tooltip, scales }) {
  const svgNS = "http://www.w3.org/2000/svg";
  const shape = document.createElementNS(svgNS, "svg");
  shape.setAttribute("class", "dmw-gesture");
  Object.assign(shape.style, {
    position: "absolute",
    left: "0",
    top: "0",
    width: "100%",
    height: "100%",
    pointerEvents: "none",
    overflow: "visible"
  });
  const path = document.createElementNS(svgNS, "polygon");
  shape.appendChild(path);
  shape.style.display = "none";
  if (getComputedStyle(container).position === "static") container.style.position = "relative";
  container.appendChild(shape);
  let press = null;
  let swallowClick = false;
  let releasedAt = null;
  let hoverFrame = 0;
  let lastMove = null;
  function inPlot(cx, cy) {
    const tr = transform();
    if (!tr) return false;
    const d = clientToData(tr, cx, cy);
    const [x0, x1] = scales.domain("x");
    const [y0, y1] = scales.domain("y");
    return d.x >= x0 && d.x <= x1 && d.y >= y0 && d.y <= y1;
  }
  function drawShape(points) {
    const box = container.getBoundingClientRect();
    path.setAttribute("points", points.map((p) => `${p.x - box.left},${p.y - box.top}`).join(" "));
    shape.style.display = "";
  }
  function finishSelection(maskNew, add) {
    const current = add && ctrl.selection.length ? indexesToMask(ctrl.selection, ctrl.n) : null;
    ctrl.setSelection(maskToIndexes(combine(current, maskNew, add ? "add" : "replace")));
  }
  function onPointerDown(event) {
    if (ctrl.shown === 0 || event.button !== 0 && event.button !== 1) return;
    if (!inPlot(event.clientX, event.clientY)) return;
    const pan = event.button === 1 || event.ctrlKey || event.metaKey;
    const mode = pan ? "pan" : event.altKey ? "lasso" : "rect";
    press = {
      x: event.clientX,
      y: event.clientY,
      mode,
      add: event.shiftKey,
      moved: false,
      points: [{ x: event.clientX, y: event.clientY }],
      domain: { x: scales.domain("x"), y: scales.domain("y") }
    };
    if (event.button === 1 || event.altKey || pan) event.preventDefault();
    try {
      container.setPointerCapture(event.pointerId);
    } catch {
    }
  }
  function onPointerMove(event) {
    lastMove = event;
    if (press) {
      if (!press.moved && Math.hypot(event.clientX - press.x, event.clientY - press.y) < DRAG_PX) return;
      press.moved = true;
      tooltip.hide();
      if (press.mode === "pan") {
        const tr = transform();
        if (!tr) return;
        const dx = (event.clientX - press.x) / tr.pxPerX;
        const dy = (event.clientY - press.y) / tr.pxPerY;
        scales.set("x", press.domain.x[0] - dx, press.domain.x[1] - dx);
        scales.set("y", press.domain.y[0] - dy, press.domain.y[1] - dy);
      } else if (press.mode === "lasso") {
        press.points.push({ x: event.clientX, y: event.clientY });
        drawShape(press.points);
      } else {
        const a = press.points[0];
        press.points = [a, { x: event.clientX, y: event.clientY }];
        drawShape([
          a,
          { x: event.clientX, y: a.y },
          { x: event.clientX, y: event.clientY },
          { x: a.x, y: event.clientY }
        ]);
      }
      return;
    }
    if (!hoverFrame) hoverFrame = requestAnimationFrame(hover);
  }
  function hover() {
    hoverFrame = 0;
    const event = lastMove;
    if (!event || press || ctrl.shown === 0) return;
    const tr = transform();
    const i = tr ? pickNearest(ctrl.positions, tr, event.clientX, event.clientY, pickRadius(), visibleMask()) : null;
    tooltip.show(i, event.clientX, event.clientY);
  }
  function onPointerUp(event) {
    releasedAt = { x: event.clientX, y: event.clientY };
    const p = press;
    press = null;
    shape.style.display = "none";
    if (!p || !p.moved) return;
    swallowClick = true;
    setTimeout(() => swallowClick = false, 0);
    if (p.mode === "pan") return;
    const tr = transform();
    if (!tr) return;
    if (p.mode === "rect") {
      const a = clientToData(tr, p.x, p.y);
      const b = clientToData(tr, event.clientX, event.clientY);
      finishSelection(selectRect(ctrl.positions, a, b, { visible: visibleMask() }), p.add);
    } else {
      p.points.push({ x: event.clientX, y: event.clientY });
      const polygon = p.points.map((q) => clientToData(tr, q.x, q.y));
      finishSelection(selectLasso(ctrl.positions, polygon, { visible: visibleMask() }), p.add);
    }
  }
  function clickPoint(event) {
    const up = releasedAt;
    releasedAt = null;
    if (up && Math.abs(up.x - event.clientX) < 1 && Math.abs(up.y - event.clientY) < 1) return up;
    return { x: event.clientX, y: event.clientY };
  }
  function onClick(event) {
    const at = clickPoint(event);
    if (swallowClick) {
      swallowClick = false;
      event.stopPropagation();
      return;
    }
    if (ctrl.shown === 0) return;
    const tr = transform();
    if (!tr) return;
    const i = pickNearest(ctrl.positions, tr, at.x, at.y, pickRadius(), visibleMask());
    if (i === null) {
      if (!event.shiftKey && inPlot(at.x, at.y)) ctrl.clearSelection();
      return;
    }
    if (event.shiftKey && ctrl.selection.length) ctrl.setSelection([...ctrl.selection, i]);
    else ctrl.setSelection([i]);
    ctrl.select(i);
  }
  function onWheel(event) {
    if (ctrl.shown === 0 || !inPlot(event.clientX, event.clientY)) return;
    const tr = transform();
    if (!tr) return;
    event.preventDefault();
    const c = clientToData(tr, event.clientX, event.clientY);
    const factor = Math.exp(event.deltaY * ZOOM_STEP);
    for (const axis of ["x", "y"]) {
      const [lo, hi] = scales.domain(axis);
      const at = c[axis];
      const nlo = at + (lo - at) * factor;
      const nhi = at + (hi - at) * factor;
      if (nhi - nlo > MIN_SPAN) scales.set(axis, nlo, nhi);
    }
  }
  function onLeave() {
    if (!press) tooltip.hide();
  }
  container.addEventListener("pointerdown", onPointerDown, true);
  container.addEventListener("pointermove", onPointerMove, true);
  container.addEventListener("pointerup", onPointerUp, true);
  container.addEventListener("pointercancel", onPointerUp, true);
  container.addEventListener("pointerleave", onLeave);
  container.addEventListener("click", onClick, true);
  container.addEventListener("wheel", onWheel, { passive: false });
  return {
    dispose() {
      container.removeEventListener("pointerdown", onPointerDown, true);
      container.removeEventListener("pointermove", onPointerMove, true);
      container.removeEventListener("pointerup", onPointerUp, true);
      container.removeEventListener("pointercancel", onPointerUp, true);
      container.removeEventListener("pointerleave", onLeave);
      container.removeEventListener("click", onClick, true);
      container.removeEventListener("wheel", onWheel);
      cancelAnimationFrame(hoverFrame);
      shape.remove();
    }
  };
}

// src/overlay.js
var SELECTED = rgba("#111111");
var SEARCH = rgba("#ff00cc");
var DECIDED = rgba("#000000");
function ringOffsets(r0, r1) {
  const out = [];
  const R = Math.ceil(r1);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const d2 = dx * dx + dy * dy;
      if (d2 >= r0 * r0 && d2 <= r1 * r1 + 0.25) out.push(dx, dy);
    }
  }
  return Int32Array.from(out);
}
function stamp(pixels, width, clip, px, py, offsets, color) {
  const m = offsets.length;
  for (let k = 0; k < m; k += 2) {
    const qx = px + offsets[k];
    const qy = py + offsets[k + 1];
    if (qx >= clip.x0 && qx < clip.x1 && qy >= clip.y0 && qy < clip.y1) pixels[qy * width + qx] = color;
  }
}
function mountOverlay({ figureView, pointsView, sizeOf }) {
  const canvas = document.createElement("canvas");
  canvas.className = "dmw-overlay";
  Object.assign(canvas.style, { position: "absolute", left: "0px", top: "0px", pointerEvents: "none" });
  const host = figureView.el;
  if (getComputedStyle(host).position === "static") host.style.position = "relative";
  host.appendChild(canvas);
  let ctx = null;
  let image = null;
  function place() {
    const width = Math.max(1, Math.round(host.clientWidth));
    const height = Math.max(1, Math.round(host.clientHeight));
    if (canvas.width !== width || canvas.height !== height || !image) {
      canvas.width = width;
      canvas.height = height;
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      ctx = canvas.getContext("2d");
      image = ctx.createImageData(width, height);
    }
  }
  function draw(state) {
    place();
    const pixels = new Uint32Array(image.data.buffer);
    pixels.fill(0);
    const tr = dataToClientTransform(pointsView);
    if (!tr || !state.positions) {
      ctx.putImageData(image, 0, 0);
      return;
    }
    const box = host.getBoundingClientRect();
    const o = tr.toClient(0, 0);
    const x0 = o.x - box.left;
    const y0 = o.y - box.top;
    const kx = tr.pxPerX;
    const ky = tr.pxPerY;
    const sx = pointsView.scales.x.model;
    const sy = pointsView.scales.y.model;
    const xa = x0 + kx * Number(sx.get("min"));
    const xb = x0 + kx * Number(sx.get("max"));
    const ya = y0 + ky * Number(sy.get("min"));
    const yb = y0 + ky * Number(sy.get("max"));
    const clip = {
      x0: Math.max(0, Math.floor(Math.min(xa, xb))),
      x1: Math.min(image.width, Math.ceil(Math.max(xa, xb))),
      y0: Math.max(0, Math.floor(Math.min(ya, yb))),
      y1: Math.min(image.height, Math.ceil(Math.max(ya, yb)))
    };
    const { x, y } = state.positions;
    const W = image.width;
    const shown = (i) => state.visible === null || state.visible[i];
    const pxOf = (i) => Math.round(x0 + kx * x[i]);
    const pyOf = (i) => Math.round(y0 + ky * y[i]);
    const area = sizeOf();
    const r = Math.max(1, Math.sqrt(area / Math.PI));
    if (state.colors) {
      const disc = discOffsets(area);
      for (let i = 0, n = x.length; i < n; i++)
        if (shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), disc, state.colors[i]);
    }
    if (state.reviewCodes) {
      const dot = discOffsets(Math.min(area, 7));
      const codes = state.reviewCodes;
      for (let i = 0, n = Math.min(x.length, codes.length); i < n; i++)
        if (codes[i] && shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), dot, DECIDED);
    }
    if (state.hits && state.hits.length) {
      const ring = ringOffsets(r + 0.5, r + 2.5);
      for (const i of state.hits) if (i < x.length && shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), ring, SEARCH);
    }
    if (state.selection.length) {
      const ring = ringOffsets(
        r + (state.hits && state.hits.length ? 2.5 : 0.5),
        r + (state.hits && state.hits.length ? 4 : 2)
      );
      for (const i of state.selection)
        if (i < x.length && shown(i)) stamp(pixels, W, clip, pxOf(i), pyOf(i), ring, SELECTED);
    }
    if (state.colors && state.current !== null && state.current < x.length) {
      stamp(pixels, W, clip, pxOf(state.current), pyOf(state.current), ringOffsets(r + 3, r + 5.5), SELECTED);
    }
    ctx.putImageData(image, 0, 0);
  }
  return { canvas, draw, dispose: () => canvas.remove() };
}

// src/test_hooks.js
function testHooksEnabled() {
  return typeof window !== "undefined" && window.__datamapWidgetTestHooks === true;
}
function testHandle({ el, renderer, ctrl, map, review }) {
  const { store } = ctrl;
  return {
    el,
    renderer,
    n: store.n,
    nEpochs: () => store.epochs.complete,
    shownEpoch: () => ctrl.shown,
    positions: () => ({ x: ctrl.positions.x, y: ctrl.positions.y, color: ctrl.positions.color }),
    clientXY: (i) => map.clientXY(i),
    selectedIndex: () => ctrl.selected,
    lastTransition: () => map.tracker.lastTransition(),
    transitionsBegun: () => map.tracker.begun(),
    animating: () => map.animating(),
    frameCostMs: () => map.raster ? map.raster.frameCost() : null,
    paintedAt: (epoch) => map.tracker.paintedAt(epoch),
    replay: (k) => ctrl.replay(k),
    reviewCodes: () => Array.from(ctrl.review.codes),
    reviewOrder: () => Array.from(ctrl.review.order()),
    reviewRows: () => review.rowCount(),
    reviewListOpen: () => review.isOpen(),
    pendingDecisions: () => ctrl.review.outbox.pending.size,
    hasScores: () => ctrl.scores !== null,
    selection: () => Array.from(ctrl.selection),
    setSelection: (indexes) => ctrl.setSelection(indexes),
    searchHits: () => Array.from(ctrl.searchHits),
    colorBy: () => ctrl.colorBy,
    domain: () => ({ x: map.scales.domain("x"), y: map.scales.domain("y") }),
    tooltipIndex: () => map.tooltip.shownIndex(),
    layersDrawn: () => map.tracker.layersCount(),
    layersDrawnAt: () => map.tracker.layersDrawnAt(),
    tooltipShownAt: () => map.tooltip.shownAt(),
    setReviewCodes: (codes) => {
      ctrl.review.codes = Uint8Array.from(codes);
      ctrl.notify();
    },
    _internals: { ctrl, figureView: map.figureView, redraw: () => map.raster && map.raster.redraw() }
  };
}

// src/examples.js
function paintImage(canvas, { height, width, pixels }) {
  canvas.width = width;
  canvas.height = height;
  canvas.style.imageRendering = "pixelated";
  const ctx = canvas.getContext("2d");
  if (!ctx) return { height, width };
  const image = ctx.createImageData(width, height);
  for (let p = 0; p < pixels.length; p++) {
    const v = pixels[p];
    image.data[4 * p] = v;
    image.data[4 * p + 1] = v;
    image.data[4 * p + 2] = v;
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return { height, width };
}
function goldNameOf(i, { meta, gold, goldSets }) {
  if (meta.task === "multilabel") {
    const names = meta.label_names || [];
    const chosen = names.filter((_, j) => goldSets[i * names.length + j]);
    return chosen.length ? chosen.join(", ") : "(none)";
  }
  const g = gold[i];
  return String((meta.class_names || [])[g] ?? g);
}

// src/tooltip.js
var SNIPPET_CHARS = 140;
function snippet(text, max = SNIPPET_CHARS) {
  const chars = Array.from(String(text));
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max).join("")}\u2026`;
}
function mountTooltip({ ctrl, container }) {
  const { store } = ctrl;
  const root = h("div", "dmw-tooltip");
  root.style.display = "none";
  const thumb = h("canvas", "dmw-tooltip-image");
  const text = h("div", "dmw-tooltip-text");
  const gold = h("div", "dmw-tooltip-gold");
  root.append(thumb, text, gold);
  container.appendChild(root);
  const images = store.hasImages;
  thumb.style.display = images ? "" : "none";
  let shownIndex = null;
  let shownAt = null;
  function textAt(i) {
    return snippet(store.textAt(i, 4 * SNIPPET_CHARS + 4) ?? "");
  }
  function drawThumb(i) {
    const { height, width } = paintImage(thumb, store.imageAt(i));
    const scale = Math.max(1, Math.floor(64 / Math.max(height, width)));
    thumb.style.width = `${width * scale}px`;
    thumb.style.height = `${height * scale}px`;
  }
  function show(i, cx, cy) {
    if (i === null) {
      hide();
      return;
    }
    if (i !== shownIndex) {
      text.textContent = textAt(i);
      text.style.display = text.textContent ? "" : "none";
      if (images) drawThumb(i);
      gold.textContent = `gold: ${goldNameOf(i, { meta: ctrl.history.meta, gold: ctrl.history.gold, goldSets: store.goldSets })}`;
      shownIndex = i;
    }
    const box = container.getBoundingClientRect();
    root.style.left = `${Math.round(cx - box.left + 14)}px`;
    root.style.top = `${Math.round(cy - box.top + 14)}px`;
    root.style.display = "";
    root.dataset.index = String(i);
    shownAt = performance.now();
  }
  function hide() {
    root.style.display = "none";
    shownIndex = null;
    delete root.dataset.index;
  }
  return { root, show, hide, shownIndex: () => shownIndex, shownAt: () => shownAt, dispose: () => root.remove() };
}

// src/map_view.js
var MARK_TIMEOUT_MS = 2e4;
var SVG_TRACK_SLACK_MS = 250;
function whenConnected(el, timeoutMs = 1e4) {
  return new Promise((resolve) => {
    const start = performance.now();
    const check = () => {
      if (el.isConnected || performance.now() - start > timeoutMs) resolve();
      else requestAnimationFrame(check);
    };
    check();
  });
}
async function mountFigure(manager, figureModel, container) {
  const view = await manager.create_view(figureModel, {});
  container.appendChild(view.el);
  await whenConnected(container);
  view.trigger("displayed");
  return view;
}
async function markViewOf(figureView, markModel) {
  const deadline = performance.now() + MARK_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (figureView.mark_views && figureView.mark_views.views) {
      const views = await Promise.all(figureView.mark_views.views);
      const found = views.find((v) => v && v.model === markModel);
      if (found && found.scales && found.scales.x && found.scales.y) return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new Error("datamap-widget: the map's scatter view did not appear");
}
async function mountMap({ ctrl, container, renderer, onScaleChange = null }) {
  const figureView = await mountFigure(ctrl.store.widgetManager, ctrl.parts.map, container);
  const pointsView = await markViewOf(figureView, ctrl.parts.points);
  const ringView = await markViewOf(figureView, ctrl.parts.highlight);
  ringView.el.style.pointerEvents = "none";
  const duration = () => Number(ctrl.parts.map.get("animation_duration")) || 0;
  const raster = renderer === "gl" ? mountRaster({
    figureView,
    pointsView,
    colors: pointsView.scales.color && pointsView.scales.color.model.get("colors") || ["#d73027", "#4575b4"],
    sizeOf: () => Number(ctrl.parts.points.get("default_size")) || 12,
    durationOf: duration,
    onFrame: () => tracker && tracker.onRasterFrame(raster)
  }) : null;
  const tracker = testHooksEnabled() ? paintTracker(pointsView, renderer, duration) : null;
  let startedAt = -Infinity;
  function beginTransition(epoch, animate = true, positions = null) {
    startedAt = animate ? performance.now() : -Infinity;
    if (tracker) tracker.begin(epoch, animate);
    if (raster && positions) raster.show(positions, animate);
    updateLayers();
  }
  function animating() {
    if (raster) return raster.animating();
    return performance.now() - startedAt < duration();
  }
  function transform() {
    return dataToClientTransform(pointsView);
  }
  function clientXY(i) {
    const tr = transform();
    return tr ? tr.toClient(ctrl.positions.x[i], ctrl.positions.y[i]) : null;
  }
  const pickRadius = () => Math.max(6, Math.sqrt(Number(ctrl.parts.points.get("default_size")) || 16) / 2 + 4);
  const overlay = mountOverlay({
    figureView,
    pointsView,
    sizeOf: () => Number(ctrl.parts.points.get("default_size")) || 12
  });
  const tooltip = mountTooltip({ ctrl, container });
  const scaleModels = { x: pointsView.scales.x.model, y: pointsView.scales.y.model };
  if (!ctrl.homeDomain)
    ctrl.homeDomain = {
      x: [scaleModels.x.get("min"), scaleModels.x.get("max")],
      y: [scaleModels.y.get("min"), scaleModels.y.get("max")]
    };
  const scales = {
    domain: (axis) => [Number(scaleModels[axis].get("min")), Number(scaleModels[axis].get("max"))],
    set: (axis, min, max) => scaleModels[axis].set({ min, max }),
    // client-side only, never saved
    reset: () => {
      for (const axis of ["x", "y"])
        scaleModels[axis].set({ min: ctrl.homeDomain[axis][0], max: ctrl.homeDomain[axis][1] });
    },
    zoomed: () => ["x", "y"].some((a) => scales.domain(a).some((v, k) => v !== ctrl.homeDomain[a][k]))
  };
  let maskCache = { key: null, mask: null };
  function visibleMask() {
    const f = ctrl.goldFilter;
    const key = `${f}|${ctrl.store.label}`;
    if (maskCache.key !== key) {
      const meta = ctrl.history.meta;
      const multilabel = meta.task === "multilabel";
      maskCache = {
        key,
        mask: filterMask(f, {
          n: ctrl.n,
          gold: ctrl.history.gold,
          goldSets: ctrl.store.goldSets,
          nLabels: (meta.label_names || []).length,
          multilabel
        })
      };
    }
    return maskCache.mask;
  }
  const styled = () => ctrl.colorBy !== "correctness" || ctrl.goldFilter !== null;
  let layerFrame = 0;
  function drawLayers() {
    layerFrame = 0;
    if (ctrl.shown === 0) {
      overlay.draw({ positions: null });
      return;
    }
    const on = styled();
    if (raster) raster.canvas.style.visibility = on ? "hidden" : "";
    else pointsView.el.style.opacity = on ? "0" : "";
    const colors = on ? pointColors(ctrl.colorBy, {
      positions: ctrl.positions,
      gold: ctrl.history.gold,
      meta: ctrl.history.meta,
      reviewCodes: ctrl.reviewCodes,
      scores: ctrl.scores,
      correctnessColors: pointsView.scales.color && pointsView.scales.color.model.get("colors") || null
    }) : null;
    overlay.draw({
      positions: ctrl.positions,
      colors,
      visible: visibleMask(),
      selection: ctrl.selection,
      hits: ctrl.searchQuery ? ctrl.searchHits : null,
      reviewCodes: ctrl.reviewCodes,
      current: ctrl.selected
    });
    if (tracker) tracker.layersDrawn();
  }
  function updateLayers() {
    if (!layerFrame) layerFrame = requestAnimationFrame(drawLayers);
  }
  let scaleFrame = 0;
  const onScale = () => {
    if (scaleFrame) return;
    scaleFrame = requestAnimationFrame(() => {
      scaleFrame = 0;
      if (raster) raster.redraw();
      drawLayers();
      if (onScaleChange) onScaleChange();
    });
  };
  for (const m of Object.values(scaleModels)) m.on("change:min change:max", onScale);
  const tools = mountMapTools({ ctrl, container, transform, pickRadius, visibleMask, tooltip, scales });
  return {
    figureView,
    beginTransition,
    animating,
    clientXY,
    tracker,
    raster,
    updateLayers,
    scales,
    tooltip,
    transform,
    dispose() {
      tools.dispose();
      for (const m of Object.values(scaleModels)) m.off("change:min change:max", onScale);
      cancelAnimationFrame(layerFrame);
      cancelAnimationFrame(scaleFrame);
      overlay.dispose();
      tooltip.dispose();
      if (raster) raster.dispose();
      figureView.remove();
    }
  };
}
function paintTracker(pointsView, renderer, duration) {
  const painted = /* @__PURE__ */ new Map();
  const begun = [];
  let last = null;
  function frameDrawn() {
    const now = performance.now();
    if (!last || last.done) return;
    last.frames += 1;
    last.end = now;
    if (!painted.has(last.epoch)) painted.set(last.epoch, now);
  }
  function onRasterFrame(raster) {
    if (!last || last.done) return;
    frameDrawn();
    if (!raster.animating()) last.done = true;
  }
  function trackSVG(t) {
    const dots = pointsView.el.querySelectorAll(".object_grp");
    const samples = dots.length ? [dots[0], dots[dots.length >> 1], dots[dots.length - 1]] : [];
    let previous = samples.map((d) => d.getAttribute("transform")).join("|");
    const tick = () => {
      if (t !== last || t.done) return;
      const now = performance.now();
      const current = samples.map((d) => d.getAttribute("transform")).join("|");
      if (current !== previous) {
        frameDrawn();
        previous = current;
      }
      if (now - t.start > duration() + SVG_TRACK_SLACK_MS) t.done = true;
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
  function begin(epoch, animate) {
    const t = { start: performance.now(), end: null, frames: 0, epoch, done: false };
    last = t;
    begun.push({ epoch, at: t.start, animate });
    if (renderer === "svg") trackSVG(t);
    requestAnimationFrame(
      () => requestAnimationFrame(() => {
        if (!painted.has(epoch) && t.frames === 0) painted.set(epoch, performance.now());
      })
    );
  }
  let layers = 0;
  let layersAt = null;
  return {
    begin,
    onRasterFrame,
    layersDrawn: () => {
      layers += 1;
      layersAt = performance.now();
    },
    layersCount: () => layers,
    layersDrawnAt: () => layersAt,
    begun: () => begun.slice(),
    lastTransition: () => last ? { start: last.start, end: last.end, frames: last.frames } : null,
    paintedAt: (epoch) => painted.has(epoch) ? painted.get(epoch) : null
  };
}

// src/panel.js
function field(list, label, className) {
  const row = h("div", "dmw-field");
  const value = h("span", className);
  row.append(h("span", "dmw-field-name", label), value);
  list.append(row);
  return value;
}
function buildPanel(ctrl) {
  const { store } = ctrl;
  const root = h("div", "dmw-panel");
  const hint = h("div", "dmw-hint", "Click a point on the map to inspect it.");
  const title = h("div", "dmw-title");
  const canvas = h("canvas", "dmw-image");
  const text = h("div", "dmw-text");
  const fields = h("div", "dmw-fields");
  const gold = field(fields, "Gold", "dmw-gold");
  const pred = field(fields, "Prediction", "dmw-pred");
  const confidence = field(fields, "Confidence", "dmw-confidence");
  const variability = field(fields, "Variability", "dmw-variability");
  const correctness = field(fields, "Correctness", "dmw-correctness");
  const region = field(fields, "Region", "dmw-region");
  const trajectory = h("div", "dmw-trajectory");
  const legend = h("div", "dmw-trajectory-legend", "\u25CF correct   \u271A incorrect   - - p = 0.5");
  const images = store.hasImages;
  canvas.style.display = images ? "" : "none";
  text.style.display = store.hasTexts ? "" : "none";
  root.append(hint, title, canvas, text, fields, trajectory, legend);
  function drawImage(i) {
    const { height, width } = paintImage(canvas, store.imageAt(i));
    const scale = Math.max(1, Math.floor(160 / Math.max(height, width)));
    canvas.style.width = `${width * scale}px`;
    canvas.style.height = `${height * scale}px`;
  }
  let lastIndex = null;
  function update() {
    const i = ctrl.selected;
    const k = ctrl.shown;
    const { meta } = ctrl.history;
    const active = i !== null && k > 0;
    root.classList.toggle("dmw-empty", !active);
    hint.style.display = active ? "none" : "";
    if (!active) {
      for (const node of [title, text, gold, pred, confidence, variability, correctness, region]) node.textContent = "";
      lastIndex = null;
      return;
    }
    if (i !== lastIndex) {
      text.textContent = store.textAt(i) ?? "";
      if (images) drawImage(i);
      lastIndex = i;
    }
    const label = meta.task === "multilabel" ? ` \u2014 map of "${meta.shown_label}"` : "";
    const id = store.idAt(i) ?? "";
    title.textContent = `Example ${id ? `id ${id}` : `#${i}`} \xB7 epoch ${k}${label}`;
    const c = ctrl.positions.y[i];
    const v = ctrl.positions.x[i];
    gold.textContent = goldNameOf(i, { meta, gold: ctrl.history.gold, goldSets: store.goldSets });
    const row = ctrl.history.rows[k - 1];
    const cls = row.pred[i];
    const p = row.pGold[i];
    pred.textContent = `${(meta.class_names || [])[cls] ?? cls} (p(gold) ${fmt3(p)})`;
    confidence.textContent = fmt3(c);
    variability.textContent = fmt3(v);
    correctness.textContent = fmt3(ctrl.positions.color[i]);
    region.textContent = regionOf(c, v, meta);
  }
  return { root, trajectory, update };
}

// src/review_panel.js
var ROW_HEIGHT = 22;
var LIST_HEIGHT = 220;
var SNIPPET_CHARS2 = 90;
var VERDICT_TEXT = ["", "\u2713 correct", "\u2717 wrong", "removed"];
var COLUMNS = [
  { key: null, title: "Text", className: "dmw-rv-text" },
  { key: "gold", title: "Gold", className: "dmw-rv-gold" },
  { key: "confidence", title: "Conf.", className: "dmw-rv-num" },
  { key: "correctness", title: "Corr.", className: "dmw-rv-num" },
  { key: "score", title: "Issue", className: "dmw-rv-num" },
  { key: "decision", title: "Review", className: "dmw-rv-decision" }
];
function button(text, title, onClick) {
  const b = h("button", "dmw-rv-button", text);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}
function buildReviewPanel(ctrl) {
  const { store, review } = ctrl;
  const root = h("div", "dmw-review");
  const bar = h("div", "dmw-rv-bar");
  const prev = button("\u25C0 prev (k)", "previous example (k)", () => review.step(-1));
  const next = button("next (j) \u25B6", "next example (j)", () => review.step(1));
  const where = h("span", "dmw-rv-where");
  const correct = button("Correct (c)", "the gold label is right (c)", () => review.decide("correct"));
  const wrong = button("Wrong (w)", "the gold label is wrong", () => decideWrong());
  const picker = h("select", "dmw-rv-picker");
  picker.title = "the right class (number keys 1..9, 0)";
  const remove = button("Remove (x)", "remove the example from the data (x)", () => review.decide("remove"));
  const status = h("span", "dmw-rv-status");
  const readOnly = !store.connected;
  const offNote = h("span", "dmw-rv-off", readOnly ? "Review is off: decisions need the notebook's kernel." : "");
  const toggle = button("", "show or hide the review list", () => {
    userOpen = !isOpen();
    ctrl.notify();
  });
  toggle.classList.add("dmw-rv-toggle");
  bar.append(toggle, prev, next, where, correct, wrong, picker, remove, status, offNote);
  if (readOnly) for (const b of [correct, wrong, picker, remove]) b.title = "off: decisions need the notebook's kernel";
  const header = h("div", "dmw-rv-header");
  const headerCells = COLUMNS.map((col) => {
    const cell = h("span", `dmw-rv-cell ${col.className}`, col.title);
    if (col.key) {
      cell.classList.add("dmw-rv-sortable");
      cell.title = `sort by ${col.title} (click again to reverse)`;
      cell.addEventListener("click", () => review.setSort(col.key));
    }
    header.append(cell);
    return cell;
  });
  const scroller = h("div", "dmw-rv-list");
  scroller.style.height = `${LIST_HEIGHT}px`;
  const spacer = h("div", "dmw-rv-spacer");
  const rowsBox = h("div", "dmw-rv-rows");
  spacer.append(rowsBox);
  scroller.append(spacer);
  const caption = h("div", "dmw-rv-caption");
  root.append(bar, caption, header, scroller);
  let pickerFor = "";
  function fillPicker(meta) {
    const names = meta.task === "multilabel" ? [] : (meta.class_names || []).map(String);
    const keyOf = names.join("\0");
    picker.style.display = names.length > 2 ? "" : "none";
    if (keyOf === pickerFor) return;
    pickerFor = keyOf;
    picker.replaceChildren(h("option", "", "right class\u2026"));
    picker.firstChild.value = "";
    names.forEach((name, c) => {
      const option2 = h("option", "", c < 10 ? `${(c + 1) % 10} ${name}` : name);
      option2.value = String(c);
      picker.append(option2);
    });
  }
  picker.addEventListener("change", () => {
    if (picker.value === "") return;
    const cls = Number(picker.value);
    picker.value = "";
    decideClass(cls);
    const widget = root.closest(".datamap-widget");
    if (widget) widget.focus();
  });
  function goldOf(i) {
    const gold = ctrl.history.gold;
    return gold && i < gold.length ? gold[i] : null;
  }
  function decideClass(cls) {
    const g = goldOf(ctrl.selected);
    if (g === null) return;
    if (cls === g) review.decide("correct");
    else review.decide("wrong", cls);
  }
  function decideWrong() {
    const meta = ctrl.history.meta;
    const g = goldOf(ctrl.selected);
    if (g === null) return;
    if (meta.task === "binary") review.decide("wrong", 1 - g);
    else if (meta.task === "multilabel") review.decide("wrong");
    else picker.focus();
  }
  function textAt(i) {
    const text = store.textAt(i, SNIPPET_CHARS2 * 4);
    return text === null ? null : text.slice(0, SNIPPET_CHARS2);
  }
  const images = store.hasImages;
  function thumbnail(i) {
    const canvas = h("canvas", "dmw-rv-thumb");
    paintImage(canvas, store.imageAt(i));
    canvas.style.height = `${ROW_HEIGHT - 4}px`;
    return canvas;
  }
  function decisionText(i) {
    const code = review.codes[i] || 0;
    if (code !== 2) return VERDICT_TEXT[code];
    const m = review.latest(i);
    const names = ctrl.history.meta.class_names || [];
    if (m && m.new_label !== null && m.new_label !== void 0 && typeof m.new_label === "number") {
      return `\u2717 \u2192 ${names[m.new_label] ?? m.new_label}`;
    }
    return VERDICT_TEXT[2];
  }
  let userOpen = null;
  let openFor = null;
  function isOpen() {
    if (openFor !== ctrl.selection) {
      openFor = ctrl.selection;
      userOpen = null;
    }
    return userOpen ?? ctrl.selection.length > 1;
  }
  let order = new Int32Array(0);
  let lastSelected = null;
  function drawRows() {
    const names = ctrl.history.meta.class_names || [];
    const win = visibleRows({
      scrollTop: scroller.scrollTop,
      viewportHeight: LIST_HEIGHT,
      rowHeight: ROW_HEIGHT,
      rowCount: order.length
    });
    spacer.style.height = `${win.totalHeight}px`;
    rowsBox.style.transform = `translateY(${win.offsetTop}px)`;
    const rows = [];
    const k = ctrl.shown;
    for (let r = win.start; r < win.end; r++) {
      const i = order[r];
      const row = h("div", "dmw-rv-row");
      row.dataset.index = String(i);
      row.dataset.row = String(r);
      if (i === ctrl.selected) row.classList.add("dmw-rv-current");
      const code = review.codes[i] || 0;
      if (code) row.classList.add(`dmw-rv-code${code}`);
      if (review.outbox.isPending(i)) row.classList.add("dmw-rv-pending");
      const text = textAt(i);
      const g = goldOf(i);
      const first = text === null && images ? thumbnail(i) : null;
      const cells = [
        text === null ? `#${i}` : text,
        g === null ? "" : String(names[g] ?? g),
        k > 0 ? fmt3(ctrl.positions.y[i]) : "\u2013",
        k > 0 ? fmt3(ctrl.positions.color[i]) : "\u2013",
        review.scores ? fmt3(review.scores[i]) : "\u2013",
        decisionText(i)
      ];
      cells.forEach((value, c) => {
        row.append(h("span", `dmw-rv-cell ${COLUMNS[c].className}`, value));
      });
      if (first) row.firstChild.prepend(first);
      rows.push(row);
    }
    rowsBox.replaceChildren(...rows);
  }
  rowsBox.addEventListener("click", (event) => {
    const row = event.target.closest ? event.target.closest(".dmw-rv-row") : null;
    if (!row || !rowsBox.contains(row)) return;
    ctrl.select(Number(row.dataset.index));
  });
  let scrollFrame = null;
  scroller.addEventListener("scroll", () => {
    if (scrollFrame !== null) return;
    scrollFrame = requestAnimationFrame(() => {
      scrollFrame = null;
      drawRows();
    });
  });
  function update() {
    const meta = ctrl.history.meta;
    fillPicker(meta);
    order = review.order();
    const { key, descending } = review.sort;
    headerCells.forEach((cell, c) => {
      const col = COLUMNS[c];
      cell.textContent = col.title + (col.key && col.key === key ? descending ? " \u25BC" : " \u25B2" : "");
    });
    const n = order.length;
    const sel = ctrl.selection.length;
    caption.textContent = sel ? `${n} selected example${n === 1 ? "" : "s"}` : n ? `No selection: all ${n} examples, ${review.scores ? "most likely mislabeled first" : "least confident first"}` : "No examples to review yet.";
    const open = isOpen();
    toggle.textContent = open ? "\u25BE list" : "\u25B8 list";
    header.style.display = open ? "" : "none";
    scroller.style.display = open ? "" : "none";
    const i = ctrl.selected;
    const at = i === null ? -1 : order.indexOf(i);
    where.textContent = at >= 0 ? `${at + 1} / ${n}` : `\u2013 / ${n}`;
    const active = i !== null;
    for (const b of [correct, wrong, remove, picker]) b.disabled = !active || readOnly;
    prev.disabled = n === 0;
    next.disabled = n === 0;
    const errors = review.errors.length ? ` \xB7 refused: ${review.errors[0]}` : "";
    const pending = review.outbox.pending.size;
    status.textContent = (active ? decisionText(i) : "") + (pending ? ` \xB7 ${pending} not yet in Python` : "") + errors;
    if (!open) {
      lastSelected = null;
      rowsBox.replaceChildren();
      return;
    }
    if (i !== lastSelected && at >= 0) {
      scroller.scrollTop = scrollTopToShow(at, {
        scrollTop: scroller.scrollTop,
        viewportHeight: LIST_HEIGHT,
        rowHeight: ROW_HEIGHT
      });
    }
    lastSelected = i;
    drawRows();
  }
  function onKey(event) {
    const meta = ctrl.history.meta;
    const action = keyAction(event, {
      task: meta.task,
      nClasses: (meta.class_names || []).length,
      gold: goldOf(ctrl.selected)
    });
    if (!action) return false;
    if (action.type === "next") review.step(1);
    else if (action.type === "previous") review.step(-1);
    else if (action.type === "clear") ctrl.clearSelection();
    else if (action.type === "choose") {
      if (ctrl.selected === null) return false;
      picker.focus();
    } else if (action.type === "decide") {
      if (ctrl.selected === null) return false;
      review.decide(action.verdict, action.newLabel ?? null);
    }
    return true;
  }
  return { root, update, onKey, rowCount: () => order.length, isOpen };
}

// src/view.js
async function renderView({ el, ctrl }) {
  await ctrl.ready;
  const { store } = ctrl;
  const renderer = store.renderer;
  el.classList.add("datamap-widget");
  const controls = buildControls(ctrl);
  const body = h("div", "dmw-body");
  const mapBox = h("div", "dmw-map");
  const panel = buildPanel(ctrl);
  body.append(mapBox, panel.root);
  const review = buildReviewPanel(ctrl);
  el.replaceChildren(controls.root, body, review.root);
  const onKey = reviewKeys(el, review);
  let mapControls = null;
  const map = await mountMap({
    ctrl,
    container: mapBox,
    renderer,
    onScaleChange: () => mapControls && mapControls.update()
  });
  mapControls = buildMapControls(ctrl, {
    resetZoom: () => map.scales.reset(),
    zoomed: () => map.scales.zoomed()
  });
  controls.root.after(mapControls.root);
  if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
  const onMapKey = (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    const t = event.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
    ctrl.clearSelection();
    event.preventDefault();
    event.stopPropagation();
  };
  el.addEventListener("keydown", onMapKey);
  const focusOnPress = () => el.focus({ preventScroll: true });
  mapBox.addEventListener("pointerdown", focusOnPress);
  const trajectoryView = await mountFigure(store.widgetManager, ctrl.parts.trajectory, panel.trajectory);
  const view = {
    beginTransition: (epoch, animate, positions) => map.beginTransition(epoch, animate, positions),
    animating: () => map.animating(),
    update() {
      controls.update();
      panel.update();
      review.update();
      mapControls.update();
      map.updateLayers();
    }
  };
  ctrl.views.add(view);
  view.update();
  if (ctrl.shown > 0) map.beginTransition(ctrl.shown, false, ctrl.positions);
  ctrl.review.sendPending();
  if (map.tracker) el.__datamapWidget = testHandle({ el, renderer, ctrl, map, review });
  return () => {
    ctrl.views.delete(view);
    controls.dispose();
    el.removeEventListener("keydown", onKey);
    el.removeEventListener("keydown", onMapKey);
    mapBox.removeEventListener("pointerdown", focusOnPress);
    if (el.__datamapWidget) delete el.__datamapWidget;
    map.dispose();
    trajectoryView.remove();
  };
}
function reviewKeys(el, review) {
  el.tabIndex = 0;
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const onKey = (event) => {
    if (!review.onKey(event)) return;
    event.preventDefault();
    event.stopPropagation();
  };
  el.addEventListener("keydown", onKey);
  return onKey;
}

// src/index.js
var index_default = {
  async initialize({ model }) {
    const ctrl = controllerFor(model);
    await ctrl.ready;
    return () => ctrl.dispose();
  },
  async render({ model, el }) {
    return renderView({ el, ctrl: controllerFor(model) });
  }
};
export {
  index_default as default
};
