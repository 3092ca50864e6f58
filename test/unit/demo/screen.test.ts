// The demo's terminal view: what it says in each phase, widths, colour on and off, placeholders.
import { describe, expect, it } from 'vitest';
import { fit, formatDuration, headline, renderIntro, renderLine, renderScreen, useColor, visibleLength, type DemoState } from '../../../src/demo/screen.js';

const ESC = '\u001b[';

const BEFORE_MODEL: DemoState = {
  phase: 'collecting',
  brokerUrl: 'mqtt://127.0.0.1:41234',
  port: 41234,
  assets: ['press1', 'press2', 'lathe1', 'pump1', 'pump2', 'conveyor1'].map((asset) => ({ asset })),
  faults: 3,
  readings: 1800,
  needEpisodes: 2,
};

const PREDICTING: DemoState = {
  ...BEFORE_MODEL,
  phase: 'predicting',
  faults: 14,
  readings: 9000,
  predictions: 700,
  horizonS: 7200,
  model: { version: '3', rmse: 492, trainedAt: Date.UTC(2025, 10, 28, 12) },
  assets: [
    { asset: 'press1', risk: 0.12, level: 'ok', timeToFaultS: 6336, topFeature: 'vibration_mean', modelVersion: '3', rmse: 492 },
    { asset: 'press2', risk: 0.55, level: 'warning', timeToFaultS: 3240, topFeature: 'temperature_slope', modelVersion: '3', rmse: 492 },
    { asset: 'lathe1', risk: 0.91, level: 'alarm', timeToFaultS: 648, topFeature: 'vibration_std', modelVersion: '3', rmse: 492 },
    { asset: 'pump1', risk: 0, level: 'ok', timeToFaultS: 7200, topFeature: 'current_mean', modelVersion: '3', rmse: 492 },
    { asset: 'pump2' },
    { asset: 'conveyor1', risk: 0.3, level: 'ok', timeToFaultS: 5040, topFeature: 'temperature_mean', modelVersion: '3', rmse: 492 },
  ],
};

function visibleLines(screen: string): string[] {
  // eslint-disable-next-line no-control-regex -- ESC starts the escape codes this removes
  return screen.split('\n').map((l) => l.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''));
}

describe('headline', () => {
  it('says what is happening in each phase', () => {
    expect(headline(BEFORE_MODEL)).toBe('collecting history (3 faults so far, need 2 episodes)');
    expect(headline({ ...BEFORE_MODEL, faults: 1, needEpisodes: undefined })).toBe('collecting history (1 fault so far)');
    expect(headline({ ...BEFORE_MODEL, phase: 'training', trainingVersion: '3' })).toBe('training model 3');
    expect(headline(PREDICTING)).toBe('predicting with model 3');
    expect(headline({ ...BEFORE_MODEL, phase: 'starting' })).toBe('starting the broker, the line and the agent');
  });
});

describe('renderScreen', () => {
  it('redraws in place: cursor home first, each line cleared to its end, the rest of the screen cleared', () => {
    const screen = renderScreen(PREDICTING, { color: false, width: 120 });
    expect(screen.startsWith(`${ESC}H`)).toBe(true);
    expect(screen.endsWith(`${ESC}J`)).toBe(true);
    for (const line of screen.split('\n').slice(0, -1)) expect(line.endsWith(`${ESC}K`)).toBe(true);
  });

  it('shows the broker, the mosquitto_sub command and one row per asset', () => {
    const lines = visibleLines(renderScreen(PREDICTING, { color: false, width: 120 }));
    expect(lines).toContain("  mosquitto_sub -h 127.0.0.1 -p 41234 -V 311 -t 'plant/+/+/prediction' -v");
    expect(lines.some((l) => l.includes('mqtt://127.0.0.1:41234'))).toBe(true);
    const header = lines.findIndex((l) => l.startsWith('ASSET'));
    expect(lines[header]).toMatch(/^ASSET\s+RISK\s+LEVEL\s+TIME TO FAULT\s+TOP FEATURE\s+MODEL\s+RMSE$/);
    expect(lines[header + 1]).toMatch(/^press1\s+0\.12 █░{9}\s+ok\s+1h 45m\s+vibration_mean\s+3\s+8m 12s/);
    expect(lines[header + 3]).toMatch(/^lathe1\s+0\.91 █{9}░\s+alarm\s+10m 48s\s+vibration_std/);
    expect(lines[header + 4]).toMatch(/^pump1\s+0\.00 ░{10}\s+ok\s+> 2h\s+current_mean/);
    expect(lines[header + 5]).toMatch(/^pump2\s+-\s+-\s+-\s+-\s+-\s+-\s*$/);
  });

  it('shows placeholders before a model exists, and the collecting headline', () => {
    const lines = visibleLines(renderScreen(BEFORE_MODEL, { color: false, width: 100 }));
    expect(lines[0]).toBe('faultline demo  collecting history (3 faults so far, need 2 episodes)');
    expect(lines[1]).toBe('3 faults · 1800 readings');
    const rows = lines.slice(lines.findIndex((l) => l.startsWith('ASSET')) + 1, -3);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.split(/\s+/).slice(1).filter((c) => c !== '')).toEqual(['-', '-', '-', '-', '-', '-']);
  });

  it('uses no colour codes with colour off, and colours levels with it on', () => {
    const plain = renderScreen(PREDICTING, { color: false, width: 120 });
    // eslint-disable-next-line no-control-regex -- ESC starts a colour code
    expect(plain).not.toMatch(/\u001b\[[0-9;]*m/);
    const colored = renderScreen(PREDICTING, { color: true, width: 120 });
    expect(colored).toContain(`${ESC}1;31malarm  ${ESC}0m`);
    expect(colored).toContain(`${ESC}33mwarning${ESC}0m`);
    expect(colored).toContain(`${ESC}32mok     ${ESC}0m`);
    expect(visibleLines(colored)).toEqual(visibleLines(plain));
  });

  it.each([120, 80, 60, 40])('keeps every line within %i columns', (width) => {
    for (const color of [false, true]) {
      const screen = renderScreen({ ...PREDICTING, message: 'x'.repeat(200) }, { color, width });
      for (const line of screen.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(width);
    }
  });

  it('drops the risk bar first on a narrow terminal, keeping the level', () => {
    const lines = visibleLines(renderScreen(PREDICTING, { color: false, width: 70 }));
    const lathe = lines.find((l) => l.startsWith('lathe1'))!;
    expect(lathe).not.toContain('█');
    expect(lathe).toMatch(/^lathe1\s+0\.91\s+alarm\s+10m 48s/);
  });

  it('draws the bar with # and - in ascii mode', () => {
    expect(renderScreen(PREDICTING, { color: false, width: 120, ascii: true })).toContain('0.55 ######----');
  });

  it('shows the simulator\'s actual time to fault when given', () => {
    const state = { ...PREDICTING, assets: [{ ...PREDICTING.assets[1]!, actualTimeToFaultS: 3000 }] };
    const lines = visibleLines(renderScreen(state, { color: false, width: 120 }));
    expect(lines.find((l) => l.startsWith('ASSET'))).toContain('ACTUAL');
    expect(lines.find((l) => l.startsWith('press2'))).toMatch(/54m\s+50m\s+temperature_slope/);
  });
});

describe('renderLine', () => {
  it('is one plain line with the phase, the counts and every asset', () => {
    const line = renderLine({ ...PREDICTING, elapsedS: 42 });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    expect(line).not.toContain('\u001b');
    expect(line).toBe(
      '[42s] predicting with model 3 | model 3, RMSE 8m 12s | 14 faults | 9000 readings | 700 predictions | ' +
        'press1 0.12 ok 1h 45m, press2 0.55 warning 54m, lathe1 0.91 alarm 10m 48s, pump1 0.00 ok > 2h, pump2 -, conveyor1 0.30 ok 1h 24m\n',
    );
  });

  it('before a model: the collecting headline and placeholders', () => {
    expect(renderLine(BEFORE_MODEL)).toBe(
      'collecting history (3 faults so far, need 2 episodes) | 3 faults | 1800 readings | press1 -, press2 -, lathe1 -, pump1 -, pump2 -, conveyor1 -\n',
    );
  });
});

describe('renderIntro', () => {
  it('says where the broker is and how to subscribe', () => {
    expect(renderIntro(PREDICTING)).toBe(
      "faultline demo: broker mqtt://127.0.0.1:41234\nwatch the predictions with:\n  mosquitto_sub -h 127.0.0.1 -p 41234 -V 311 -t 'plant/+/+/prediction' -v\n",
    );
  });
});

describe('useColor', () => {
  it('colours a terminal unless NO_COLOR is set or TERM is dumb; never a pipe unless FORCE_COLOR', () => {
    expect(useColor(true, {})).toBe(true);
    expect(useColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(true, { NO_COLOR: '' })).toBe(true);
    expect(useColor(true, { TERM: 'dumb' })).toBe(false);
    expect(useColor(false, {})).toBe(false);
    expect(useColor(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(true, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'], [45, '45s'], [60, '1m'], [725, '12m 5s'], [3600, '1h'], [4320, '1h 12m'], [86_400, '1d'], [97_200, '1d 3h'], [-5, '0s'],
  ])('%i s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('fit', () => {
  it('cuts visible characters only, keeps escape codes whole and closes an open colour', () => {
    expect(fit('abcdef', 3)).toBe('abc');
    expect(fit(`${ESC}31mabcdef${ESC}0m`, 3)).toBe(`${ESC}31mabc${ESC}0m`);
    expect(fit(`ab${ESC}31mcd${ESC}0mef`, 10)).toBe(`ab${ESC}31mcd${ESC}0mef`);
    expect(visibleLength(fit('█'.repeat(20), 5))).toBe(5);
    expect(fit(`ab${ESC}3`, 10)).toBe('ab');
  });
});
