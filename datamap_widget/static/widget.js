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
      if (p[r].length !== this.n) throw new Error(`datamap-widget: epoch ${at + 1} has ${p[r].length} values for ${this.n} examples`);
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
function historyView(store, model) {
  const meta = model.get("_meta") || {};
  return { n: store.n, nEpochs: store.complete, rows: store.rows, gold: goldOf(model, store.n), meta };
}
function goldOf(model, n) {
  const raw = bytesOf(model.get("_gold"));
  return typedAt(Uint16Array, raw, 0, Math.min(n, raw.byteLength >> 1));
}

// src/metrics.js
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

// src/controller.js
var PLAY_STEP_MS = 700;
var BUSY_POLL_MS = 40;
var MAX_WAIT_MS = 3e3;
var REQUEST_TIMEOUT_MS = 12e4;
var controllers = /* @__PURE__ */ new Map();
function keyOf(model) {
  const parts = model.get("_parts") || {};
  return String(parts.map || "");
}
function controllerFor(model) {
  const key = keyOf(model);
  let ctrl = controllers.get(key);
  if (!ctrl) {
    ctrl = new Controller(model, key);
    controllers.set(key, ctrl);
  }
  return ctrl;
}
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
var Controller = class {
  constructor(model, key) {
    this.model = model;
    this.key = key;
    this.views = /* @__PURE__ */ new Set();
    this.n = model.get("n_examples") | 0;
    this.store = new EpochStore(shownLabelOf(model), this.n);
    this.sums = emptySums(this.n);
    this.history = historyView(this.store, model);
    this.shown = 0;
    this.drawnEpoch = 0;
    this.follow = true;
    this.positions = mapFromSums(this.sums, this.n);
    this.ringAt = null;
    this.selected = null;
    this.playTimer = null;
    this.showTimer = null;
    this.waitingSince = null;
    this.request = null;
    this.onEpoch = () => this.receiveEpoch();
    this.onMeta = () => this.receiveMeta();
    this.onMsg = (content, buffers) => this.receiveMessage(content, buffers);
    this.onSelectedTrait = () => this.syncSelectionFromModel();
    model.on("change:_epoch", this.onEpoch);
    model.on("change:_meta", this.onMeta);
    model.on("msg:custom", this.onMsg);
    model.on("change:_selected_index", this.onSelectedTrait);
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
      Object.entries(refs).map(async ([role, ref]) => [role, await manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""))])
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
    this.store.newest = Math.max(this.store.newest, this.model.get("n_epochs") | 0);
    this.historyChanged();
  }
  receiveMeta() {
    if (shownLabelOf(this.model) !== this.store.label && !(this.model.get("_epoch") || {}).epoch) {
      this.resetStore(shownLabelOf(this.model));
    }
    this.historyChanged();
  }
  /** Answers to our requests for missing epochs. */
  receiveMessage(content, buffers) {
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
    animate = animate && this.drawnEpoch > 0 && this.shown > 0 && this.views.size > 0;
    this.drawnEpoch = this.shown;
    this.shownLabel = this.history.meta.shown_label;
    this.positions = this.computePositions();
    for (const view of this.views) view.beginTransition(this.shown, animate, this.positions);
    const { x, y, color } = this.positions;
    const change = () => {
      if (this.model.get("renderer") !== "gl") this.parts.points.set({ x, y, color, visible: this.shown > 0 });
      this.applySelection();
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
function buildControls(model, ctrl) {
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
  const meta = model.get("_meta") || {};
  if (meta.task === "multilabel") {
    const wrap = h("label", "dmw-label-wrap", "Label ");
    select = h("select", "dmw-label-select");
    for (const name of meta.label_names || []) {
      const option = h("option", null, String(name));
      option.value = String(name);
      select.append(option);
    }
    pending = h("span", "dmw-label-pending", "");
    wrap.append(select, pending);
    root.append(wrap);
    select.addEventListener("change", () => {
      model.set("label", select.value);
      model.save_changes();
      update();
    });
  }
  function update() {
    const n = ctrl.nEpochs;
    const fetching = ctrl.loggedEpochs - n;
    const note = fetching > 0 ? ` (loading ${fetching} more epoch${fetching > 1 ? "s" : ""}\u2026)` : "";
    if (n === 0) epoch.textContent = fetching > 0 ? `Loading ${fetching} logged epoch${fetching > 1 ? "s" : ""}\u2026` : "No epochs logged yet";
    else epoch.textContent = `Epoch ${ctrl.shown} / ${n}${note}`;
    replay.max = String(Math.max(1, n));
    replay.value = String(Math.max(1, ctrl.shown));
    replay.disabled = n <= 1;
    play.disabled = n <= 1;
    play.textContent = ctrl.playTimer !== null ? "\u275A\u275A Pause" : "\u25B6 Play";
    if (select) {
      const shown = ctrl.history.meta.shown_label;
      const wanted = model.get("label");
      if (document.activeElement !== select) select.value = wanted;
      pending.textContent = wanted !== shown ? ` loading "${wanted}" (applies when the kernel is idle)\u2026` : "";
    }
  }
  if (select) model.on("change:label", update);
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
function pickNearest(positions, transform, cx, cy, radius) {
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
    const dy = y[i] * ky - ty;
    const d2 = dx * dx + dy * dy;
    if (d2 <= bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
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
  for (let dy = -R; dy <= R; dy++) for (let dx = -R; dx <= R; dx++) if (dx * dx + dy * dy <= r * r + 0.25) out.push(dx, dy);
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
    const rgba = table[c >= 1 ? 255 : c <= 0 ? 0 : c * 255 + 0.5 | 0];
    for (let k = 0; k < m; k += 2) {
      const qx = px + disc[k];
      const qy = py + disc[k + 1];
      if (qx >= 0 && qx < width && qy >= 0 && qy < height) pixels[qy * width + qx] = rgba;
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
  return {
    canvas,
    show,
    animating: () => tween !== null,
    frameCost: () => frameCost,
    dispose() {
      if (tween) cancelAnimationFrame(tween.raf);
      tween = null;
      canvas.remove();
    }
  };
}

// src/test_hooks.js
function testHooksEnabled() {
  return typeof window !== "undefined" && window.__datamapWidgetTestHooks === true;
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
async function mountMap({ model, ctrl, container, renderer }) {
  const manager = model.widget_manager;
  const figureView = await mountFigure(manager, ctrl.parts.map, container);
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
  function onClick(event) {
    if (ctrl.shown === 0) return;
    const tr = transform();
    if (!tr) return;
    const i = pickNearest(ctrl.positions, tr, event.clientX, event.clientY, pickRadius());
    if (i !== null) ctrl.select(i);
  }
  container.addEventListener("click", onClick, true);
  return {
    figureView,
    beginTransition,
    animating,
    clientXY,
    tracker,
    raster,
    dispose() {
      container.removeEventListener("click", onClick, true);
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
  return {
    begin,
    onRasterFrame,
    begun: () => begun.slice(),
    lastTransition: () => last ? { start: last.start, end: last.end, frames: last.frames } : null,
    paintedAt: (epoch) => painted.has(epoch) ? painted.get(epoch) : null
  };
}

// src/panel.js
var decoder = new TextDecoder("utf-8");
function field(list, label, className) {
  const row = h("div", "dmw-field");
  const value = h("span", className);
  row.append(h("span", "dmw-field-name", label), value);
  list.append(row);
  return value;
}
function buildPanel(model, ctrl) {
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
  const hasImages = (model.get("_image_shape") || []).length === 2;
  canvas.style.display = hasImages ? "" : "none";
  const hasTexts = bytesOf(model.get("_text_offsets")).byteLength > 0;
  text.style.display = hasTexts ? "" : "none";
  root.append(hint, title, canvas, text, fields, trajectory, legend);
  function stringAt(bytesTrait, offsetsTrait, i) {
    const raw = bytesOf(model.get(offsetsTrait));
    const offsets = typedAt(Uint32Array, raw, 0, raw.byteLength >> 2);
    if (offsets.length < i + 2) return "";
    return decoder.decode(bytesOf(model.get(bytesTrait)).subarray(offsets[i], offsets[i + 1]));
  }
  function drawImage(i) {
    const [height, width] = model.get("_image_shape");
    const pixels = bytesOf(model.get("_images")).subarray(i * height * width, (i + 1) * height * width);
    const scale = Math.max(1, Math.floor(160 / Math.max(height, width)));
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${width * scale}px`;
    canvas.style.height = `${height * scale}px`;
    canvas.style.imageRendering = "pixelated";
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(width, height);
    for (let p = 0; p < pixels.length; p++) {
      const v = pixels[p];
      image.data[4 * p] = v;
      image.data[4 * p + 1] = v;
      image.data[4 * p + 2] = v;
      image.data[4 * p + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }
  function goldNames(i, meta) {
    if (meta.task === "multilabel") {
      const names = meta.label_names || [];
      const sets = bytesOf(model.get("_gold_sets"));
      const chosen = names.filter((_, j) => sets[i * names.length + j]);
      return chosen.length ? chosen.join(", ") : "(none)";
    }
    return String((meta.class_names || [])[ctrl.history.gold[i]] ?? ctrl.history.gold[i]);
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
      text.textContent = stringAt("_texts", "_text_offsets", i);
      if (hasImages) drawImage(i);
      lastIndex = i;
    }
    const label = meta.task === "multilabel" ? ` \u2014 map of "${meta.shown_label}"` : "";
    const id = stringAt("_ids", "_id_offsets", i);
    title.textContent = `Example ${id ? `id ${id}` : `#${i}`} \xB7 epoch ${k}${label}`;
    const c = ctrl.positions.y[i];
    const v = ctrl.positions.x[i];
    gold.textContent = goldNames(i, meta);
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

// src/view.js
async function renderView({ model, el, ctrl }) {
  await ctrl.ready;
  const renderer = model.get("renderer") === "gl" ? "gl" : "svg";
  el.classList.add("datamap-widget");
  const controls = buildControls(model, ctrl);
  const body = h("div", "dmw-body");
  const mapBox = h("div", "dmw-map");
  const panel = buildPanel(model, ctrl);
  body.append(mapBox, panel.root);
  el.replaceChildren(controls.root, body);
  const map = await mountMap({ model, ctrl, container: mapBox, renderer });
  const trajectoryView = await mountFigure(model.widget_manager, ctrl.parts.trajectory, panel.trajectory);
  const view = {
    beginTransition: (epoch, animate, positions) => map.beginTransition(epoch, animate, positions),
    animating: () => map.animating(),
    update() {
      controls.update();
      panel.update();
    }
  };
  ctrl.views.add(view);
  view.update();
  if (ctrl.shown > 0) map.beginTransition(ctrl.shown, false, ctrl.positions);
  if (map.tracker) el.__datamapWidget = testHandle({ el, renderer, ctrl, map });
  return () => {
    ctrl.views.delete(view);
    if (el.__datamapWidget) delete el.__datamapWidget;
    map.dispose();
    trajectoryView.remove();
  };
}
function testHandle({ el, renderer, ctrl, map }) {
  return {
    el,
    renderer,
    n: ctrl.n,
    nEpochs: () => ctrl.nEpochs,
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
    _internals: { ctrl, figureView: map.figureView }
  };
}

// src/index.js
var index_default = {
  async initialize({ model }) {
    const ctrl = controllerFor(model);
    await ctrl.ready;
    return () => ctrl.dispose();
  },
  async render({ model, el }) {
    return renderView({ model, el, ctrl: controllerFor(model) });
  }
};
export {
  index_default as default
};
