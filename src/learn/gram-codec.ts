// The binary form of a Gram for SQLite rows and fleet payloads, and the checks that refuse a
// malformed or hostile one with its reason. Pure: bytes in, Gram or reason out.
import type { Gram } from './gram.js';

/*
 * Layout, version 1, all little-endian (the same bytes on every gateway):
 *   uint32 version | uint32 p | float64 n | float64 shiftY, sy, syy | float64 shift[p], sx[p], sxy[p]
 *   | float64 sxx upper triangle, row by row (j ≤ k): p(p+1)/2 values, half of the symmetric p × p.
 */
export const GRAM_FORMAT_VERSION = 1;
const HEADER_BYTES = 16;

/** Bytes of a packed Gram of p features: 16 + 8·(3 + 3p + p(p+1)/2); about 62 KB at p = 121. */
export function gramByteLength(p: number): number {
  return HEADER_BYTES + 8 * (3 + 3 * p + (p * (p + 1)) / 2);
}

/** The Gram in the binary form above. */
export function packGram(g: Gram): Uint8Array {
  const { p } = g;
  const bytes = new Uint8Array(gramByteLength(p));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, GRAM_FORMAT_VERSION, true);
  view.setUint32(4, p, true);
  view.setFloat64(8, g.n, true);
  let off = HEADER_BYTES;
  const put = (v: number): void => {
    view.setFloat64(off, v, true);
    off += 8;
  };
  [g.shiftY, g.sy, g.syy].forEach(put);
  for (const v of [g.shift, g.sx, g.sxy]) v.forEach(put);
  for (let j = 0; j < p; j++) for (let k = j; k < p; k++) put(g.sxx[j * p + k] as number);
  return bytes;
}

/** Why a packed Gram was refused; one code per kind of defect, for counters and dead letters. */
export const GRAM_DEFECTS = [
  'truncated',
  'version',
  'dimension',
  'length',
  'not_finite',
  'negative_count',
  'fractional_count',
  'empty_with_sums',
  'magnitude',
  'negative_variance',
  'not_a_gram',
] as const;

export type GramDefect = (typeof GRAM_DEFECTS)[number];

export type UnpackedGram = { readonly gram: Gram } | { readonly reason: GramDefect; readonly detail: string };

export interface UnpackOptions {
  /** No feature or label value comes near this; default DEFAULT_MAX_ABS. */
  readonly maxAbs?: number;
}

/**
 * Ages in seconds stay below 1e10, z-scores and their squares far below that, raw sensor values
 * too: a shift beyond 1e15, or sums that need rows beyond it, are not from real rows. The bound
 * also keeps a fit's products of sums (≈ n²·maxAbs⁴) far from overflowing.
 */
export const DEFAULT_MAX_ABS = 1e15;

// Slack for "beyond rounding": Grams made by GramSum are off by ~1e-16 × rows from exact, so a
// relative 1e-6 never refuses a real one and still catches any made-up sums.
const ROUNDING = 1e-6;

/**
 * The Gram in `bytes` if it has the expected width `p` and could be the sums of n real rows;
 * otherwise the first defect found, cheapest checks first, so hostile statistics can be
 * dead-lettered with their reason before they reach a fit.
 */
export function unpackGram(bytes: Uint8Array, p: number, options: UnpackOptions = {}): UnpackedGram {
  if (bytes.length < HEADER_BYTES) return { reason: 'truncated', detail: `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0, true);
  if (version !== GRAM_FORMAT_VERSION) return { reason: 'version', detail: `format version ${version}; this agent reads ${GRAM_FORMAT_VERSION}` };
  const width = view.getUint32(4, true);
  if (width !== p) return { reason: 'dimension', detail: `${width} features; the recipe has ${p}` };
  if (bytes.length !== gramByteLength(p)) return { reason: 'length', detail: `${bytes.length} bytes; p = ${p} takes ${gramByteLength(p)}` };
  let off = HEADER_BYTES;
  const next = (): number => {
    const v = view.getFloat64(off, true);
    off += 8;
    return v;
  };
  const n = view.getFloat64(8, true);
  const [shiftY, sy, syy] = [next(), next(), next()];
  const vector = (): Float64Array => Float64Array.from({ length: p }, next);
  const [shift, sx, sxy] = [vector(), vector(), vector()];
  const sxx = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    for (let k = j; k < p; k++) {
      const v = next();
      sxx[j * p + k] = v;
      sxx[k * p + j] = v;
    }
  }
  const gram: Gram = { p, n, shift, shiftY, sx, sxx, sy, syy, sxy };
  const defect = countDefect(n) ?? finiteDefect(gram) ?? emptyDefect(gram) ?? magnitudeDefect(gram, options.maxAbs ?? DEFAULT_MAX_ABS) ?? varianceDefect(gram) ?? cauchySchwarzDefect(gram);
  return defect ?? { gram };
}

type Defect = { reason: GramDefect; detail: string } | null;

function countDefect(n: number): Defect {
  if (!Number.isFinite(n)) return { reason: 'not_finite', detail: `row count n is ${n}` };
  if (n < 0) return { reason: 'negative_count', detail: `row count n is ${n}` };
  if (!Number.isSafeInteger(n)) return { reason: 'fractional_count', detail: `row count n is ${n}, not a whole number` };
  return null;
}

function finiteDefect(g: Gram): Defect {
  const scalars: Array<[string, number]> = [['shiftY', g.shiftY], ['sy', g.sy], ['syy', g.syy]];
  for (const [name, v] of scalars) if (!Number.isFinite(v)) return { reason: 'not_finite', detail: `${name} is ${v}` };
  const vectors: Array<[string, Float64Array]> = [['shift', g.shift], ['sx', g.sx], ['sxy', g.sxy], ['sxx', g.sxx]];
  for (const [name, v] of vectors) {
    const i = v.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) return { reason: 'not_finite', detail: `${name}[${i}] is ${v[i]}` };
  }
  return null;
}

function emptyDefect(g: Gram): Defect {
  if (g.n > 0) return null;
  const zero = g.sy === 0 && g.syy === 0 && [g.sx, g.sxy, g.sxx].every((v) => v.every((x) => x === 0));
  return zero ? null : { reason: 'empty_with_sums', detail: 'n is 0 but the sums are not' };
}

/** Each |x − shift| ≤ 2·maxAbs, so Σd² ≤ n(2·maxAbs)² and |Σd| ≤ 2n·maxAbs; likewise for y. */
function magnitudeDefect(g: Gram, maxAbs: number): Defect {
  const sumBound = 2 * maxAbs * g.n;
  const squareBound = sumBound * 2 * maxAbs;
  const check = (name: string, shift: number, s: number, ss: number): Defect => {
    if (Math.abs(shift) > maxAbs) return { reason: 'magnitude', detail: `${name}: shift ${shift} is beyond ±${maxAbs}` };
    if (Math.abs(s) > sumBound || ss > squareBound) {
      return { reason: 'magnitude', detail: `${name}: sums ${s} and ${ss} are beyond what ${g.n} rows within ±${maxAbs} can give` };
    }
    return null;
  };
  for (let j = 0; j < g.p; j++) {
    const d = check(`feature ${j}`, g.shift[j] as number, g.sx[j] as number, g.sxx[j * g.p + j] as number);
    if (d) return d;
  }
  return check('y', g.shiftY, g.sy, g.syy);
}

/** Σd² − (Σd)²/n is n times a variance: it may be below 0 by rounding only. */
function varianceDefect(g: Gram): Defect {
  if (g.n === 0) return null;
  const check = (name: string, s: number, ss: number): Defect => {
    const mean2 = (s * s) / g.n;
    return ss - mean2 < -ROUNDING * (Math.abs(ss) + mean2) ? { reason: 'negative_variance', detail: `${name}: Σd² ${ss} < (Σd)²/n ${mean2}` } : null;
  };
  for (let j = 0; j < g.p; j++) {
    const d = check(`feature ${j}`, g.sx[j] as number, g.sxx[j * g.p + j] as number);
    if (d) return d;
  }
  return check('y', g.sy, g.syy);
}

/** |Σ d_j d_k| ≤ √(Σd_j² · Σd_k²) for sums of any rows (Cauchy–Schwarz); likewise Σ d_j e. */
function cauchySchwarzDefect(g: Gram): Defect {
  const { p } = g;
  const diag = (j: number): number => Math.max(0, j < p ? (g.sxx[j * p + j] as number) : g.syy);
  // Column p stands for y, so one loop covers sxx and sxy.
  const at = (j: number, k: number): number => (k < p ? (g.sxx[j * p + k] as number) : (g.sxy[j] as number));
  for (let j = 0; j < p; j++) {
    for (let k = j + 1; k <= p; k++) {
      const v = at(j, k);
      if (v * v > (1 + ROUNDING) * diag(j) * diag(k)) {
        const name = k < p ? `sxx[${j},${k}]` : `sxy[${j}]`;
        return { reason: 'not_a_gram', detail: `${name} = ${v} exceeds √(Σd_j²·Σd_k²): not the sums of any rows` };
      }
    }
  }
  return null;
}
