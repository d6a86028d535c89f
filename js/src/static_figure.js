// SVG views of the few bqplot models a saved map uses (static_models.js), for a page with no
// kernel and no widget manager: a figure with its margins and axes (linear and colour), and the
// marks the page drives (the ring and the trajectory as Scatter, the guides and the trajectory as
// Lines, the region names as Label; the points themselves are drawn by the page's raster layer,
// so a ScatterGL mark draws nothing). A view offers what map_view.js / raster.js / picking.js
// read of a bqplot view: `el`, `margin`, `plotarea_width/height`, `mark_views.views`, and per
// mark view `model`, `el`, `parent` and `scales` ({model, scale(v), offset}).

import { ticks } from "d3-array";
import { format } from "d3-format";
import { bqArray } from "./static_models.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const DASHES = { dashed: "8,4", dotted: "2,3", dash_dotted: "8,3,2,3", solid: null };
const TICK_PX = 6;
const TICK_SPACING_PX = 70;
let clipCount = 0;

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs))
    if (value !== null && value !== undefined) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

const px = (value, fallback) => Number.parseFloat(String(value ?? "")) || fallback;

/** A list of rows of numbers from any array attribute (plain, typed, bqplot-serialised, 2-D). */
function rowsOf(value) {
  const v = bqArray(value);
  if (!v || v.length === 0) return [];
  return Array.isArray(v[0]) || ArrayBuffer.isView(v[0]) ? Array.from(v, (r) => Array.from(r)) : [Array.from(v)];
}

/** A bqplot scale as its mark views expose it: {model, scale(value) -> pixels, offset}. */
function linearScale(part, range) {
  return {
    model: part,
    offset: 0,
    scale(value) {
      const min = Number(part.get("min"));
      const max = Number(part.get("max"));
      const t = max === min ? 0.5 : (value - min) / (max - min);
      return range()[0] + t * (range()[1] - range()[0]);
    },
  };
}

/** Pixel offsets of a plus ("cross" marker) of the given area, as d3.symbolCross draws it. */
function crossPath(area) {
  const r = Math.sqrt(area / 5) / 2;
  return `M${-3 * r},${-r}H${-r}V${-3 * r}H${r}V${-r}H${3 * r}V${r}H${r}V${3 * r}H${-r}V${r}H${-3 * r}Z`;
}

class MarkView {
  constructor(figure, part) {
    this.model = part;
    this.parent = figure;
    this.el = svg("g", { class: `mark ${part.name}` });
    this.scales = {};
    for (const [role, ref] of Object.entries(part.get("scales") || {})) this.scales[role] = figure.scaleFor(role, ref);
    this.drawn = null; // Scatter: data positions last drawn (the start of a tween)
    this.raf = 0;
    this.onChange = (_model, changed = []) => {
      const moved = changed.includes("x") || changed.includes("y");
      this.render(moved ? Number(figure.model.get("animation_duration")) || 0 : 0);
    };
    this.onScale = () => this.render(0);
    part.on("change", this.onChange);
    this.scaleModels = Object.values(this.scales).map((s) => s.model);
    for (const m of this.scaleModels) m.on("change:min change:max", this.onScale);
    this.render(0);
  }

  visible() {
    return this.model.get("visible") !== false;
  }

  render(duration) {
    cancelAnimationFrame(this.raf);
    if (this.model.name === "ScatterModel") this.renderScatter(duration);
    else if (this.model.name === "LinesModel") this.renderLines();
    else if (this.model.name === "LabelModel") this.renderLabels();
    // ScatterGLModel: the page's raster layer draws the points.
  }

  xy(x, y) {
    return [this.scales.x.scale(x), this.scales.y.scale(y)];
  }

  renderScatter(duration) {
    const [xs = []] = rowsOf(this.model.get("x"));
    const [ys = []] = rowsOf(this.model.get("y"));
    const to = this.visible() ? xs.map((x, i) => [x, ys[i]]) : [];
    const from = this.drawn;
    this.drawn = to;
    const draw = (points) => {
      const m = this.model;
      const color = (m.get("colors") || ["steelblue"])[0];
      const area = Number(m.get("default_size")) || 64;
      const attrs = {
        fill: m.get("fill") === false ? "none" : color,
        stroke: m.get("stroke") || "none",
        "stroke-width": m.get("stroke") ? Number(m.get("stroke_width")) || 1 : null,
      };
      const nodes = points.map(([x, y]) => {
        const [cx, cy] = this.xy(x, y);
        const shape =
          m.get("marker") === "cross"
            ? svg("path", { d: crossPath(area), transform: `translate(${cx},${cy})`, ...attrs })
            : svg("circle", { cx, cy, r: Math.sqrt(area / Math.PI), ...attrs });
        return shape;
      });
      this.el.replaceChildren(...nodes);
    };
    if (!(duration > 0 && from && from.length === to.length && to.length)) {
      draw(to);
      return;
    }
    const start = performance.now();
    const step = () => {
      const f = Math.min(1, (performance.now() - start) / duration);
      draw(to.map(([x, y], i) => [from[i][0] + f * (x - from[i][0]), from[i][1] + f * (y - from[i][1])]));
      if (f < 1) this.raf = requestAnimationFrame(step);
    };
    step();
  }

  renderLines() {
    const m = this.model;
    const xs = rowsOf(m.get("x"));
    const ys = rowsOf(m.get("y"));
    const colors = m.get("colors") || ["steelblue"];
    const nodes = [];
    if (this.visible()) {
      ys.forEach((row, k) => {
        const xrow = xs[Math.min(k, xs.length - 1)] || [];
        const d = row.map((y, i) => `${i ? "L" : "M"}${this.xy(xrow[i], y).join(",")}`).join("");
        if (!d) return;
        nodes.push(
          svg("path", {
            d,
            fill: "none",
            stroke: colors[k % colors.length],
            "stroke-width": Number(m.get("stroke_width")) || 1,
            "stroke-dasharray": DASHES[m.get("line_style")] ?? null,
          }),
        );
      });
    }
    this.el.replaceChildren(...nodes);
  }

  renderLabels() {
    const m = this.model;
    const texts = bqArray(m.get("text")) || [];
    const [xs = []] = rowsOf(m.get("x"));
    const [ys = []] = rowsOf(m.get("y"));
    const colors = m.get("colors") || ["black"];
    const anchor = { start: "start", center: "middle", end: "end" }[m.get("align")] || "middle";
    const nodes = [];
    if (this.visible()) {
      Array.from(texts).forEach((text, k) => {
        const [x, y] = this.xy(xs[k], ys[k]);
        const node = svg("text", {
          x: x + (Number(m.get("x_offset")) || 0),
          y: y + (Number(m.get("y_offset")) || 0),
          fill: colors[k % colors.length],
          "font-size": `${Number(m.get("default_size")) || 14}${m.get("font_unit") || "px"}`,
          "font-weight": m.get("font_weight") || null,
          "text-anchor": anchor,
        });
        node.textContent = String(text); // data, never markup
        nodes.push(node);
      });
    }
    this.el.replaceChildren(...nodes);
  }

  remove() {
    cancelAnimationFrame(this.raf);
    this.model.off("change", this.onChange);
    for (const m of this.scaleModels) m.off("change:min change:max", this.onScale);
  }
}

function tickFormat(spec) {
  try {
    return spec ? format(spec) : format("~g");
  } catch {
    return (v) => String(v);
  }
}

class AxisView {
  constructor(figure, part) {
    this.figure = figure;
    this.model = part;
    this.scaleModel = figure.manager.model(part.get("scale"));
    this.el = svg("g", { class: `axis ${part.name}`, "font-size": "11px", fill: "#333" });
    this.render = this.render.bind(this);
    part.on("change", this.render);
    this.scaleModel.on("change", this.render);
    this.render();
  }

  tickValues(length) {
    const given = rowsOf(this.model.get("tick_values"))[0];
    const min = Number(this.scaleModel.get("min"));
    const max = Number(this.scaleModel.get("max"));
    const lo = Math.min(min, max);
    const hi = Math.max(min, max);
    const values = given && given.length ? given : ticks(lo, hi, Math.max(2, Math.round(length / TICK_SPACING_PX)));
    return values.filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9);
  }

  render() {
    const { figure, model: part } = this;
    this.el.replaceChildren();
    if (part.get("visible") === false) return;
    const w = figure.plotarea_width;
    const ht = figure.plotarea_height;
    const side = part.get("side") || (part.get("orientation") === "vertical" ? "left" : "bottom");
    const vertical = side === "left" || side === "right";
    const color = part.name === "ColorAxisModel";
    const fmt = tickFormat(part.get("tick_format"));
    const scale = linearScale(this.scaleModel, () => (vertical ? [ht, 0] : [0, w]));
    const label = svg("text", { "text-anchor": "middle", "font-size": "12px" }, this.el);
    label.textContent = String(part.get("label") ?? "");
    if (color) {
      this.colorBar(scale, fmt, label);
      return;
    }
    const edge = { bottom: [0, ht, w, ht], left: [0, 0, 0, ht], top: [0, 0, w, 0], right: [w, 0, w, ht] }[side];
    svg("line", { x1: edge[0], y1: edge[1], x2: edge[2], y2: edge[3], stroke: "#333" }, this.el);
    const out = side === "left" || side === "top" ? -1 : 1;
    for (const value of this.tickValues(vertical ? ht : w)) {
      const p = scale.scale(value);
      const at = vertical ? edge[0] : edge[1];
      const [x1, y1, x2, y2] = vertical ? [at, p, at + out * TICK_PX, p] : [p, at, p, at + out * TICK_PX];
      svg("line", { x1, y1, x2, y2, stroke: "#333" }, this.el);
      const text = svg(
        "text",
        vertical
          ? {
              x: at + out * (TICK_PX + 3),
              y: p,
              "text-anchor": out < 0 ? "end" : "start",
              "dominant-baseline": "middle",
            }
          : {
              x: p,
              y: at + out * (TICK_PX + 3),
              "text-anchor": "middle",
              "dominant-baseline": out > 0 ? "hanging" : null,
            },
        this.el,
      );
      text.textContent = fmt(value);
    }
    const m = figure.margin;
    if (vertical) {
      const x = side === "left" ? -(m.left - 16) : w + m.right - 16;
      label.setAttribute("transform", `translate(${x},${ht / 2}) rotate(-90)`);
    } else {
      label.setAttribute("x", String(w / 2));
      label.setAttribute("y", String(side === "bottom" ? ht + Math.min(36, m.bottom - 6) : -(m.top - 14)));
    }
  }

  /** A vertical colour bar right of the plot: the scale's colours from min (bottom) to max. */
  colorBar(scale, fmt, label) {
    const { figure } = this;
    const ht = figure.plotarea_height;
    const x = figure.plotarea_width + 12;
    const barWidth = 12;
    const id = `dmw-static-gradient-${++clipCount}`;
    const gradient = svg("linearGradient", { id, x1: "0", y1: "1", x2: "0", y2: "0" }, svg("defs", {}, this.el));
    const colors = this.scaleModel.get("colors") || ["#ffffff", "#000000"];
    colors.forEach((c, k) => {
      svg("stop", { offset: `${(100 * k) / Math.max(1, colors.length - 1)}%`, "stop-color": c }, gradient);
    });
    svg("rect", { x, y: 0, width: barWidth, height: ht, fill: `url(#${id})` }, this.el);
    for (const value of this.tickValues(ht)) {
      const p = scale.scale(value);
      svg("line", { x1: x + barWidth, y1: p, x2: x + barWidth + TICK_PX - 2, y2: p, stroke: "#333" }, this.el);
      const text = svg("text", { x: x + barWidth + TICK_PX + 1, y: p, "dominant-baseline": "middle" }, this.el);
      text.textContent = fmt(value);
    }
    label.setAttribute("transform", `translate(${x + barWidth + 48},${ht / 2}) rotate(-90)`);
  }

  remove() {
    this.model.off("change", this.render);
    this.scaleModel.off("change", this.render);
  }
}

/** A bqplot Figure: fixed size (its layout), margins, axes, marks clipped to the plot area. */
class FigureView {
  constructor(part, manager) {
    this.model = part;
    this.manager = manager;
    const layout = part.get("layout") ? manager.model(part.get("layout")) : null;
    const width = px(layout && layout.get("width"), 640);
    const height = px(layout && layout.get("height"), 480);
    const margin = { top: 60, bottom: 60, left: 60, right: 60, ...(part.get("fig_margin") || {}) };
    this.margin = margin;
    this.plotarea_width = Math.max(1, width - margin.left - margin.right);
    this.plotarea_height = Math.max(1, height - margin.top - margin.bottom);
    this.el = document.createElement("div");
    this.el.className = "bqplot figure dmw-static-figure";
    Object.assign(this.el.style, { position: "relative", width: `${width}px`, height: `${height}px` });
    // Where bqplot-gl puts its canvas: the raster layer takes this place (under the axes and marks).
    const plotArea = document.createElement("canvas");
    plotArea.className = "dmw-static-plotarea";
    Object.assign(plotArea.style, {
      position: "absolute",
      left: `${margin.left}px`,
      top: `${margin.top}px`,
      width: `${this.plotarea_width}px`,
      height: `${this.plotarea_height}px`,
      visibility: "hidden",
    });
    const root = svg("svg", { width, height, class: "svg-figure" });
    Object.assign(root.style, { position: "absolute", left: "0px", top: "0px", pointerEvents: "none" });
    root.setAttribute("font-family", "sans-serif");
    this.el.append(plotArea, root);
    const plot = svg("g", { transform: `translate(${margin.left},${margin.top})` }, root);
    const clipId = `dmw-static-clip-${++clipCount}`;
    svg("rect", { width: this.plotarea_width, height: this.plotarea_height }, svg("clipPath", { id: clipId }, plot));
    this.scales = new Map();
    this.axes = (part.get("axes") || []).map((ref) => new AxisView(this, manager.model(ref)));
    for (const axis of this.axes) plot.appendChild(axis.el);
    const marksBox = svg("g", { "clip-path": `url(#${clipId})` }, plot);
    this.marks = (part.get("marks") || []).map((ref) => new MarkView(this, manager.model(ref)));
    for (const mark of this.marks) marksBox.appendChild(mark.el);
    this.mark_views = { views: this.marks.map((mark) => Promise.resolve(mark)) };
  }

  /** The scale object of `ref` for a mark role ("x", "y", "color"), one per scale model. */
  scaleFor(role, ref) {
    const part = this.manager.model(ref);
    const key = `${role}:${part.model_id}`;
    if (!this.scales.has(key)) {
      const range = role === "y" ? () => [this.plotarea_height, 0] : () => [0, this.plotarea_width];
      this.scales.set(key, role === "color" ? { model: part } : linearScale(part, range));
    }
    return this.scales.get(key);
  }

  trigger(_event) {} // "displayed": a fixed layout needs nothing

  remove() {
    for (const part of [...this.axes, ...this.marks]) part.remove();
    this.el.remove();
  }
}

/** The view of a saved bqplot model (only figures are shown by themselves). */
export function createStaticView(part, manager) {
  if (part.name !== "FigureModel") throw new Error(`datamap-widget: a saved map cannot show a ${part.name}`);
  return new FigureView(part, manager);
}
