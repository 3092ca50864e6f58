// The status page's charts, drawn by uPlot (served by the agent from its own node_modules): one
// asset's risk and time to fault over a day, with its faults marked, and a model's coefficients.
import { formatDuration } from './render.js';

const RISK = 'rgb(214, 39, 40)';
const TTF = 'rgb(31, 119, 180)';
const FAULT = 'rgba(120, 0, 0, 0.75)';
const DAY_S = 24 * 3600;

/** Short enough for an axis: "1.5 h", "40 min", "30 s". */
function axisDuration(seconds) {
  if (seconds >= 3600) return `${Number((seconds / 3600).toFixed(1))} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds)} s`;
}

/** One asset's plot; appends live predictions and keeps the last day of event time. */
export class AssetPlot {
  constructor(container, { horizonS, levels }) {
    this.container = container;
    this.faults = [];
    this.data = [[], [], []];
    this.horizonS = horizonS;
    this.levels = levels;
    this.plot = new uPlot(this.options(), this.data, container);
  }

  options() {
    return {
      width: Math.max(300, this.container.clientWidth),
      height: 200,
      scales: {
        x: { time: true },
        risk: { range: [0, 1] },
        ttf: { range: (u, min, max) => [0, Math.max(max ?? 0, this.horizonS || 0, 1)] },
      },
      series: [
        {},
        { label: 'risk', scale: 'risk', stroke: RISK, width: 2, value: (u, v) => (v === null ? '–' : `${Math.round(v * 100)}%`) },
        { label: 'time to fault', scale: 'ttf', stroke: TTF, width: 1.5, value: (u, v) => (v === null ? '–' : formatDuration(v)) },
      ],
      axes: [
        {},
        { scale: 'risk', values: (u, splits) => splits.map((v) => `${Math.round(v * 100)}%`) },
        { scale: 'ttf', side: 1, grid: { show: false }, size: 60, values: (u, splits) => splits.map(axisDuration) },
      ],
      hooks: { draw: [(u) => this.decorate(u)] },
    };
  }

  /** The stored history: timestamps in ms. */
  load(history) {
    this.data = [history.ts.map((t) => t / 1000), history.risk, history.timeToFaultS];
    this.faults = history.faults.map((t) => t / 1000);
    this.plot.setData(this.data);
  }

  /** A live prediction (the MQTT payload); older than the newest point, it is ignored. */
  add(prediction) {
    const x = prediction.ts / 1000;
    const [xs, risk, ttf] = this.data;
    if (xs.length > 0 && x <= xs[xs.length - 1]) return;
    xs.push(x);
    risk.push(prediction.risk);
    ttf.push(prediction.time_to_fault_s);
    let stale = 0;
    while (stale < xs.length && xs[stale] < x - DAY_S) stale++;
    if (stale > 0) for (const column of this.data) column.splice(0, stale);
    this.dirty = true;
  }

  addFault(ts) {
    this.faults.push(ts / 1000);
    this.dirty = true;
  }

  /** Redraws if something was added since the last call. */
  redraw() {
    if (!this.dirty) return;
    this.dirty = false;
    this.plot.setData(this.data);
  }

  resize() {
    this.plot.setSize({ width: Math.max(300, this.container.clientWidth), height: 200 });
  }

  /** Threshold lines and fault bars on the canvas, after uPlot has drawn the series. */
  decorate(u) {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    for (const [threshold, color] of [[this.levels.warning, 'rgba(230, 150, 0, 0.8)'], [this.levels.alarm, 'rgba(214, 39, 40, 0.6)']]) {
      const y = u.valToPos(threshold, 'risk', true);
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.fillStyle = FAULT;
    const [min, max] = [u.scales.x.min, u.scales.x.max];
    for (const t of this.faults) {
      if (min === null || max === null || t < min || t > max) continue;
      const x = u.valToPos(t, 'x', true);
      ctx.fillRect(x - 1.5, top, 3, height);
    }
    ctx.restore();
  }
}

/** A bar chart of the model's standardized coefficients, largest first. */
export function coefficientChart(container, features, limit = 15) {
  container.replaceChildren();
  const top = [...features].sort((a, b) => Math.abs(b.coef_std) - Math.abs(a.coef_std)).slice(0, limit);
  if (top.length === 0) return null;
  const names = top.map((f) => (f.name.length > 18 ? `${f.name.slice(0, 17)}…` : f.name));
  const xs = top.map((_, i) => i);
  return new uPlot(
    {
      width: Math.max(300, container.clientWidth),
      height: 240,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, top.length - 0.5] } },
      series: [{}, { label: 'coefficient', stroke: TTF, fill: 'rgba(31, 119, 180, 0.35)', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
      axes: [
        { splits: () => xs, values: (u, splits) => splits.map((i) => names[i] ?? ''), rotate: -30, size: 90, gap: 4 },
        { values: (u, splits) => splits.map((v) => `${Math.round(v)} s`), size: 70 },
      ],
    },
    [xs, top.map((f) => f.coef_std)],
    container,
  );
}
