// @ts-check
// The multi-point selection as a synced trait value: a self-describing int32 array
// ({dtype: "int32", shape: [k], buffer}), 4 bytes per selected point, sent as a binary frame
// (see datamap_widget/_sync.py). Positions ascending; shared by every view and by Python.
import { decodeArray } from "./codecs.js";
import { positionsIn } from "./selection.js";

/** Ascending Int32Array of positions -> trait value. */
export function encodeSelection(indexes) {
  const data = Int32Array.from(indexes);
  return { dtype: "int32", shape: [data.length], buffer: new DataView(data.buffer) };
}

/**
 * Trait value -> ascending, unique Int32Array of positions < n (empty for a missing value).
 * Throws on a malformed value (wrong dtype or size), so a bad value never selects garbage.
 */
export function decodeSelection(value, n) {
  if (!value || !value.dtype) return new Int32Array(0);
  if (value.dtype !== "int32") throw new Error(`datamap-widget: the selection must be int32, not ${value.dtype}`);
  const { data } = decodeArray(value);
  return positionsIn(data, n);
}
