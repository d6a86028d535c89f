// @ts-check
// Case-insensitive substring search over the texts the widget already holds.
//
// Layout (widget.py `_pack_texts`, decoded by wire.js): one UTF-8 buffer of all texts plus
// uint32 byte offsets (N + 1); text i is bytes[offsets[i] .. offsets[i+1]). The index decodes
// and lower-cases every text once, joined by "\0" into one string, so each keystroke is a few
// native indexOf scans over that string (no per-text loop, no regular expressions: the query
// is data, never a pattern). Case folding is String.prototype.toLowerCase (locale independent;
// no full Unicode folding such as "ß" = "ss").

const SEPARATOR = "\u0000";

function upperBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TextIndex {
  /** bytes: Uint8Array of all texts; offsets: Uint32Array of N + 1 byte offsets. */
  constructor(bytes, offsets) {
    this.n = Math.max(0, offsets.length - 1);
    const decoder = new TextDecoder("utf-8");
    const parts = new Array(this.n);
    const starts = new Int32Array(this.n + 1);
    let at = 0;
    for (let i = 0; i < this.n; i++) {
      // "\0" is the separator: a text's own NUL characters become spaces so no match spans texts
      const text = decoder
        .decode(bytes.subarray(offsets[i], offsets[i + 1]))
        .toLowerCase()
        .replaceAll(SEPARATOR, " ");
      parts[i] = text;
      starts[i] = at;
      at += text.length + 1;
    }
    starts[this.n] = at;
    this.haystack = parts.join(SEPARATOR);
    this.starts = starts;
  }

  /**
   * Positions (ascending Int32Array) of the texts that contain `query`, ignoring case. An empty
   * query (after dropping NUL characters) matches nothing: the caller shows no search then.
   * `limit` stops after that many matches.
   */
  search(query, { limit = Infinity } = {}) {
    const needle = String(query ?? "")
      .toLowerCase()
      .replaceAll(SEPARATOR, "");
    if (!needle.length || this.n === 0) return new Int32Array(0);
    const hits = [];
    const { haystack, starts } = this;
    let from = 0;
    while (hits.length < limit) {
      const at = haystack.indexOf(needle, from);
      if (at === -1) break;
      const i = upperBound(starts, at) - 1;
      hits.push(i);
      from = starts[i + 1]; // one hit per text: continue with the next text
    }
    return Int32Array.from(hits);
  }
}

/** Build the index from raw bytes (DataView / ArrayBuffer / typed arrays / Node Buffers): tests, benchmarks. */
export function textIndexFromBuffers(textBytes, offsetBytes) {
  const asBytes = (v) =>
    v instanceof Uint8Array
      ? v
      : ArrayBuffer.isView(v)
        ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
        : new Uint8Array(v || 0);
  const raw = asBytes(offsetBytes);
  const aligned = raw.byteOffset % 4 === 0 ? raw : raw.slice();
  const offsets = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
  return new TextIndex(asBytes(textBytes), offsets);
}
