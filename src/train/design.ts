// The dense designs a fit needs, cut from the dataset without holding the big matrix twice:
// the training rows are packed in place at the front of the dataset's own array. Pure.
import type { Design } from '../learn/dataset.js';

interface Source {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly p: number;
  readonly featureNames: readonly string[];
  readonly rowEpisode: Int32Array;
}

/** The rows among `rows` with a value (not NaN) in every one of `columns`, in the given order. */
export function completeRows(ds: Source, rows: ArrayLike<number>, columns: readonly number[]): Int32Array {
  const out = new Int32Array(rows.length);
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const base = (rows[i] as number) * ds.p;
    let complete = true;
    for (const j of columns) {
      if (Number.isNaN(ds.X[base + j])) {
        complete = false;
        break;
      }
    }
    if (complete) out[k++] = rows[i] as number;
  }
  return out.slice(0, k);
}

/**
 * A dense design of `rows` (ascending, no NaN in `columns`) × `columns`, written over the front
 * of ds.X: row i lands at i·q ≤ rows[i]·p, at or before where it is read from, so nothing is
 * overwritten before it is copied. ds.X is garbage afterwards: take everything else first.
 * At 1M × 40 this saves a 320 MB copy (takeRows would allocate a second matrix).
 */
export function packRowsInPlace(ds: Source, rows: Int32Array, columns: readonly number[]): Design {
  const p = ds.p;
  const q = columns.length;
  const X = ds.X;
  if (columns.some((c, k) => k > 0 && c <= (columns[k - 1] as number))) throw new RangeError('packRowsInPlace: columns must be strictly ascending');
  const y = new Float64Array(rows.length);
  const rowEpisode = new Int32Array(rows.length);
  let previous = -1;
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] as number;
    if (src <= previous) throw new RangeError('packRowsInPlace: rows must be strictly ascending');
    previous = src;
    const from = src * p;
    const to = i * q;
    // Columns ascend too, so within a row every write lands at or before its own read.
    for (let k = 0; k < q; k++) X[to + k] = X[from + (columns[k] as number)] as number;
    y[i] = ds.y[src] as number;
    rowEpisode[i] = ds.rowEpisode[src] as number;
  }
  const featureNames = columns.map((j) => ds.featureNames[j] as string);
  return { featureNames, X: X.subarray(0, rows.length * q), y, n: rows.length, p: q, rowEpisode };
}
