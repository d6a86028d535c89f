// @ts-check
// The shared bqplot models the page drives client-side (set, never saved, so nothing here needs
// the kernel): the SVG points, the highlight ring on the current point, the panel's trajectory.
import { showTrajectory } from "./trajectory.js";

/**
 * Run `change` with the figure's animation_duration at 0, client-side only (never saved): bqplot
 * marks read it synchronously when they redraw for a data change, so only that change jumps.
 */
export function withoutAnimation(figureModel, change) {
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

/** The SVG map's points (the "gl" renderer's raster layer draws them itself, per view). */
export function showPoints(parts, { x, y, color }, visible) {
  parts.points.set({ x, y, color, visible });
}

export class CurrentPointMarks {
  constructor() {
    this.ringAt = null; // the point whose highlight ring is drawn (null: ring hidden)
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
}
