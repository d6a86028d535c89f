// Node tests of js/src/text_search.js on buffers packed like widget/_run.py's pack_texts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { TextIndex, textIndexFromBuffers } from "../src/text_search.js";

/** UTF-8 bytes of all texts + uint32 byte offsets (N + 1), the widget's `_texts` layout. */
export function pack(texts) {
  const encoder = new TextEncoder();
  const parts = texts.map((t) => encoder.encode(t));
  const offsets = new Uint32Array(texts.length + 1);
  parts.forEach((p, i) => {
    offsets[i + 1] = offsets[i] + p.length;
  });
  const bytes = new Uint8Array(offsets[texts.length]);
  for (const [i, p] of parts.entries()) bytes.set(p, offsets[i]);
  return { bytes, offsets };
}

function indexOf(texts) {
  const { bytes, offsets } = pack(texts);
  return new TextIndex(bytes, offsets);
}

const search = (index, q, opts) => Array.from(index.search(q, opts));

test("case-insensitive substring, one hit per text, ascending", () => {
  const index = indexOf(["Hello world", "say HELLO hello", "help", "", "Othello"]);
  assert.equal(index.n, 5);
  assert.deepEqual(search(index, "hello"), [0, 1, 4]);
  assert.deepEqual(search(index, "HeLLo"), [0, 1, 4]);
  assert.deepEqual(search(index, "hel"), [0, 1, 2, 4]);
  assert.deepEqual(search(index, "o w"), [0]);
  assert.deepEqual(search(index, "absent"), []);
  assert.deepEqual(search(index, "hel", { limit: 2 }), [0, 1]);
});

test("empty queries match nothing; queries are text, never patterns", () => {
  const index = indexOf(["a.b", "axb", "(x)*", "<b>bold</b>"]);
  assert.deepEqual(search(index, ""), []);
  assert.deepEqual(search(index, null), []);
  assert.deepEqual(search(index, "\u0000"), []);
  assert.deepEqual(search(index, "."), [0]);
  assert.deepEqual(search(index, "(x)*"), [2]);
  assert.deepEqual(search(index, "<B>"), [3]);
});

test("matches never span two texts, even across a NUL inside a text", () => {
  const index = indexOf(["xa", "by", "c\u0000d", "cd"]);
  assert.deepEqual(search(index, "ab"), []);
  assert.deepEqual(search(index, "a"), [0]);
  assert.deepEqual(search(index, "cd"), [3]);
  assert.deepEqual(search(index, "c\u0000d"), [3]); // NUL dropped from the query
});

test("non-ASCII texts: accents, German, Greek, CJK, emoji", () => {
  const texts = ["Café crème", "STRASSE Äpfel", "ΑΘΗΝΑ", "東京タワー", "so happy 😀!", "İstanbul"];
  const index = indexOf(texts);
  assert.deepEqual(search(index, "CAFÉ"), [0]);
  assert.deepEqual(search(index, "äpfel"), [1]);
  assert.deepEqual(search(index, "αθηνα"), [2]);
  assert.deepEqual(search(index, "タワ"), [3]);
  assert.deepEqual(search(index, "😀"), [4]);
  assert.deepEqual(search(index, "stanbul"), [5]); // lower-casing "İ" changes the length
  assert.deepEqual(search(index, "é c"), [0]);
});

test("agrees with a brute-force search on random texts", () => {
  let s = 7;
  const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const alphabet = "abAB cé😀Ü.\n";
  const chars = Array.from(alphabet);
  const texts = Array.from({ length: 3000 }, () =>
    Array.from({ length: Math.floor(r() * 30) }, () => chars[Math.floor(r() * chars.length)]).join(""),
  );
  const index = indexOf(texts);
  for (const q of ["a", "ab", "b a", "é", "😀ü", "AB", "cc", ".\n", "aaa"]) {
    const expected = texts.flatMap((t, i) => (t.toLowerCase().includes(q.toLowerCase()) ? [i] : []));
    assert.deepEqual(search(index, q), expected, q);
  }
});

test("builds from synced trait values (DataView, unaligned offsets)", () => {
  const { bytes, offsets } = pack(["one", "Two", "three"]);
  const shifted = new Uint8Array(offsets.byteLength + 1);
  shifted.set(new Uint8Array(offsets.buffer), 1);
  const view = new DataView(shifted.buffer, 1, offsets.byteLength);
  const index = textIndexFromBuffers(new DataView(bytes.buffer), view);
  assert.deepEqual(Array.from(index.search("t")), [1, 2]);
  assert.equal(textIndexFromBuffers(null, null).n, 0);
});
