// Feature selection on the training rows (too often missing, constant) and row extraction.
// Pure; decides from training rows only, so the test period never influences the model.

import { parseFeatureName } from './features.js';

/** A dense design: n × p row-major X without NaN, its labels and each row's episode. */
export interface Design {
  readonly featureNames: string[];
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly rowEpisode: Int32Array;
}

export interface SelectionOptions {
  /** Drop a feature missing in more than this fraction of the rows (default 0.1). */
  readonly maxMissingFraction?: number;
  /** A feature is constant when its std ≤ tol·(1 + |mean|) (default 1e-12). */
  readonly constantTolerance?: number;
}

export interface FeatureSelection {
  /** Kept column indices into the dataset's features, ascending. */
  readonly columns: number[];
  readonly featureNames: string[];
  /** The given rows that have no missing value in the kept columns. */
  readonly rows: Int32Array;
  /** Given rows dropped because a kept feature was missing. */
  readonly droppedRows: number;
  readonly notes: string[];
}

type Source = { readonly X: Float64Array; readonly y: Float64Array; readonly p: number; readonly featureNames: readonly string[]; readonly rowEpisode: Int32Array };

interface ColumnSummary {
  missingFraction: number;
  mean: number;
  std: number;
}

/** Missing fraction, then mean and population std of the present values (two passes). */
function summarize(X: Float64Array, p: number, rows: ArrayLike<number>, j: number): ColumnSummary {
  let present = 0;
  let sum = 0;
  for (let r = 0; r < rows.length; r++) {
    const v = X[(rows[r] as number) * p + j] as number;
    if (!Number.isNaN(v)) {
      present++;
      sum += v;
    }
  }
  const mean = present > 0 ? sum / present : NaN;
  let ss = 0;
  for (let r = 0; r < rows.length; r++) {
    const v = X[(rows[r] as number) * p + j] as number;
    if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  }
  const missingFraction = rows.length > 0 ? (rows.length - present) / rows.length : 1;
  return { missingFraction, mean, std: present > 0 ? Math.sqrt(ss / present) : NaN };
}

/** 518.67 rather than 518.6700000000001. */
function short(v: number): string {
  return String(Number(v.toPrecision(6)));
}

interface Drop {
  kind: 'missing' | 'constant';
  text: string;
}

/**
 * "s7_* dropped: …" when every candidate feature of a sensor was dropped for the same kind
 * of reason, else one note per feature. A constant group shows the value of the sensor's
 * mean (or its first feature): "s1_* dropped: constant (518.67)".
 */
function dropNotes(featureNames: readonly string[], drops: ReadonlyMap<number, Drop>): string[] {
  const bySensor = new Map<string, number[]>();
  featureNames.forEach((name, j) => {
    const sensor = parseFeatureName(name)?.sensor ?? name;
    bySensor.set(sensor, [...(bySensor.get(sensor) ?? []), j]);
  });
  const notes: string[] = [];
  for (const [sensor, columns] of bySensor) {
    const first = drops.get(columns[0] as number);
    if (columns.length > 1 && first !== undefined && columns.every((j) => drops.get(j)?.kind === first.kind)) {
      const meanColumn = columns.find((j) => featureNames[j] === `${sensor}_mean`);
      const shown = meanColumn === undefined ? first : (drops.get(meanColumn) as Drop);
      notes.push(`${sensor}_* dropped: ${shown.text}`);
      continue;
    }
    for (const j of columns) {
      const drop = drops.get(j);
      if (drop !== undefined) notes.push(`${featureNames[j]} dropped: ${drop.text}`);
    }
  }
  return notes;
}

/** Why a column is dropped, or undefined to keep it. */
function dropReason(s: ColumnSummary, maxMissing: number, tol: number): Drop | undefined {
  if (s.missingFraction > maxMissing) {
    return { kind: 'missing', text: `missing in ${Math.round(s.missingFraction * 100)}% of samples` };
  }
  // A constant column carries no information and has no standard deviation to standardize by.
  if (!(s.std > tol * (1 + Math.abs(s.mean)))) return { kind: 'constant', text: `constant (${short(s.mean)})` };
  return undefined;
}

/**
 * Chooses the features to train on from `rows` (the training rows): drops features missing
 * in more than 10% of them, then constant ones, then the rows still missing a kept feature.
 * Notes read "s7_slope dropped: missing in 43% of samples" or, for a whole sensor,
 * "s1_* dropped: constant (518.67)".
 */
export function selectFeatures(ds: Source, rows: ArrayLike<number>, options: SelectionOptions = {}): FeatureSelection {
  const maxMissing = options.maxMissingFraction ?? 0.1;
  const tol = options.constantTolerance ?? 1e-12;
  const drops = new Map<number, Drop>();
  const columns: number[] = [];
  for (let j = 0; j < ds.p; j++) {
    const reason = dropReason(summarize(ds.X, ds.p, rows, j), maxMissing, tol);
    if (reason === undefined) columns.push(j);
    else drops.set(j, reason);
  }
  const kept = completeRows(ds.X, ds.p, rows, columns);
  const notes = dropNotes(ds.featureNames, drops);
  const droppedRows = rows.length - kept.length;
  if (droppedRows > 0) notes.push(`${droppedRows} of ${rows.length} samples dropped: a kept feature was missing`);
  return { columns, featureNames: columns.map((j) => ds.featureNames[j] as string), rows: kept, droppedRows, notes };
}

/** The rows among `rows` with a value in every one of `columns`. */
function completeRows(X: Float64Array, p: number, rows: ArrayLike<number>, columns: readonly number[]): Int32Array {
  const out = new Int32Array(rows.length);
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    const base = (rows[r] as number) * p;
    if (columns.every((j) => !Number.isNaN(X[base + j] as number))) out[k++] = rows[r] as number;
  }
  return out.slice(0, k);
}

/**
 * A dense copy of `rows` × `columns`, leaving out rows with a missing value in those columns
 * (the test set goes through this with the training selection's columns).
 */
export function takeRows(ds: Source, rows: ArrayLike<number>, columns: readonly number[]): Design & { droppedRows: number } {
  const kept = completeRows(ds.X, ds.p, rows, columns);
  const p = columns.length;
  const X = new Float64Array(kept.length * p);
  const y = new Float64Array(kept.length);
  const rowEpisode = new Int32Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const src = kept[i] as number;
    for (let k = 0; k < p; k++) X[i * p + k] = ds.X[src * ds.p + (columns[k] as number)] as number;
    y[i] = ds.y[src] as number;
    rowEpisode[i] = ds.rowEpisode[src] as number;
  }
  const featureNames = columns.map((j) => ds.featureNames[j] as string);
  return { featureNames, X, y, n: kept.length, p, rowEpisode, droppedRows: rows.length - kept.length };
}
