// @ts-check
// The wire format between the kernel and the page, in one place: the widget model's trait names,
// how each trait value decodes, and the custom messages both ways (datamap_widget/widget.py and
// _sync.py are the other side). Pure: every reader takes a `source`, anything with the anywidget
// model's `get(name)` (the model itself, or a kernel-less object serving the same values), and
// returns typed arrays and plain values. store.js is the only module that calls these readers.
import { bytesOf, typedAt } from "./buffers.js";
import { decodeArray } from "./codecs.js";
import { decodeSelection, encodeSelection } from "./selection_sync.js";

/** Trait names by the store field that reads them. */
export const TRAITS = Object.freeze({
  parts: "_parts",
  renderer: "renderer",
  n: "n_examples",
  loggedEpochs: "n_epochs",
  label: "label",
  meta: "_meta",
  epoch: "_epoch",
  gold: "_gold",
  goldSets: "_gold_sets",
  texts: "_texts",
  textOffsets: "_text_offsets",
  ids: "_ids",
  idOffsets: "_id_offsets",
  images: "_images",
  imageShape: "_image_shape",
  selectedIndex: "_selected_index",
  reviews: "_reviews",
  selection: "_selection",
});

/** @typedef {{ get(name: string): any }} Source */
/** @typedef {{ bytes: Uint8Array, offsets: Uint32Array }} Packed */

/** @param {Source} source @returns {Record<string, string>} child widget model ids by role */
export function readParts(source) {
  const refs = source.get(TRAITS.parts) || {};
  return Object.fromEntries(Object.entries(refs).map(([role, ref]) => [role, String(ref).replace(/^IPY_MODEL_/, "")]));
}

/** @param {Source} source @returns {string} the map figure's id: one page state per widget */
export function partsKey(source) {
  const parts = source.get(TRAITS.parts) || {};
  return String(parts.map || "");
}

/** @param {Source} source @returns {"gl" | "svg"} */
export function readRenderer(source) {
  return source.get(TRAITS.renderer) === "gl" ? "gl" : "svg";
}

/** @param {Source} source @returns {number} */
export function readCount(source) {
  return source.get(TRAITS.n) | 0;
}

/** @param {Source} source @returns {number} epochs the kernel has logged */
export function readLoggedEpochs(source) {
  return source.get(TRAITS.loggedEpochs) | 0;
}

/** @param {Source} source @returns {string} the label the user asked to see (multilabel) */
export function readWantedLabel(source) {
  return source.get(TRAITS.label);
}

/** @param {Source} source @returns {Record<string, any>} task, class / label names, thresholds, shown_label */
export function readMeta(source) {
  return source.get(TRAITS.meta) || {};
}

/** @param {Source} source @returns {string} the label whose map the kernel sends ("" unless multilabel) */
export function readShownLabel(source) {
  return String(readMeta(source).shown_label ?? "");
}

/**
 * The newest epoch trait: {epoch: number (0: none), label, payload} where `payload` holds the
 * (1, N) arrays p_gold / pred / correct (and maybe score) that history.js stores.
 * @param {Source} source
 */
export function readEpoch(source) {
  const payload = source.get(TRAITS.epoch) || {};
  return { epoch: Number(payload.epoch) || 0, label: String(payload.label ?? ""), payload };
}

/**
 * The label-issue score carried by an epoch payload: undefined if the epoch carries none, null if
 * it does not have n values, else one float32 per example. Throws on a malformed array.
 * @param {Record<string, any>} payload @param {number} n
 * @returns {Float32Array | null | undefined}
 */
export function readScores(payload, n) {
  if (!payload || !payload.score) return undefined;
  const { data } = decodeArray(payload.score);
  return data.length === n ? /** @type {Float32Array} */ (data) : null;
}

/** @param {Source} source @param {number} n @returns {Uint16Array} gold class per example (shown label) */
export function readGold(source, n) {
  const raw = bytesOf(source.get(TRAITS.gold));
  return typedAt(Uint16Array, raw, 0, Math.min(n, raw.byteLength >> 1));
}

/** @param {Source} source @returns {Uint8Array} multilabel gold sets, N x L bytes (0/1) */
export function readGoldSets(source) {
  return bytesOf(source.get(TRAITS.goldSets));
}

/** The two traits of each kind of packed strings: [bytes, offsets]. */
export const PACKED = Object.freeze({ texts: [TRAITS.texts, TRAITS.textOffsets], ids: [TRAITS.ids, TRAITS.idOffsets] });

/**
 * Packed strings (UTF-8 bytes + uint32 offsets, N + 1 of them): "texts" or "ids".
 * @param {Source} source @param {"texts" | "ids"} kind @returns {Packed}
 */
export function readPacked(source, kind) {
  const [bytesTrait, offsetsTrait] = PACKED[kind];
  const raw = bytesOf(source.get(offsetsTrait));
  return { bytes: bytesOf(source.get(bytesTrait)), offsets: typedAt(Uint32Array, raw, 0, raw.byteLength >> 2) };
}

const decoder = new TextDecoder("utf-8");

/**
 * The i-th string of a packed pair, or null if there is none. `maxBytes` decodes only the start
 * (4 bytes per character at most).
 * @param {Packed} packed @param {number} i @param {number} [maxBytes]
 * @returns {string | null}
 */
export function stringAt({ bytes, offsets }, i, maxBytes = Number.POSITIVE_INFINITY) {
  if (offsets.length < i + 2) return null;
  const end = Math.min(offsets[i + 1], offsets[i] + maxBytes);
  return decoder.decode(bytes.subarray(offsets[i], end));
}

/**
 * Grey-level images: {height, width, pixels (N x h x w bytes)}, or null when the examples are not images.
 * @param {Source} source @returns {{ height: number, width: number, pixels: Uint8Array } | null}
 */
export function readImages(source) {
  const shape = source.get(TRAITS.imageShape) || [];
  if (shape.length !== 2) return null;
  return { height: shape[0], width: shape[1], pixels: bytesOf(source.get(TRAITS.images)) };
}

/** @param {Source} source @param {number} n @returns {number | null} the current point */
export function readSelectedIndex(source, n) {
  const sel = source.get(TRAITS.selectedIndex) || [];
  return sel.length && sel[0] >= 0 && sel[0] < n ? sel[0] : null;
}

/** @param {number | null} i @returns {number[]} the `_selected_index` value */
export function selectedIndexValue(i) {
  return i === null ? [] : [i];
}

/**
 * The multi-point selection: ascending unique positions < n. Throws on a malformed value.
 * @param {Source} source @param {number} n @returns {Int32Array}
 */
export function readSelection(source, n) {
  return decodeSelection(source.get(TRAITS.selection), n);
}

/** @param {ArrayLike<number>} indexes ascending positions @returns the `_selection` value */
export function selectionValue(indexes) {
  return encodeSelection(indexes);
}

/**
 * The kernel's canonical decisions: the `_reviews` trait holds them as JSON text
 * (ReviewLog.messages_json), which crosses the comm as one string however many there are.
 * @param {unknown} value
 * @returns {any[]}
 */
export function parseReviews(value) {
  if (Array.isArray(value)) return value;
  if (typeof value !== "string" || value === "") return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** @param {Source} source @returns {any[]} every decision the kernel holds (ReviewLog.to_messages()) */
export function readReviews(source) {
  return parseReviews(source.get(TRAITS.reviews));
}

/**
 * A custom message from the kernel, classified: {type: "epochs", label, first, payload, buffers}
 * (an answer to requestEpochs), {type: "decision_errors", errors: [[id, reason], ...]}, or null.
 * @param {any} content @param {any[]} [buffers]
 */
export function readMessage(content, buffers) {
  if (!content) return null;
  if (content.type === "decision_errors") return { type: "decision_errors", errors: content.errors || [] };
  if (content.type !== "epochs") return null;
  return { type: "epochs", label: String(content.label), first: Number(content.first), payload: content, buffers };
}

/** Ask for epochs first..stop-1 (1-based) of `label`. @param {string} label @param {number} first @param {number} stop */
export function requestEpochsMessage(label, first, stop) {
  return { type: "request_epochs", label, first, stop };
}

/** Decisions for the kernel's ReviewLog (review_queue.js decisionMessage). @param {any[]} decisions */
export function decisionsMessage(decisions) {
  return { type: "decisions", decisions };
}
