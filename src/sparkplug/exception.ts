// Report by exception for an asset's Sparkplug metrics: which metrics of a new prediction a host has
// not been told yet, given what it was last told, the deadband and the longest silence allowed.
// Pure: the caller passes the time and keeps what was reported.
import { DEVICE_METRIC_KEYS, type DeviceMetric, type DeviceValues } from './payloads.js';

export interface ExceptionRule {
  /** risk and time_to_fault_s are reported when they move more than this fraction of their range. */
  deadband: number;
  /** The range of time_to_fault_s: 0 to the model horizon, seconds. */
  horizonS: number;
  /** Wall-clock ms after which every metric is reported again, changed or not. */
  maxSilenceMs: number;
}

/** What a host was last told about a device, per metric, and when (wall-clock ms) it last heard of it. */
export interface Reported {
  values: Omit<DeviceValues, 'ts'>;
  at: number;
}

/**
 * The metrics of `values` to report now. A metric is reported when it changed since the value the
 * host last got, beyond the deadband for the two numbers ([tck-id-principles-rbe-recommended],
 * [tck-id-operational-behavior-data-publish-dbirth-change]: DDATA only on change), and every metric
 * once `maxSilenceMs` passed without a report, so that a host can tell a live asset with a steady
 * prediction from a stuck one (the spec leaves room for periodic reports, §2.2).
 *
 * Silence is measured in wall time, the host's view: it sees the gap between arrivals, whatever the
 * event time says. Event time would flood the host during a backfill (a day of readings replayed in
 * a minute) and never refresh an asset whose clock stands still. It is checked when a prediction
 * comes, not on a timer: an asset whose telemetry stopped gets no prediction and stays silent, which
 * is the truth a host should see, rather than a heartbeat repeating a stale value. A wall clock that
 * stepped back counts as silence elapsed, so a clock correction cannot mute an asset.
 */
export function toReport(rule: ExceptionRule, reported: Reported | null, values: DeviceValues, now: number): DeviceMetric[] {
  if (reported === null) return [...DEVICE_METRIC_KEYS];
  const silent = now - reported.at;
  if (silent >= rule.maxSilenceMs || silent < 0) return [...DEVICE_METRIC_KEYS];
  const last = reported.values;
  const changed: DeviceMetric[] = [];
  if (moved(last.risk, values.risk, rule.deadband)) changed.push('risk');
  if (moved(last.timeToFaultS, values.timeToFaultS, rule.deadband * rule.horizonS)) changed.push('timeToFaultS');
  if (last.level !== values.level) changed.push('level');
  if (last.modelVersion !== values.modelVersion) changed.push('modelVersion');
  return changed;
}

/** What the host knows once `metrics` of `values` were reported at `now`. */
export function afterReport(before: Reported | null, values: DeviceValues, metrics: readonly DeviceMetric[], now: number): Reported {
  const from = (key: DeviceMetric) => (before === null || metrics.includes(key) ? values : before.values);
  return {
    values: { risk: from('risk').risk, timeToFaultS: from('timeToFaultS').timeToFaultS, level: from('level').level, modelVersion: from('modelVersion').modelVersion },
    at: now,
  };
}

/** A move beyond the band; NaN on either side (sent as is_null) counts as a change unless both are. */
function moved(before: number, after: number, band: number): boolean {
  if (Object.is(before, after)) return false;
  return !(Math.abs(after - before) <= band);
}
