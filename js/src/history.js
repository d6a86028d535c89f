// Decode the packed per-epoch history (layout documented in datamap_widget/_sync.py).
import { bytesOf, typedAt } from "./buffers.js";

/**
 * Read everything label-dependent from the model in one go.
 * Returns {nEpochs, n, pGold: Float32Array(E*N), pred: Uint8Array|Uint16Array(E*N),
 *          correct: Uint8Array(E*N), gold: Uint16Array(N), meta}.
 */
export function readHistory(model) {
  const meta = model.get("_meta") || {};
  const n = model.get("n_examples") | 0;
  const raw = bytesOf(model.get("_history"));
  const predBytes = meta.pred_bytes === 2 ? 2 : 1;
  const cellBytes = 4 + predBytes + 1;
  let nEpochs = model.get("n_epochs") | 0;
  if (n === 0 || raw.byteLength !== nEpochs * n * cellBytes) {
    // Inconsistent or empty: show nothing rather than garbage.
    nEpochs = n > 0 ? Math.floor(raw.byteLength / (n * cellBytes)) : 0;
  }
  const cells = nEpochs * n;
  const pGold = typedAt(Float32Array, raw, 0, cells);
  const pred = typedAt(predBytes === 2 ? Uint16Array : Uint8Array, raw, 4 * cells, cells);
  const correct = typedAt(Uint8Array, raw, (4 + predBytes) * cells, cells);
  const goldRaw = bytesOf(model.get("_gold"));
  const gold = typedAt(Uint16Array, goldRaw, 0, Math.min(n, goldRaw.byteLength >> 1));
  return { nEpochs, n, pGold, pred, correct, gold, meta };
}
