import { describe, expect, it } from 'vitest';
import { nextLevel, type Level } from '../../../src/predict/levels.js';

const t = { warning: 0.5, alarm: 0.8, hysteresis: 0.05 };
const run = (risks: number[], start: Level = 0): Level[] => {
  let level = start;
  return risks.map((risk) => (level = nextLevel(level, risk, t)));
};

describe('nextLevel', () => {
  it('rises as soon as a threshold is reached', () => {
    expect(run([0.1, 0.49, 0.5, 0.79, 0.8, 1])).toEqual([0, 0, 1, 1, 2, 2]);
    expect(run([0.9])).toEqual([2]);
  });

  it('does not flap while risk hovers at a threshold', () => {
    expect(run([0.51, 0.49, 0.5, 0.47, 0.52, 0.46, 0.44])).toEqual([1, 1, 1, 1, 1, 1, 0]);
    expect(run([0.81, 0.79, 0.8, 0.76, 0.8, 0.75, 0.74])).toEqual([2, 2, 2, 2, 2, 2, 1]);
  });

  it('falls only by as much as risk fell, with hysteresis', () => {
    expect(run([0.9, 0.6])).toEqual([2, 1]);
    expect(run([0.9, 0.3])).toEqual([2, 0]);
    expect(run([0.9, 0.46])).toEqual([2, 1]);
    expect(run([0.9, 0.44])).toEqual([2, 0]);
  });

  it('with zero hysteresis, follows the thresholds exactly', () => {
    let level: Level = 0;
    const levels = [0.5, 0.49, 0.8, 0.79].map((risk) => (level = nextLevel(level, risk, { ...t, hysteresis: 0 })));
    expect(levels).toEqual([1, 0, 2, 1]);
  });
});
