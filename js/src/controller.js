// Per-widget-model state shared by every view of that widget: decoded history, shown epoch,
// whether the map follows new epochs, the selected point. It drives the shared bqplot models
// client-side (set without save_changes), so nothing here needs the kernel.
import { readHistory } from "./history.js";
import { mapAtEpoch } from "./metrics.js";
import { showTrajectory } from "./trajectory.js";

const PLAY_STEP_MS = 700;
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

class Controller {
  constructor(model, key) {
    this.model = model;
    this.key = key;
    this.views = new Set();
    this.history = readHistory(model);
    this.shown = this.history.nEpochs;
    this.follow = true;
    const sel = model.get("_selected_index") || [];
    this.selected = sel.length && sel[0] < this.history.n ? sel[0] : null;
    this.positions = mapAtEpoch(this.history, this.shown);
    this.ringAt = null; // the point whose highlight ring is drawn (null: ring hidden)
    this.playTimer = null;
    this.onHistory = () => this.refreshHistory();
    this.onSelectedTrait = () => this.syncSelectionFromModel();
    model.on("change:_history", this.onHistory);
    model.on("change:_selected_index", this.onSelectedTrait);
    this.ready = this.resolveParts().then(() => this.apply());
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
    this.model.off("change:_history", this.onHistory);
    this.model.off("change:_selected_index", this.onSelectedTrait);
    controllers.delete(this.key);
  }

  get nEpochs() {
    return this.history.nEpochs;
  }

  /** New history from the kernel (a logged epoch, or another label's history). */
  refreshHistory() {
    const previousLabel = this.history.meta.shown_label;
    const previousShown = this.shown;
    this.history = readHistory(this.model);
    const labelChanged = this.history.meta.shown_label !== previousLabel;
    if (this.follow || this.shown > this.nEpochs || this.shown === 0) this.shown = this.nEpochs;
    if (this.selected !== null && this.selected >= this.history.n) this.selected = null;
    if (labelChanged || this.shown !== previousShown) this.apply();
    else this.notify();
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
    this.model.set("_selected_index", i === null ? [] : [i]);
    this.model.save_changes();
    this.applySelection();
    this.notify();
  }

  syncSelectionFromModel() {
    const sel = this.model.get("_selected_index") || [];
    const i = sel.length && sel[0] >= 0 && sel[0] < this.history.n ? sel[0] : null;
    if (i === this.selected) return;
    this.selected = i;
    this.applySelection();
    this.notify();
  }

  /** Recompute the map for the shown epoch and move the marks there (bqplot animates). */
  apply() {
    if (!this.parts) return;
    this.positions = mapAtEpoch(this.history, this.shown);
    for (const view of this.views) view.beginTransition(this.shown);
    const { x, y, color } = this.positions;
    this.parts.points.set({ x, y, color, visible: this.shown > 0 });
    this.applySelection();
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
}
