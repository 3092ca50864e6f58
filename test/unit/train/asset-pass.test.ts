// The asset pass: an episode's statistics are the sums of exactly the rows a plain walk through its
// readings gives, and computing them a little at a time (retrains while data keeps arriving) gives
// the same statistics as computing them once at the end.
import { describe, expect, it } from 'vitest';
import { OPEN, type EpisodeRecord } from '../../../src/learn/episode-stats.js';
import { FeatureStream } from '../../../src/learn/feature-stream.js';
import { gramOf, type Gram } from '../../../src/learn/gram.js';
import { featureNames, type Recipe } from '../../../src/learn/recipe.js';
import { testRecipe } from '../../helpers/recipe-rows.js';
import type { AssetHistory } from '../../../src/learn/types.js';
import { assetPass, type AssetInput } from '../../../src/train/asset-pass.js';
import { memorySource } from '../../../src/train/source.js';
import { H_S, MIN, syntheticAssets } from './synthetic.js';

const W = 10 * MIN;

const recipe = (overrides: Partial<Recipe> = {}): Recipe => testRecipe({ sensors: ['temp', 'vib'], windowMs: W, strideMs: 5 * MIN, horizonS: H_S }, overrides);

/** The asset's history cut at `until`: what the buffer held at a retrain then. */
function until(h: AssetHistory, t: number): AssetHistory {
  const series = new Map([...h.series].map(([name, s]) => {
    const keep = Array.from(s.ts, (ts, i) => [ts, s.value[i] as number] as const).filter(([ts]) => ts <= t);
    return [name, { ts: keep.map(([ts]) => ts), value: keep.map(([, v]) => v) }];
  }));
  return { asset: h.asset, series, faults: h.faults.filter((f) => f <= t) };
}

function inputOf(h: AssetHistory, r: Recipe, cached: ReadonlyMap<string, EpisodeRecord>): AssetInput {
  const source = memorySource([h]);
  const [asset] = source.assets();
  const names = [...r.sensors, ...r.conditions];
  return {
    asset: h.asset,
    faults: source.faults(asset!),
    lastDataTs: source.newest(asset!, names),
    cached,
    read: (from, to) => source.events(asset!, names, from, to),
  };
}

/** Every episode's rows by a plain walk: a fresh stream per episode, a sample every stride, labels as labels.ts says. */
function expectedRows(h: AssetHistory, r: Recipe): Map<string, { X: number[][]; y: number[] }> {
  const out = new Map<string, { X: number[][]; y: number[] }>();
  const events = [...memorySource([h]).events({ name: h.asset }, r.sensors, -Infinity, Infinity)];
  const last = events[events.length - 1]?.[0] ?? -Infinity;
  let previous = -Infinity;
  for (const end of [...h.faults, null]) {
    const stream = new FeatureStream(r);
    const rows = { X: [] as number[][], y: [] as number[] };
    let next = -Infinity;
    const stop = end ?? last - r.horizonS * 1000;
    for (const [ts, readings] of events) {
      if (ts <= previous || ts > stop) continue;
      stream.push(ts, readings);
      if (ts < next) continue;
      const x = new Float64Array(stream.width);
      stream.row(ts, x);
      next = ts + r.strideMs;
      if (x.some(Number.isNaN)) continue;
      rows.X.push(Array.from(x));
      rows.y.push(end === null ? r.horizonS : Math.min((end - ts) / 1000, r.horizonS));
    }
    if (rows.y.length > 0) out.set(end === null ? OPEN : String(end), rows);
    if (end !== null) previous = end;
  }
  return out;
}

function expectSameGram(a: Gram | null, b: Gram): void {
  expect(a).not.toBeNull();
  const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-8 * (1 + Math.abs(y));
  const g = a as Gram;
  expect(g.n).toBe(b.n);
  const centred = (m: Gram): number[] => {
    // Compare what any fit uses: the centred cross-products, which do not depend on the shift.
    const out: number[] = [];
    for (let j = 0; j < m.p; j++) for (let k = 0; k < m.p; k++) out.push((m.sxx[j * m.p + k] as number) - ((m.sx[j] as number) * (m.sx[k] as number)) / m.n);
    for (let j = 0; j < m.p; j++) out.push((m.sxy[j] as number) - ((m.sx[j] as number) * m.sy) / m.n, (m.shift[j] as number) + (m.sx[j] as number) / m.n);
    out.push(m.shiftY + m.sy / m.n);
    return out;
  };
  const [got, want] = [centred(g), centred(b)];
  got.forEach((v, i) => expect(close(v, want[i] as number), `entry ${i}: ${v} vs ${want[i]}`).toBe(true));
}

describe('assetPass', () => {
  const [history] = syntheticAssets({ assets: 1, faultsPerAsset: 3 });
  const r = recipe();

  it('sums exactly the rows of each episode, closed and open', () => {
    const out = assetPass(r, null, inputOf(history!, r, new Map()));
    const want = expectedRows(history!, r);
    expect(out.records.map((e) => e.key).sort()).toEqual([...want.keys()].sort());
    for (const record of out.records) {
      const rows = want.get(record.key)!;
      const p = featureNames(r).length;
      expectSameGram(record.gram, gramOf(Float64Array.from(rows.X.flat()), Float64Array.from(rows.y), p));
      expect(record.rows).toBe(rows.y.length);
      expect(record.resume === null).toBe(record.key !== OPEN);
      // The last row of every block of k, k the least power of two that keeps at most 64.
      let every = 1;
      while (Math.floor(rows.y.length / every) > 64) every *= 2;
      expect(record.sample.index).toEqual(Array.from({ length: Math.floor(rows.y.length / every) }, (_, i) => (i + 1) * every - 1));
      expect(record.sample.y).toEqual(record.sample.index.map((i) => rows.y[i]));
    }
  });

  it('gives the same statistics when retrains run while the data arrives', () => {
    const whole = assetPass(r, null, inputOf(history!, r, new Map())).records;
    const cache = new Map<string, EpisodeRecord>();
    const first = history!.series.get('temp')!.ts[0] as number;
    const temps = history!.series.get('temp')!.ts;
    const last = temps[temps.length - 1] as number;
    let reads = 0;
    for (let t = first + 3 * 3_600_000; ; t = Math.min(last, t + 97 * MIN)) {
      const input = inputOf(until(history!, t), r, cache);
      const counted = { ...input, read: (from: number, to: number) => [...input.read(from, to)].map((e) => (reads++, e)) };
      const out = assetPass(r, null, counted);
      for (const key of out.removed) cache.delete(key);
      for (const record of out.records) cache.set(record.key, record);
      if (t === last) break;
    }
    expect([...cache.keys()].sort()).toEqual(whole.map((e) => e.key).sort());
    for (const record of whole) {
      const inc = cache.get(record.key)!;
      expectSameGram(inc.gram, record.gram!);
      expect(inc.sample.index).toEqual(record.sample.index);
      expect(inc.sample.x).toEqual(record.sample.x);
      expect(inc.rows).toBe(record.rows);
    }
    // Each reading is read about once: a retrain reads only what is new since the last one.
    const readings = history!.series.get('temp')!.ts.length;
    expect(reads).toBeLessThan(1.5 * readings);
  });

  it('does not read a final episode again', () => {
    const cached = new Map(assetPass(r, null, inputOf(history!, r, new Map())).records.map((e) => [e.key, e]));
    const input = inputOf(history!, r, cached);
    let reads = 0;
    const out = assetPass(r, null, { ...input, read: (from, to) => [...input.read(from, to)].map((e) => (reads++, e)) });
    expect(out.records).toEqual([]);
    expect(reads).toBe(0);
  });

  it('drops an episode from the cache once retention has deleted its fault', () => {
    const h = history!;
    const cached = new Map(assetPass(r, null, inputOf(h, r, new Map())).records.map((e) => [e.key, e]));
    const [oldest, ...kept] = h.faults;
    const out = assetPass(r, null, inputOf({ ...h, faults: kept }, r, cached));
    expect(out.removed).toEqual([String(oldest)]);
    expect(out.records).toEqual([]);
  });

  it('recomputes an open tail when a fault lands within the horizon of rows it already labelled', () => {
    const h = history!;
    const lastFault = h.faults.at(-1)!;
    const temps = h.series.get('temp')!.ts;
    const end = temps[temps.length - 1] as number;
    const cached = new Map(assetPass(r, null, inputOf(h, r, new Map())).records.map((e) => [e.key, e]));
    // A fault reported late, stamped just after the data already labelled "not soon".
    const late = end - 1000;
    const changed = { ...h, faults: [...h.faults, late] };
    const out = assetPass(r, null, inputOf(changed, r, cached));
    const fresh = assetPass(r, null, inputOf(changed, r, new Map())).records.find((e) => e.key === String(late))!;
    const record = out.records.find((e) => e.key === String(late))!;
    expect(late - lastFault).toBeGreaterThan(0);
    expectSameGram(record.gram, fresh.gram!);
    expect(out.removed).toEqual([OPEN]);
  });
});
