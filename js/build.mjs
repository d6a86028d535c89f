// Build the page's bundles: `npm run build` (or `node build.mjs [outdir]`).
// - widget.js: the anywidget ESM module (entry src/index.js);
// - standalone.js: the page of a map saved as one HTML file (entry src/standalone.js, a classic
//   script inlined by datamap_widget/_html_export.py: no module loading, no network).
// Deterministic output: the committed bundles must equal a fresh build (tests/test_widget_build.py).

import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(here, "..", "datamap_widget", "static");

const BUNDLES = [
  { entry: "index.js", outfile: "widget.js", format: "esm" },
  { entry: "standalone.js", outfile: "standalone.js", format: "iife" },
];

for (const { entry, outfile, format } of BUNDLES) {
  await esbuild.build({
    entryPoints: [path.join(here, "src", entry)],
    bundle: true,
    format,
    target: "es2020",
    legalComments: "none",
    minify: false,
    absWorkingDir: here,
    outfile: path.join(outdir, outfile),
    logLevel: "warning",
  });
}
