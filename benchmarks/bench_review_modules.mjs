// Figures for the review groundwork's pure JS modules (selection, queue, search, list window):
//   node benchmarks/bench_review_modules.mjs [go_emotions dir]
// Times are medians of repeated runs after a warm-up, in Node (V8, the engine of Chromium);
// the page adds DOM/drawing costs on top. The go_emotions texts come from the local copy
// (DATAMAP_GO_EMOTIONS_DIR or /work/shared/data/go_emotions).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, "..", "js", "src");
const { selectRect, selectLasso, combine, maskToIndexes, selectByRegion, countSelected } = await import(path.join(src, "selection.js"));
const { rankByScore } = await import(path.join(src, "review_queue.js"));
const { TextIndex } = await import(path.join(src, "text_search.js"));
const { sortIndexes, visibleRows } = await import(path.join(src, "row_window.js"));

function median(fn, repeats = 15) {
  fn();
  const times = [];
  let result;
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], result };
}

function points(n, seed = 1) {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = r();
    y[i] = c;
    x[i] = Math.min(0.5, Math.sqrt(c * (1 - c)) * r()); // data-map-like: arch shape
  }
  return { x, y, r };
}

const rows = [];
const row = (what, n, ms, note = "") => rows.push({ what, n, ms: ms.toFixed(2), note });

for (const n of [43410, 200000]) {
  const pts = points(n);
  const rect = median(() => selectRect(pts, { x: 0.0, y: 0.0 }, { x: 0.5, y: 0.23 }));
  row("rectangle selection", n, rect.ms, `${countSelected(rect.result)} selected`);
  for (const m of [200, 2000]) {
    const circle = Array.from({ length: m }, (_, k) => {
      const t = (2 * Math.PI * k) / m;
      return { x: 0.2 + 0.18 * Math.cos(t), y: 0.5 + 0.35 * Math.sin(t) };
    });
    const lasso = median(() => selectLasso(pts, circle));
    row(`lasso, ${m}-vertex loop`, n, lasso.ms, `${countSelected(lasso.result)} selected`);
  }
  // a hand-drawn scribble: two wobbly turns that cross each other many times
  const scribble = Array.from({ length: 1500 }, (_, k) => {
    const t = (4 * Math.PI * k) / 1500;
    const radius = 1 + 0.25 * Math.sin(7 * t + t / 3);
    return { x: 0.2 + 0.15 * radius * Math.cos(t), y: 0.5 + 0.3 * radius * Math.sin(t) };
  });
  const scrib = median(() => selectLasso(pts, scribble));
  row("lasso, 1500-vertex scribble crossing itself", n, scrib.ms, `${countSelected(scrib.result)} selected`);
  const tangle = Array.from({ length: 300 }, () => ({ x: 0.5 * pts.r(), y: pts.r() }));
  const wild = median(() => selectLasso(pts, tangle));
  row("lasso, 300 random vertices (worst case: every edge spans the map)", n, wild.ms, `${countSelected(wild.result)} selected`);
  const a = selectRect(pts, { x: 0, y: 0 }, { x: 0.2, y: 0.5 });
  const b = selectRect(pts, { x: 0.1, y: 0.3 }, { x: 0.5, y: 1 });
  row("shift-add union + to index list", n, median(() => maskToIndexes(combine(a, b, "add"))).ms);
  const meta = { variability_threshold: 0.2, confidence_threshold: 0.5 };
  row("select by region (hard-to-learn)", n, median(() => selectByRegion(pts, meta, "hard-to-learn")).ms);
  const score = Float32Array.from(pts.y, (c) => 1 - c);
  row("queue ranking by score (no selection)", n, median(() => rankByScore(score), 5).ms);
}

{
  const n = 43410;
  const pts = points(n, 9);
  const sel = maskToIndexes(selectRect(pts, { x: 0, y: 0 }, { x: 0.5, y: 0.23 }));
  row("sort selected rows by confidence (stable)", sel.length, median(() => sortIndexes(sel, pts.y)).ms, "of 43,410");
  row("list window for a scroll position", sel.length, median(() => visibleRows({ scrollTop: 123456, viewportHeight: 400, rowHeight: 24, rowCount: sel.length })).ms);
}

const dir = process.argv[2] || process.env.DATAMAP_GO_EMOTIONS_DIR || "/work/shared/data/go_emotions";
let texts = null;
try {
  texts = readFileSync(path.join(dir, "train.tsv"), "utf8").split("\n").filter((l) => l.length).map((l) => l.split("\t")[0]);
} catch (err) {
  console.log(`(no go_emotions copy at ${dir}: text search figures skipped)`);
}
if (texts) {
  const encoder = new TextEncoder();
  const parts = texts.map((t) => encoder.encode(t));
  const offsets = new Uint32Array(texts.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
  const bytes = new Uint8Array(offsets[texts.length]);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  const build = median(() => new TextIndex(bytes, offsets), 5);
  row("text search: build index (once per texts)", texts.length, build.ms, `${(bytes.length / 1e6).toFixed(1)} MB UTF-8`);
  const index = build.result;
  for (const q of ["t", "th", "tha", "than", "thank", "thank you", "THANK YOU SO MUCH", "zzzq", "é"]) {
    const s = median(() => index.search(q));
    row(`text search keystroke "${q}"`, texts.length, s.ms, `${s.result.length} matches`);
  }
}

console.log(`Review modules (Node ${process.version}; shared 2-core machine, figures noisy)`);
console.log("| operation | N | median ms | note |");
console.log("|---|---:|---:|---|");
for (const r of rows) console.log(`| ${r.what} | ${r.n.toLocaleString("en-US")} | ${r.ms} | ${r.note} |`);
