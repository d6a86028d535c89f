// @ts-check
// Self-describing arrays from the kernel: {dtype, shape, buffer} (see datamap_widget/widget/_sync.py).
// In a synced trait `buffer` is the bytes (a DataView); in a custom message it is an index into
// the message's buffers.
import { bytesOf, typedAt } from "./buffers.js";

const TYPES = {
  float32: Float32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array,
};

/** {dtype, shape, buffer} -> {data: TypedArray, shape}; throws on an unknown dtype or a size mismatch. */
export function decodeArray(desc, buffers) {
  const Type = TYPES[desc && desc.dtype];
  if (!Type) throw new Error(`datamap-widget: unsupported array dtype ${desc && desc.dtype}`);
  const raw = bytesOf(typeof desc.buffer === "number" ? (buffers || [])[desc.buffer] : desc.buffer);
  const shape = (desc.shape || []).map(Number);
  const length = shape.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== length * Type.BYTES_PER_ELEMENT) {
    throw new Error(`datamap-widget: array of shape [${shape}] ${desc.dtype} has ${raw.byteLength} bytes`);
  }
  return { data: typedAt(Type, raw, 0, length), shape };
}

/** Rows of an (E, N) array as E typed arrays of length N (views, no copy when aligned). */
export function rowsOf(desc, buffers) {
  const { data, shape } = decodeArray(desc, buffers);
  const [rows, n] = shape.length === 2 ? shape : [1, shape[0] || 0];
  const out = [];
  for (let r = 0; r < rows; r++) out.push(data.subarray(r * n, (r + 1) * n));
  return out;
}
