// @ts-check
// Window math of the virtualised selection list: only the rows in view (plus a margin) exist
// in the DOM, so 10,000 selected rows scroll as fluidly as 10. Also the list's stable sort.
// Pure functions: the view turns their answers into DOM nodes.

/**
 * Rows to render for a scroll offset: {start, end (exclusive), offsetTop (px of row `start`),
 * totalHeight (px of the whole list, for the spacer)}. Fixed row height; `overscan` extra rows
 * each side keep fast scrolling from showing blanks.
 */
export function visibleRows({ scrollTop, viewportHeight, rowHeight, rowCount, overscan = 5 }) {
  const total = Math.max(0, rowCount | 0);
  const height = rowHeight > 0 ? rowHeight : 1;
  const totalHeight = total * height;
  const top = Math.min(Math.max(0, Number(scrollTop) || 0), Math.max(0, totalHeight - Math.max(0, viewportHeight)));
  const first = Math.floor(top / height);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / height);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, last + overscan);
  return { start, end: Math.max(start, end), offsetTop: start * height, totalHeight };
}

/** scrollTop that brings `row` fully into view, moving as little as possible. */
export function scrollTopToShow(row, { scrollTop, viewportHeight, rowHeight }) {
  const rowTop = row * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** The list row at a vertical pixel offset inside the list (null beyond the last row). */
export function rowAtOffset(offsetY, { rowHeight, rowCount }) {
  const row = Math.floor(offsetY / rowHeight);
  return row >= 0 && row < rowCount ? row : null;
}

const INDEX_SPAN = 2 ** 21; // positions packed below the key: exact up to 2,097,152 rows
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Order-preserving uint32 of a number at float32 precision (NaN: largest; -0 = +0). */
function sortableBits(value) {
  f32[0] = value === 0 ? 0 : value;
  const bits = u32[0];
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/**
 * Permutation (Uint32Array) of 0..m-1 ordering `keys` ascending (or descending), stable (equal
 * keys keep their order) and with NaN last either way. Keys are compared at float32 precision,
 * the precision the page holds its values in. Each key and its place are packed into one
 * float64 and sorted natively (no comparator calls): ~10x faster than a comparator sort.
 */
export function stableOrder(keys, { descending = false } = {}) {
  const m = keys.length;
  if (m > INDEX_SPAN) return comparatorOrder(keys, descending);
  const packed = new Float64Array(m);
  const top = sortableBits(Infinity);
  for (let j = 0; j < m; j++) {
    const v = keys[j];
    let u;
    if (Number.isNaN(v)) u = 0xffffffff;
    else u = descending ? top - sortableBits(v) : sortableBits(v);
    packed[j] = u * INDEX_SPAN + j;
  }
  packed.sort();
  const perm = new Uint32Array(m);
  for (let j = 0; j < m; j++) perm[j] = packed[j] % INDEX_SPAN;
  return perm;
}

function comparatorOrder(keys, descending) {
  const sign = descending ? -1 : 1;
  const perm = Uint32Array.from({ length: keys.length }, (_, j) => j);
  return perm.sort((a, b) => {
    const ka = Math.fround(keys[a]);
    const kb = Math.fround(keys[b]);
    const naA = Number.isNaN(ka);
    const naB = Number.isNaN(kb);
    if (naA || naB) return naA && naB ? a - b : naA ? 1 : -1;
    return ka === kb ? a - b : ka < kb ? -sign : sign;
  });
}

/**
 * `indexes` (example positions) sorted by `key` (typed array or array indexed by position,
 * or a function position -> number). Stable: equal keys keep their input order, in both
 * directions. NaN keys go last in both directions. Returns a new Int32Array.
 */
export function sortIndexes(indexes, key, { descending = false } = {}) {
  const n = indexes.length;
  const keys = new Float64Array(n);
  const get = typeof key === "function" ? key : (i) => key[i];
  for (let j = 0; j < n; j++) keys[j] = get(indexes[j]);
  const perm = stableOrder(keys, { descending });
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) out[j] = indexes[perm[j]];
  return out;
}

/** Rank of each class when sorted by name, so a list sorts by gold label name via its index. */
export function nameRanks(names) {
  const order = names
    .map((name, i) => [String(name), i])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const ranks = new Int32Array(names.length);
  order.forEach(([, i], rank) => {
    ranks[i] = rank;
  });
  return ranks;
}
