// Alarm levels from risk, with hysteresis so a risk hovering at a threshold does not flap. Pure.

export type Level = 0 | 1 | 2;
export const LEVEL_NAMES = ['ok', 'warning', 'alarm'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

export interface LevelThresholds {
  warning: number;
  alarm: number;
  /** How far below a threshold risk must fall before the level drops back. */
  hysteresis: number;
}

/** Rises as soon as risk reaches a threshold; falls only once risk is `hysteresis` below it. */
export function nextLevel(previous: Level, risk: number, t: LevelThresholds): Level {
  const rising: Level = risk >= t.alarm ? 2 : risk >= t.warning ? 1 : 0;
  if (rising >= previous) return rising;
  const falling: Level = risk >= t.alarm - t.hysteresis ? 2 : risk >= t.warning - t.hysteresis ? 1 : 0;
  return Math.min(previous, falling) as Level;
}
