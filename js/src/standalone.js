// Entry of a map saved as one HTML file (`DataMapWidget.save_html`, datamap_widget/_html_export.py):
// no kernel, no widget manager, no network. The file holds a manifest (JSON: the widget's and its
// bqplot models' ipywidgets state, the shown label's history as the kernel's "epochs" answers)
// and the binary buffers (base64, deflated), each in its own non-executed <script> element. This
// decodes them, builds kernel-less models (static_models.js, static_source.js) and renders the
// widget's own view into #dmw-root; what needs the kernel is switched off by the view itself
// (the store reports no kernel). Texts and names only ever reach the page as data.
import { controllerFor } from "./controller.js";
import { createStaticView } from "./static_figure.js";
import { StaticManager } from "./static_models.js";
import { StaticSource } from "./static_source.js";
import { renderView } from "./view.js";

/** @param {string} text base64 */
function base64Bytes(text) {
  const clean = text.replace(/\s+/g, "");
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(clean);
  const binary = atob(clean);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function inflate(bytes) {
  if (typeof DecompressionStream !== "function")
    throw new Error("this browser cannot decompress (no DecompressionStream): open the file in a current browser");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The k-th binary buffer of the file, checked against the length the manifest gives. */
async function readBlob(node, { bytes, compression }, k) {
  if (!node) throw new Error(`the file lacks binary buffer ${k} (truncated?)`);
  const raw = base64Bytes(node.textContent || "");
  const data = compression === "deflate" ? await inflate(raw) : raw;
  if (data.byteLength !== bytes)
    throw new Error(`binary buffer ${k} holds ${data.byteLength} bytes, the manifest says ${bytes} (damaged file?)`);
  return data;
}

async function readFile() {
  const node = document.getElementById("dmw-manifest");
  if (!node) throw new Error("the file has no #dmw-manifest element");
  const manifest = JSON.parse(node.textContent || "");
  const nodes = new Map(
    Array.from(document.querySelectorAll("script[data-dmw-blob]"), (n) => [Number(n.getAttribute("data-dmw-blob")), n]),
  );
  const blobs = await Promise.all(manifest.blobs.map((b, k) => readBlob(nodes.get(k), b, k)));
  return { manifest, blobs };
}

function showError(root, err) {
  const box = document.createElement("pre");
  box.className = "dmw-standalone-error";
  box.textContent = `This saved data map could not be opened: ${err && err.message ? err.message : err}`;
  root.replaceChildren(box);
  console.error(err);
}

async function main() {
  const root = document.getElementById("dmw-root");
  try {
    const { manifest, blobs } = await readFile();
    performance.mark("dmw:decoded"); // benchmarks/bench_html.py: data decoded, before the first paint
    const manager = new StaticManager(manifest.models, blobs, createStaticView);
    const source = new StaticSource(manager.model(manifest.widget), manager);
    const ctrl = controllerFor(source);
    source.deliver(manifest.messages, blobs);
    const el = document.createElement("div");
    root.replaceChildren(el);
    await renderView({ el, ctrl });
  } catch (err) {
    showError(root, err);
  }
}

main();
