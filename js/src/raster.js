// The map's points drawn by the page itself on a 2D canvas (used for the "gl" renderer, i.e. big
// maps). Measured on machines without a GPU (software WebGL), one bqplot-gl frame of 60,000
// points blocks the page's main thread for about 1.3 s, so a map animating every few seconds
// leaves clicks waiting; writing the same points into an ImageData costs a few milliseconds
// (tens at 550,000), so the page stays responsive and the map can still tween between epochs.
// The canvas sits exactly where bqplot-gl's own canvas is (the plot area, under the figure's SVG
// layer with the axes and the highlight ring); positions go through the mark's own d3 scales.

const SLOW_FRAME_MS = 250; // slower frames than this: no tween, jump to the new map

/** 256-entry RGBA lookup (as little-endian uint32) for values 0..1 over evenly spaced colours. */
export function colorTable(colors) {
  const rgb = colors.map((c) => {
    const v = parseInt(String(c).replace("#", ""), 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  });
  const table = new Uint32Array(256);
  for (let k = 0; k < 256; k++) {
    const t = (k / 255) * (rgb.length - 1);
    const j = Math.min(rgb.length - 2, Math.floor(t));
    const f = t - j;
    const [r, g, b] = [0, 1, 2].map((c) => Math.round(rgb[j][c] + f * (rgb[j + 1][c] - rgb[j][c])));
    table[k] = (255 << 24) | (b << 16) | (g << 8) | r; // ImageData bytes r, g, b, a
  }
  return table;
}

/** Pixel offsets of a filled disc of the given area (px^2), as flat [dx0, dy0, dx1, dy1, ...]. */
export function discOffsets(area) {
  const r = Math.max(1, Math.sqrt(area / Math.PI));
  const out = [];
  const R = Math.ceil(r);
  for (let dy = -R; dy <= R; dy++)
    for (let dx = -R; dx <= R; dx++) if (dx * dx + dy * dy <= r * r + 0.25) out.push(dx, dy);
  return Int32Array.from(out);
}

/**
 * Write every point into `pixels` (Uint32Array of width*height, cleared first). Points are
 * (x, y) in canvas pixels from the affine map px = x0 + ax*x, py = y0 + ay*y; colour from
 * `table` by value 0..1; later points on top.
 */
export function rasterize(pixels, width, height, x, y, color, map, table, disc) {
  pixels.fill(0);
  const { x0, ax, y0, ay } = map;
  const n = x.length;
  const m = disc.length;
  for (let i = 0; i < n; i++) {
    const px = Math.round(x0 + ax * x[i]);
    const py = Math.round(y0 + ay * y[i]);
    const c = color[i];
    const rgba = table[c >= 1 ? 255 : c <= 0 ? 0 : (c * 255 + 0.5) | 0];
    for (let k = 0; k < m; k += 2) {
      const qx = px + disc[k];
      const qy = py + disc[k + 1];
      if (qx >= 0 && qx < width && qy >= 0 && qy < height) pixels[qy * width + qx] = rgba;
    }
  }
}

/**
 * Mount the raster layer over the figure's plot area. Returns {show(from, to, animate), animating(),
 * dispose()}; `onFrame(epochTag)` is called after each drawn frame (test tracking), `frameCost` is
 * the measured cost of a frame.
 */
export function mountRaster({ figureView, pointsView, colors, sizeOf, durationOf, onFrame }) {
  const canvas = document.createElement("canvas");
  canvas.className = "dmw-raster";
  canvas.style.position = "absolute";
  canvas.style.pointerEvents = "none";
  const table = colorTable(colors);
  const glCanvas = () => figureView.el.querySelector("canvas:not(.dmw-raster)");
  let image = null;
  let ctx = null;
  let tween = null; // {from, to, start, duration, raf}
  let frameCost = 0;
  let current = null; // positions drawn last (target of the last show)

  function place() {
    const ref = glCanvas();
    const fig = pointsView.parent || figureView;
    const width = Math.max(1, Math.round((ref && ref.clientWidth) || Number(fig.plotarea_width) || 1));
    const height = Math.max(1, Math.round((ref && ref.clientHeight) || Number(fig.plotarea_height) || 1));
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

  /** Draw `to` (positions {x, y, color}); tween from what is on screen unless told not to. */
  function show(to, animate) {
    if (tween) cancelAnimationFrame(tween.raf);
    const from = current;
    current = to;
    const duration = durationOf();
    const tweenable = animate && from && from.x.length === to.x.length && duration > 0 && frameCost < SLOW_FRAME_MS;
    tween = { from: tweenable ? from : to, to, start: performance.now(), duration: tweenable ? duration : 1, raf: 0 };
    // First frame in the next animation frame: work already queued (a click) goes first.
    tween.raf = requestAnimationFrame(frame);
  }

  /** Draw what is shown again (the scales changed: zoom / pan), unless a tween is drawing. */
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
    },
  };
}
