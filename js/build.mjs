// Build the widget's ESM bundle: `npm run build` (or `node build.mjs [outfile]`).
// Deterministic output: the committed bundle must equal a fresh build (tests/test_widget_build.py).

import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.join(here, "..", "datamap_widget", "static", "widget.js");

await esbuild.build({
  entryPoints: [path.join(here, "src", "index.js")],
  bundle: true,
  format: "esm",
  target: "es2020",
  legalComments: "none",
  minify: false,
  absWorkingDir: here,
  outfile,
  logLevel: "warning",
});
