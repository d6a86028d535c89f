// The one place that reaches into bqplot-gl 0.1.1 internals (Figure view `extras`, the GL mark
// views' `transitions` with `time_start`/`duration`/`update`).
//
// 1. Stalled tween. bqplot-gl's `extras.webGLUpdate` renders and only then clears
//    `webGLUpdateRequested`, so the request a running transition makes for its next frame (from
//    inside the render) is swallowed: the tween freezes at its first frame and the map shows stale
//    positions. Here the flag is cleared before rendering, so every frame advances the tween and
//    the last frame draws the new positions.
// 2. Slow frames. With software WebGL a frame of 43k points costs ~0.5-1 s, so a 500 ms tween
//    gets 1-2 frames and the first one (t = 0) only repeats the old map. When frames are slow, a
//    new tween is started "one frame late" (each frame shows the state at the time it appears,
//    but the first never beyond half-way) and stretched to about two frames (capped at 3x the
//    figure's animation_duration), so the points still visibly move (old -> half-way -> new)
//    and the new map appears one frame sooner.
// `onFrame` is called after each WebGL render (frame counting for the test handle).

const FIXED = Symbol("datamap-widget gl transition fix");
const SLOW_FRAME_MS = 40;
const MAX_STRETCH = 3;

/** Patch one bqplot Figure view. Returns true once the view is patched (false if it has no GL yet). */
export function applyGLTransitionFix(figureView, onFrame) {
  const extras = figureView && figureView.extras;
  if (!extras || typeof extras.webGLRender !== "function") return false;
  if (extras[FIXED]) return true;
  const seen = new WeakSet();
  let lastFrameAt = null;
  let frameCost = 0; // ms per frame while animating, measured

  function adjustNewTransitions() {
    let running = false;
    for (const mark of extras.webGLMarks || []) {
      for (const t of mark.transitions || []) {
        running = true;
        if (seen.has(t)) continue;
        seen.add(t);
        if (frameCost >= SLOW_FRAME_MS && typeof t.update === "function") {
          t.duration = Math.max(t.duration, Math.min(2 * frameCost, MAX_STRETCH * t.duration));
          t.time_start -= Math.min(frameCost, t.duration / 2); // first frame at most half-way
          t.update(); // set the tween uniform before this frame is drawn
        }
      }
    }
    return running;
  }

  extras.webGLUpdate = function webGLUpdateFixed() {
    extras.webGLUpdateRequested = false; // before rendering, so the render may request the next frame
    const now = performance.now();
    const running = adjustNewTransitions();
    if (running && lastFrameAt !== null) {
      const gap = now - lastFrameAt;
      frameCost = frameCost === 0 ? gap : 0.5 * frameCost + 0.5 * gap;
    }
    extras.webGLRender();
    lastFrameAt = running ? now : null;
    if (onFrame) onFrame();
  };
  extras[FIXED] = true;
  return true;
}
