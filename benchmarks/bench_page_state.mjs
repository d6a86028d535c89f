// CPU cost of the page state behind the views, in Node (V8, Chromium's engine), no DOM or drawing:
// per logged epoch (the store decodes it, playback computes the map and drives the marks) and per
// click (selection + current point, to the kernel and back). Optionally against another
// checkout's js/src (e.g. before a refactor), each run in its own process, alternating:
//   node benchmarks/bench_page_state.mjs [--n 60000] [--rounds 4] [--base OTHER/js/src]
// The widget model and bqplot models are the Node tests' fakes (js/test/fake_model.js). Costs are
// the process's CPU time (process.cpuUsage, user + system), so other jobs on the machine inflate
// them less than wall-clock time.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "60000" },
    rounds: { type: "string", default: "4" },
    base: { type: "string" },
    child: { type: "string" },
  },
});
const N = Number(args.n);
const EPOCHS = 40;
const WARM_UP = 10; // epochs (with their clicks) not counted: V8 compiles the page's code meanwhile
const CLICKS = 200;
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function measure(src) {
  const url = (p) => pathToFileURL(p).href;
  const { FakeModel, epochTrait } = await import(url(path.join(root, "js", "test", "fake_model.js")));
  const { controllerFor } = await import(url(path.join(src, "controller.js")));
  const row = (e) => {
    const pGold = new Float32Array(N);
    for (let i = 0; i < N; i++) pGold[i] = ((i * 7919 + e * 104729) % 1000) / 1000;
    return { pGold, pred: new Uint8Array(N), correct: pGold.map((p) => (p > 0.5 ? 1 : 0)), score: pGold };
  };
  const model = new FakeModel({
    n_examples: N,
    n_epochs: 1,
    renderer: "gl",
    label: "",
    _meta: { task: "binary", class_names: ["a", "b"], shown_label: "" },
    _gold: new DataView(new Uint16Array(N).buffer),
    _selected_index: [],
    _selection: {},
    _reviews: [],
    _epoch: epochTrait(1, row(1)),
  });
  // the fake bqplot models only keep their attributes: recording every set would be the fake's cost
  const keep = function (name, value) {
    Object.assign(this.attrs, typeof name === "string" ? { [name]: value } : name);
  };
  for (const part of Object.values(model.parts)) part.set = keep;
  const ctrl = controllerFor(model);
  await ctrl.ready;
  // a mounted view re-reads the review order on every update, as the review panel does
  const order = () => (ctrl.review ? ctrl.review.order() : ctrl.reviewOrder());
  ctrl.views.add({ beginTransition() {}, animating: () => false, update: order });
  const epochMs = [];
  const clickMs = [];
  for (let e = 2; e <= EPOCHS; e++) {
    const value = epochTrait(e, row(e));
    const t0 = cpuMs();
    model.update({ n_epochs: e, _epoch: value });
    for (let k = 0; k < 2; k++) await new Promise((resolve) => setTimeout(resolve, 0)); // the scheduled show
    if (e > WARM_UP) epochMs.push(cpuMs() - t0);
    const t1 = cpuMs();
    for (let k = 0; k < CLICKS; k++) {
      ctrl.setSelection([k * 13]);
      ctrl.select(k * 13);
    }
    if (e > WARM_UP) clickMs.push((cpuMs() - t1) / CLICKS);
  }
  ctrl.dispose();
  return { epoch: median(epochMs), click: median(clickMs) };
}

if (args.child) {
  console.log(JSON.stringify(await measure(args.child)));
} else {
  const variants = { current: path.join(root, "js", "src") };
  if (args.base) variants.base = path.resolve(args.base);
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < Number(args.rounds); r++)
    for (const [name, src] of Object.entries(variants)) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--n", args.n, "--child", src]);
      results[name].push(JSON.parse(String(out)));
    }
  console.log(`page state at N = ${N.toLocaleString("en")}, CPU ms, medians over ${args.rounds} processes`);
  console.log("| variant | per epoch | per click |");
  console.log("|---|---|---|");
  const rows = {};
  for (const [name, runs] of Object.entries(results)) {
    rows[name] = { epoch: median(runs.map((r) => r.epoch)), click: median(runs.map((r) => r.click)) };
    console.log(`| ${name} | ${rows[name].epoch.toFixed(2)} | ${rows[name].click.toFixed(3)} |`);
  }
  if (rows.base) {
    const ratio = (k) => (rows.current[k] / rows.base[k]).toFixed(2);
    console.log(`| current / base | ${ratio("epoch")} | ${ratio("click")} |`);
  }
}
