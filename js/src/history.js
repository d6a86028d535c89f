// @ts-check
// The page's copy of the training history of the shown label, kept per widget model (shared by all
// views). Epochs arrive one by one (the `_epoch` trait: the newest epoch) or in bulk (answers to
// our "request_epochs" message, after a reload or a late display). Epochs are numbered from 1;
// `complete` is how many leading epochs are all present, i.e. how far the map can be computed.
import { rowsOf } from "./codecs.js";
import { readGold, readMeta } from "./wire.js";

export class EpochStore {
  constructor(label, n) {
    this.label = label;
    this.n = n;
    this.rows = []; // rows[e - 1] = {pGold: Float32Array, pred: Uint8Array|Uint16Array, correct: Uint8Array}
    this.complete = 0;
    this.newest = 0; // highest epoch number known to exist (from the kernel)
  }

  /** Store epochs first, first+1, ... from (E, N) array descriptors; returns how many were new. */
  put(first, payload, buffers) {
    const p = rowsOf(payload.p_gold, buffers);
    const pred = rowsOf(payload.pred, buffers);
    const correct = rowsOf(payload.correct, buffers);
    let added = 0;
    for (let r = 0; r < p.length; r++) {
      const at = first - 1 + r;
      if (p[r].length !== this.n)
        throw new Error(`datamap-widget: epoch ${at + 1} has ${p[r].length} values for ${this.n} examples`);
      if (!this.rows[at]) added += 1;
      this.rows[at] = { pGold: p[r], pred: pred[r], correct: correct[r] };
    }
    this.newest = Math.max(this.newest, first - 1 + p.length);
    while (this.complete < this.rows.length && this.rows[this.complete]) this.complete += 1;
    return added;
  }

  /** The first run of missing epochs up to `newest`, as epoch numbers [first, stop), or null. */
  missing() {
    if (this.complete >= this.newest) return null;
    const first = this.complete + 1;
    let stop = first;
    while (stop <= this.newest && !this.rows[stop - 1]) stop += 1;
    return [first, stop];
  }
}

/**
 * Label-dependent state as the map code reads it: {n, nEpochs, rows, gold, meta}, where nEpochs is
 * the number of complete leading epochs; gold and meta as `source` (see wire.js) holds them now.
 * @param {EpochStore} epochs @param {import("./wire.js").Source} source
 */
export function historyView(epochs, source) {
  return {
    n: epochs.n,
    nEpochs: epochs.complete,
    rows: epochs.rows,
    gold: readGold(source, epochs.n),
    meta: readMeta(source),
  };
}
