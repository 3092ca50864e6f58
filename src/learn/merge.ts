// Several sensors' series merged into one event per timestamp, in time order: how readings reach a
// feature stream, from the buffer and from a request alike. Pure.
import type { SensorSeries } from './types.js';

export function* mergeByTime(series: SensorSeries): Generator<readonly [number, Array<readonly [string, number]>]> {
  const names = [...series.keys()];
  const columns = names.map((name) => series.get(name));
  const at = new Array<number>(names.length).fill(0);
  for (;;) {
    let ts = Infinity;
    columns.forEach((c, i) => {
      const t = c && (at[i] as number) < c.ts.length ? (c.ts[at[i] as number] as number) : Infinity;
      if (t < ts) ts = t;
    });
    if (ts === Infinity) return;
    const readings: Array<readonly [string, number]> = [];
    columns.forEach((c, i) => {
      const k = at[i] as number;
      if (c && k < c.ts.length && c.ts[k] === ts) {
        readings.push([names[i] as string, c.value[k] as number]);
        at[i] = k + 1;
      }
    });
    yield [ts, readings];
  }
}
