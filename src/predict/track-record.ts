// The live track record (issue 16): for each fault, how early the asset's level first reached warning
// and alarm within the horizon before it (or missed), and how far off the time-to-fault predictions
// of that horizon were; an alarm whose horizon passes with no fault is a false alarm. Pure: fed
// predictions and faults in event time, returns what they settle; storing them is the caller's job.
import type { Level } from './levels.js';

export interface TrackedPrediction {
  asset: string;
  line: string | null;
  /** Event time (ms). */
  ts: number;
  timeToFaultS: number;
  level: Level;
  modelVersion: string;
  horizonS: number;
}

export interface FaultRecord {
  kind: 'fault';
  asset: string;
  line: string | null;
  /** The model that made the last prediction before the fault; only its predictions count. */
  modelVersion: string;
  ts: number;
  horizonS: number;
  /** Seconds between the first warning (level ≥ 1) in the horizon before the fault and the fault; null: missed. */
  warningLeadS: number | null;
  alarmLeadS: number | null;
  /** Predictions the errors are computed from (sampled: see SAMPLES_PER_HORIZON). */
  predictions: number;
  /** Error = predicted − actual time to fault, over those predictions, in seconds. */
  maeS: number;
  rmseS: number;
  biasS: number;
  /** How much of the horizon before the fault that model's predictions covered (s). */
  coverageS: number;
}

export interface FalseAlarm {
  kind: 'false_alarm';
  asset: string;
  line: string | null;
  modelVersion: string;
  /** When the level rose to alarm. */
  ts: number;
  horizonS: number;
}

export type TrackEvent = FaultRecord | FalseAlarm;

/**
 * Predictions are kept at most this many per horizon of event time, plus every change of level or
 * model, so memory per asset is bounded whatever the prediction rate. Lead times stay exact (a
 * change of level is always kept) unless the level was already up when the horizon began.
 */
export const SAMPLES_PER_HORIZON = 1024;
/** Samples are kept this many horizons behind the newest, so a fault that arrives late still finds its window. */
const KEEP_HORIZONS = 1.25;
/** Hard bounds per asset: a level that flaps at every prediction cannot grow memory. */
const MAX_SAMPLES = 4 * SAMPLES_PER_HORIZON;
const MAX_OPEN_ALARMS = 256;
/** A fault redelivered by the broker is the same fault: the last few are remembered. */
const RECENT_FAULTS = 8;

interface Sample {
  ts: number;
  ttf: number;
  level: Level;
  version: string;
  horizonS: number;
}

interface OpenAlarm {
  ts: number;
  version: string;
  horizonS: number;
}

interface AssetTrack {
  line: string | null;
  samples: Sample[];
  lastLevel: Level;
  newest: number;
  lastFault: number;
  open: OpenAlarm[];
  recentFaults: number[];
}

export class TrackRecord {
  private readonly assets = new Map<string, AssetTrack>();

  /** A prediction, in event-time order per asset. Returns the alarms whose horizon it has passed. */
  prediction(p: TrackedPrediction): FalseAlarm[] {
    const track = this.track(p.asset, p.line);
    const expired = this.expire(track, p.asset, (alarm) => p.ts > alarm.ts + alarm.horizonS * 1000);
    if (p.level === 2 && track.lastLevel < 2) {
      track.open.push({ ts: p.ts, version: p.modelVersion, horizonS: p.horizonS });
      if (track.open.length > MAX_OPEN_ALARMS) track.open.shift();
    }
    track.lastLevel = p.level;
    track.newest = Math.max(track.newest, p.ts);
    const last = track.samples.at(-1);
    const spacing = (p.horizonS * 1000) / SAMPLES_PER_HORIZON;
    if (!last || last.level !== p.level || last.version !== p.modelVersion || p.ts - last.ts >= spacing) {
      track.samples.push({ ts: p.ts, ttf: p.timeToFaultS, level: p.level, version: p.modelVersion, horizonS: p.horizonS });
      prune(track, p.ts - KEEP_HORIZONS * p.horizonS * 1000);
    }
    return expired;
  }

  /**
   * A fault of `asset` at `ts`. Returns its record (none when no model predicted for the asset in
   * the horizon before it, or when it is a redelivery) and the false alarms it settles. Predictions
   * before the asset's previous fault belong to that fault, not to this one.
   */
  fault(asset: string, line: string | null, ts: number): TrackEvent[] {
    const track = this.track(asset, line);
    if (track.recentFaults.includes(ts)) return [];
    track.recentFaults.push(ts);
    if (track.recentFaults.length > RECENT_FAULTS) track.recentFaults.shift();
    // Alarms raised in the horizon before the fault were right; older ones were false.
    const events: TrackEvent[] = this.expire(track, asset, (alarm) => ts > alarm.ts + alarm.horizonS * 1000);
    track.open = track.open.filter((alarm) => alarm.ts >= ts);
    const record = faultRecord(track, asset, ts);
    if (record) events.push(record);
    track.lastFault = Math.max(track.lastFault, ts);
    // A level that is still up after the fault belongs to the next episode: rising to alarm there is a new alarm.
    if (track.newest <= ts) track.lastLevel = 0;
    return events;
  }

  private track(asset: string, line: string | null): AssetTrack {
    let track = this.assets.get(asset);
    if (!track) {
      track = { line, samples: [], lastLevel: 0, newest: -Infinity, lastFault: -Infinity, open: [], recentFaults: [] };
      this.assets.set(asset, track);
    }
    if (line !== null) track.line = line;
    return track;
  }

  private expire(track: AssetTrack, asset: string, passed: (alarm: OpenAlarm) => boolean): FalseAlarm[] {
    if (!track.open.some(passed)) return [];
    const expired = track.open.filter(passed);
    track.open = track.open.filter((alarm) => !passed(alarm));
    return expired.map((alarm) => ({ kind: 'false_alarm', asset, line: track.line, modelVersion: alarm.version, ts: alarm.ts, horizonS: alarm.horizonS }));
  }
}

function faultRecord(track: AssetTrack, asset: string, faultTs: number): FaultRecord | null {
  // The predictions of this episode before the fault; the last one names the model judged.
  const before = track.samples.filter((s) => s.ts < faultTs && s.ts > track.lastFault);
  const last = before.at(-1);
  if (!last) return null;
  const start = faultTs - last.horizonS * 1000;
  const window = before.filter((s) => s.version === last.version && s.ts >= start);
  // Silent for longer than a horizon before the fault: no prediction to judge.
  const first = window[0];
  if (!first) return null;
  const warning = window.find((s) => s.level >= 1);
  const alarm = window.find((s) => s.level === 2);
  let abs = 0;
  let square = 0;
  let sum = 0;
  for (const s of window) {
    const error = s.ttf - (faultTs - s.ts) / 1000;
    abs += Math.abs(error);
    square += error * error;
    sum += error;
  }
  const n = window.length;
  return {
    kind: 'fault',
    asset,
    line: track.line,
    modelVersion: last.version,
    ts: faultTs,
    horizonS: last.horizonS,
    warningLeadS: warning ? (faultTs - warning.ts) / 1000 : null,
    alarmLeadS: alarm ? (faultTs - alarm.ts) / 1000 : null,
    predictions: n,
    maeS: abs / n,
    rmseS: Math.sqrt(square / n),
    biasS: sum / n,
    coverageS: (faultTs - first.ts) / 1000,
  };
}

function prune(track: AssetTrack, before: number): void {
  let stale = 0;
  while (stale < track.samples.length && track.samples[stale]!.ts < before) stale++;
  const over = track.samples.length - MAX_SAMPLES;
  const drop = Math.max(stale, over);
  if (drop > 0) track.samples.splice(0, drop);
}
