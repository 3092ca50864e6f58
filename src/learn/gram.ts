// Sufficient statistics of a least-squares problem (XᵀX, Xᵀy, … around a shift): streamed row by
// row or Gram by Gram into one running sum, in plain Float64Array loops. Pure; must not import
// ml-matrix (only ridge.ts solves).

/**
 * Sums over n rows of d = x − shift and e = y − shiftY: sx = Σd, sxx = Σddᵀ (p × p, row-major,
 * symmetric), sy = Σe, syy = Σe², sxy = Σ d·e. Accumulating around a shift near the data
 * (the first row) keeps the later centring (sxx − sx·sxᵀ/n) from cancelling away the digits.
 */
export interface Gram {
  readonly p: number;
  readonly n: number;
  readonly shift: Float64Array;
  readonly shiftY: number;
  readonly sx: Float64Array;
  readonly sxx: Float64Array;
  readonly sy: number;
  readonly syy: number;
  readonly sxy: Float64Array;
}

// Rows are added four at a time: each sxx entry is loaded and stored once per four rows,
// which is where the time goes (about 1.5× faster than row by row for p = 40).
const BLOCK = 4;

/** Adds Σ_q d_q d_qᵀ of the BLOCK rows held in `d` (row q at q·p) into the upper triangle of sxx. */
function accumulateBlock(sxx: Float64Array, p: number, d: Float64Array): void {
  const p2 = 2 * p;
  const p3 = 3 * p;
  for (let j = 0; j < p; j++) {
    const a = d[j] as number;
    const b = d[p + j] as number;
    const c = d[p2 + j] as number;
    const e = d[p3 + j] as number;
    const off = j * p;
    for (let k = j; k < p; k++) {
      sxx[off + k] =
        (sxx[off + k] as number) + a * (d[k] as number) + b * (d[p + k] as number) + c * (d[p2 + k] as number) + e * (d[p3 + k] as number);
    }
  }
}

/** Copies the upper triangle of a p × p row-major matrix into its lower triangle. */
function mirrorUpper(m: Float64Array, p: number): void {
  for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) m[k * p + j] = m[j * p + k] as number;
}

/** A Gram being summed into: the same fields, writable. */
interface Sums {
  readonly p: number;
  n: number;
  shift: Float64Array;
  shiftY: number;
  sx: Float64Array;
  /** Only the upper triangle is kept up to date while summing; the lower is mirrored on output. */
  sxx: Float64Array;
  sxy: Float64Array;
  sy: number;
  syy: number;
}

function emptySums(p: number): Sums {
  return { p, n: 0, shift: new Float64Array(p), shiftY: 0, sx: new Float64Array(p), sxx: new Float64Array(p * p), sxy: new Float64Array(p), sy: 0, syy: 0 };
}

/**
 * Adds g into `into` in place, re-expressed around into's shift. With d' = d + δ (δ = g.shift −
 * into.shift), Σd' = Σd + nδ, Σd'd'ᵀ = Σddᵀ + δ(Σd)ᵀ + (Σd)δᵀ + nδδᵀ, and likewise for y: exact
 * algebra, accurate while both shifts are rows of the data. Writes the upper triangle of sxx only.
 */
function addInto(into: Sums, g: Gram): void {
  const { p, n } = g;
  const delta = new Float64Array(p);
  for (let j = 0; j < p; j++) delta[j] = (g.shift[j] as number) - (into.shift[j] as number);
  const dy = g.shiftY - into.shiftY;
  for (let j = 0; j < p; j++) {
    const dj = delta[j] as number;
    const sj = g.sx[j] as number;
    into.sx[j] = (into.sx[j] as number) + sj + n * dj;
    into.sxy[j] = (into.sxy[j] as number) + (g.sxy[j] as number) + dj * g.sy + dy * sj + n * dj * dy;
    const off = j * p;
    for (let k = j; k < p; k++) {
      const dk = delta[k] as number;
      into.sxx[off + k] = (into.sxx[off + k] as number) + (g.sxx[off + k] as number) + dj * (g.sx[k] as number) + sj * dk + n * dj * dk;
    }
  }
  into.sy += g.sy + n * dy;
  into.syy += g.syy + 2 * dy * g.sy + n * dy * dy;
  into.n += n;
}

/** addInto, where an empty `into` first takes g's shift (so the sum is g exactly). */
function addIntoTotal(into: Sums, g: Gram): void {
  if (g.n === 0) return;
  if (into.n === 0) {
    into.shift.set(g.shift);
    into.shiftY = g.shiftY;
  }
  addInto(into, g);
}

/** A copy of `s` as a Gram, with sxx made symmetric. Throws when a value is NaN or infinite. */
function gramFrom(s: Sums): Gram {
  const { p } = s;
  const sxx = Float64Array.from(s.sxx);
  mirrorUpper(sxx, p);
  const g: Gram = { p, n: s.n, shift: Float64Array.from(s.shift), shiftY: s.shiftY, sx: Float64Array.from(s.sx), sxx, sy: s.sy, syy: s.syy, sxy: Float64Array.from(s.sxy) };
  assertFinite(g);
  return g;
}

// Rows are summed in chunks around each chunk's first row, and each chunk is then added to the
// total: shorter running sums and nearer shifts. Against exact rational arithmetic (six sets of
// 5,000 rows with x ≈ 600 and x², α = 1e-4), one long pass put ridge coefficients a median 7e-10
// (worst 8e-9) from the exact fit, chunks 2e-10 (worst 3e-9). A fold costs ~2% of its rows' work.
const CHUNK = 256;

/**
 * A running Gram that rows (one at a time or a table of them) and whole Grams are added to in
 * place, so a retrain can stream an episode's rows, or hundreds of cached episode Grams, into one
 * O(p²) total without holding rows or allocating per merge. The total's shift is the first row
 * added, or the first non-empty Gram's shift. toGram() gives a copy; adding may continue after it.
 */
export class GramSum {
  private readonly total: Sums;
  /** Rows since the last fold, around the chunk's first row. */
  private readonly chunk: Sums;
  /** Shifted rows not yet in chunk.sxx (row q at q·p). */
  private readonly block: Float64Array;
  private pending = 0;

  constructor(readonly p: number) {
    if (!(Number.isInteger(p) && p >= 0)) throw new RangeError(`GramSum: p must be a whole number ≥ 0, got ${p}`);
    this.total = emptySums(p);
    this.chunk = emptySums(p);
    this.block = new Float64Array(BLOCK * p);
  }

  /** Rows summed so far. */
  get n(): number {
    return this.total.n + this.chunk.n;
  }

  /** Adds one row: x[0..p) and its label y. */
  addRow(x: ArrayLike<number>, y: number): void {
    this.push(x, 0, y);
  }

  /** Adds the given rows of X (n × p, row-major) with labels y; all rows when `rows` is omitted. */
  addRows(X: Float64Array, y: ArrayLike<number>, rows?: ArrayLike<number>): void {
    const count = rows === undefined ? y.length : rows.length;
    for (let i = 0; i < count; i++) {
      const r = rows === undefined ? i : (rows[i] as number);
      this.push(X, r * this.p, y[r] as number);
    }
  }

  /** Adds the sums of rows disjoint from those already in, re-expressed around the total's shift. */
  addGram(g: Gram): void {
    if (g.p !== this.p) throw new RangeError(`GramSum: adding a Gram of ${g.p} features to one of ${this.p}`);
    addIntoTotal(this.total, g);
  }

  /** A copy of the sums so far. Throws when a value is NaN or infinite: select features and rows first. */
  toGram(): Gram {
    this.fold();
    return gramFrom(this.total);
  }

  /** Adds the row src[off..off+p) with label y (no subarray per row: a retrain adds millions). */
  private push(src: ArrayLike<number>, off: number, y: number): void {
    const p = this.p;
    const c = this.chunk;
    if (c.n === 0) {
      for (let j = 0; j < p; j++) c.shift[j] = src[off + j] as number;
      c.shiftY = y;
    }
    const e = y - c.shiftY;
    const base = this.pending * p;
    for (let j = 0; j < p; j++) {
      const v = (src[off + j] as number) - (c.shift[j] as number);
      this.block[base + j] = v;
      c.sx[j] = (c.sx[j] as number) + v;
      c.sxy[j] = (c.sxy[j] as number) + v * e;
    }
    c.sy += e;
    c.syy += e * e;
    c.n++;
    if (++this.pending === BLOCK) this.flush();
    if (c.n === CHUNK) this.fold();
  }

  /** Moves the pending rows into chunk.sxx; a partial block's unused slots are zeroed so they add nothing. */
  private flush(): void {
    if (this.pending === 0) return;
    if (this.pending < BLOCK) this.block.fill(0, this.pending * this.p);
    accumulateBlock(this.chunk.sxx, this.p, this.block);
    this.pending = 0;
  }

  /** Adds the chunk to the total and empties it. */
  private fold(): void {
    this.flush();
    const c = this.chunk;
    if (c.n === 0) return;
    addIntoTotal(this.total, c);
    c.n = 0;
    c.sx.fill(0);
    c.sxx.fill(0);
    c.sxy.fill(0);
    c.sy = 0;
    c.syy = 0;
  }
}

/**
 * The Gram of the given rows of X (n × p, row-major) and y; all rows when `rows` is omitted.
 * Throws when a used value is NaN or infinite: select features and rows first.
 */
export function gramOf(X: Float64Array, y: Float64Array, p: number, rows?: ArrayLike<number>): Gram {
  const sum = new GramSum(p);
  sum.addRows(X, y, rows);
  return sum.toGram();
}

function assertFinite(g: Gram): void {
  if (!Number.isFinite(g.sy) || !Number.isFinite(g.syy)) throw new RangeError('Gram: y has a NaN or infinite value');
  for (let j = 0; j < g.p; j++) {
    if (!Number.isFinite(g.sx[j]) || !Number.isFinite(g.sxx[j * g.p + j])) {
      throw new RangeError(`Gram: column ${j} has a NaN or infinite value (select features and rows first)`);
    }
  }
}

/** The same sums taken around another shift (see addInto). */
export function reshiftGram(g: Gram, shift: Float64Array, shiftY: number): Gram {
  const out = emptySums(g.p);
  out.shift.set(shift);
  out.shiftY = shiftY;
  addInto(out, g);
  return gramFrom(out);
}

/** The Gram of the union of two disjoint row sets, around a's shift (b is re-expressed around it). */
export function mergeGrams(a: Gram, b: Gram): Gram {
  if (a.p !== b.p) throw new RangeError(`mergeGrams: ${a.p} features vs ${b.p}`);
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const sum = new GramSum(a.p);
  sum.addGram(a);
  sum.addGram(b);
  return sum.toGram();
}

/** The Gram of a subset of the columns, in the order given (feature selection keeps columns by index). */
export function selectGramColumns(g: Gram, columns: readonly number[]): Gram {
  const q = columns.length;
  for (const c of columns) if (!(Number.isInteger(c) && c >= 0 && c < g.p)) throw new RangeError(`selectGramColumns: no column ${c} in a Gram of ${g.p}`);
  const pick = (v: Float64Array): Float64Array => Float64Array.from(columns, (c) => v[c] as number);
  const sxx = new Float64Array(q * q);
  columns.forEach((j, a) => columns.forEach((k, b) => (sxx[a * q + b] = g.sxx[j * g.p + k] as number)));
  return { p: q, n: g.n, shift: pick(g.shift), shiftY: g.shiftY, sx: pick(g.sx), sxx, sy: g.sy, syy: g.syy, sxy: pick(g.sxy) };
}
