// The report-by-exception rule on its own: the deadband's edge, each metric's range, the silence
// limit and a wall clock that steps back.
import { describe, expect, it } from 'vitest';
import { afterReport, toReport, type ExceptionRule } from '../../../src/sparkplug/exception.js';
import { DEVICE_METRIC_KEYS, type DeviceValues, type Level } from '../../../src/sparkplug/payloads.js';

const rule: ExceptionRule = { deadband: 0.01, horizonS: 7200, maxSilenceMs: 60_000 };
const T = 1_000_000;

function values(risk: number, timeToFaultS = (1 - risk) * 7200, level: Level = 0, modelVersion = '7'): DeviceValues {
  return { ts: T, risk, timeToFaultS, level, modelVersion };
}

const told = (v: DeviceValues, at = T) => afterReport(null, v, DEVICE_METRIC_KEYS, at);

describe('toReport', () => {
  it('reports everything the first time', () => {
    expect(toReport(rule, null, values(0.3), T)).toEqual(['risk', 'timeToFaultS', 'level', 'modelVersion']);
  });

  it('reports a number only when it moves more than the deadband times its range', () => {
    const last = told(values(0.3, 5000));
    expect(toReport(rule, last, values(0.3099, 5000), T)).toEqual([]);
    expect(toReport(rule, last, values(0.2901, 5000), T)).toEqual([]);
    expect(toReport(rule, last, values(0.3101, 5000), T)).toEqual(['risk']);
    expect(toReport(rule, last, values(0.2899, 5000), T)).toEqual(['risk']);
    expect(toReport(rule, last, values(0.3, 5072), T)).toEqual([]); // 0.01 of 7200 s is 72 s
    expect(toReport(rule, last, values(0.3, 4927), T)).toEqual(['timeToFaultS']);
  });

  it('reports level and model_version on any change', () => {
    const last = told(values(0.3));
    expect(toReport(rule, last, values(0.3, undefined, 1), T)).toEqual(['level']);
    expect(toReport(rule, last, values(0.3, undefined, 0, '8'), T)).toEqual(['modelVersion']);
  });

  it('reports any change with deadband 0, and nothing for the same values', () => {
    const exact = { ...rule, deadband: 0 };
    const last = told(values(0.3));
    expect(toReport(exact, last, values(0.3), T)).toEqual([]);
    expect(toReport(exact, last, values(0.3000001), T)).toEqual(['risk', 'timeToFaultS']);
  });

  it('reports a value that turned into no value (NaN) and back, but not NaN twice', () => {
    const last = told(values(0.3));
    expect(toReport(rule, last, values(Number.NaN), T)).toEqual(['risk', 'timeToFaultS']);
    const none = told(values(Number.NaN));
    expect(toReport(rule, none, values(Number.NaN), T)).toEqual([]);
    expect(toReport(rule, none, values(0.3), T)).toEqual(['risk', 'timeToFaultS']);
  });

  it('reports everything once max_silence passed, or when the wall clock stepped back', () => {
    const last = told(values(0.3), T);
    expect(toReport(rule, last, values(0.3), T + 59_999)).toEqual([]);
    expect(toReport(rule, last, values(0.3), T + 60_000)).toEqual(DEVICE_METRIC_KEYS);
    expect(toReport(rule, last, values(0.3), T - 1)).toEqual(DEVICE_METRIC_KEYS);
    expect(toReport({ ...rule, maxSilenceMs: 0 }, last, values(0.3), T)).toEqual(DEVICE_METRIC_KEYS);
  });
});

describe('afterReport', () => {
  it('remembers only the metrics reported, and when', () => {
    const last = told(values(0.3, 5000, 0, '7'), T);
    const next = afterReport(last, values(0.5, 3600, 1, '8'), ['risk', 'level'], T + 5);
    expect(next).toEqual({ values: { risk: 0.5, timeToFaultS: 5000, level: 1, modelVersion: '7' }, at: T + 5 });
  });
});
