// Views over the binary traits the kernel sends (they arrive as DataView / ArrayBuffer).

/** Any binary trait value -> Uint8Array over the same memory (empty if missing). */
export function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

/** A typed array of `length` items at `byteOffset` in `u8`; copies only when misaligned. */
export function typedAt(Type, u8, byteOffset, length) {
  const start = u8.byteOffset + byteOffset;
  if (start % Type.BYTES_PER_ELEMENT === 0) return new Type(u8.buffer, start, length);
  const copy = u8.slice(byteOffset, byteOffset + length * Type.BYTES_PER_ELEMENT);
  return new Type(copy.buffer, 0, length);
}
