// Property tests (issue 7, hostile input) over the config loader: for any text and environment,
// parseConfig returns a config or throws a ConfigError, never anything else, and every problem it
// reports names a key and a position inside the file (or the variable that set it). Fixed seed in
// CI; FUZZ_SEED and FUZZ_RUNS explore further.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseConfig, type Env } from '../../../src/config/load.js';
import { MASK, renderConfig } from '../../../src/config/render.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 7_2026);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 400);
const settings = { seed: SEED, numRuns: RUNS };
const FILE = 'f.yaml';
const EXAMPLE = readFileSync(new URL('../../../config/faultline.yaml', import.meta.url), 'utf8');

const SECTIONS: Record<string, string[]> = {
  agent: ['id'],
  mqtt: ['url', 'username', 'password', 'password_file', 'ca', 'cert', 'key', 'keepalive', 'protocol_version', 'reconnect_min', 'reconnect_max', 'max_inflight'],
  ingest: ['max_payload', 'max_future', 'max_fields', 'max_series', 'batch_size', 'max_pending'],
  storage: ['path', 'retention', 'max_size', 'sync', 'dead_letters'],
  model: ['horizon', 'window', 'features', 'stride', 'max_gap', 'ridge', 'test_fraction', 'min_samples'],
  schedule: ['retrain'],
  predictions: ['topic', 'qos', 'min_interval', 'scalars', 'levels', 'outbox_max'],
  http: ['listen', 'max_body'],
  log: ['level'],
  fleet: ['id', 'share', 'learn', 'members', 'max_message_bytes'],
};

/** Scalars a technician (or a cat on the keyboard) might type. */
const arbScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('10m', '0s', '-5s', '1e9d', '2GB', '0KB', 'auto', 'mqtt://', 'mqtts://h:99999', 'plant/#', 'plant/+a/+a', '* * * * *', '61 * * * *', '', '~', 'null', 'yes', '0x10', '.inf', '.nan'),
  fc.string({ maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

/** YAML built from real section and key names with arbitrary values, plus unknown keys. */
const arbStructured: fc.Arbitrary<string> = fc
  .dictionary(
    fc.oneof(fc.constantFrom(...Object.keys(SECTIONS), 'telemetry', 'faults'), fc.string({ maxLength: 8 })),
    fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom(...Object.values(SECTIONS).flat()), fc.string({ maxLength: 8 })), arbScalar, { maxKeys: 6 }),
      fc.array(fc.dictionary(fc.constantFrom('topic', 'format', 'timestamp', 'fields', 'qos', 'x'), arbScalar, { maxKeys: 5 }), { maxLength: 3 }),
      arbScalar,
    ),
    { maxKeys: 8 },
  )
  .map((tree) => stringify(tree));

const TOKENS = ['mqtt:', '  url: x', '- ', ':', '{', '}', '[', ']', '&a ', '*a', '!!binary ', '? ', "'", '"', '#', '\t', '---', '...', '%YAML 1.2', '<<: *a', '  ', '\n', '|', '>', '@', '`', 'telemetry:', '  - topic: a/+asset', '\r\n', '\u0000', '\ufeff'];

/** Token soup in YAML's own alphabet. */
const arbTokens: fc.Arbitrary<string> = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join(''));

/** The documented example with a few edits: lines deleted, swapped, re-indented, values replaced, junk inserted. */
const arbMutated: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(fc.constantFrom('delete', 'swap', 'indent', 'dedent', 'value', 'insert'), fc.nat(), fc.nat(), arbScalar, fc.constantFrom(...TOKENS)),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) => {
    const lines = EXAMPLE.split('\n');
    for (const [kind, a, b, scalar, token] of edits) {
      const i = a % lines.length;
      const j = b % lines.length;
      const line = lines[i] ?? '';
      if (kind === 'delete') lines.splice(i, 1);
      else if (kind === 'swap') [lines[i], lines[j]] = [lines[j] ?? '', line];
      else if (kind === 'indent') lines[i] = ` ${line}`;
      else if (kind === 'dedent') lines[i] = line.replace(/^ /, '');
      else if (kind === 'value') lines[i] = line.replace(/:\s.*$/, `: ${String(JSON.stringify(scalar))}`);
      else lines[i] = line.slice(0, b % (line.length + 1)) + token + line.slice(b % (line.length + 1));
      if (lines.length === 0) lines.push('');
    }
    return lines.join('\n');
  });

const arbText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  arbTokens,
  arbStructured,
  arbMutated,
);

const arbEnv: fc.Arbitrary<Env> = fc.dictionary(
  fc.constantFrom('FAULTLINE_MQTT__URL', 'FAULTLINE_AGENT__ID', 'FAULTLINE_TELEMETRY__0__TOPIC', 'FAULTLINE_TELEMETRY__3__QOS', 'FAULTLINE_MODEL__WINDOW', 'FAULTLINE_LOG', 'FAULTLINE___', 'FAULTLINE_A__B__C__D', 'FAULTLINE_MQTT__PASSWORD_FILE', 'FAULTLINE_HTTP__LISTEN', 'OTHER'),
  // Environment values are strings; objects (fast-check makes some without a prototype) as JSON.
  fc.oneof(arbScalar.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))), fc.string({ maxLength: 12 })),
  { maxKeys: 3 },
);

/** Every problem names a key and a position inside the text (or the variable that set it). */
function expectLocated(error: unknown, text: string, env: Env): void {
  expect(error).toBeInstanceOf(ConfigError);
  const { problems } = error as ConfigError;
  expect(problems.length).toBeGreaterThan(0);
  const lines = text.split('\n');
  for (const problem of problems) {
    expect(typeof problem.key).toBe('string');
    expect(problem.key.length).toBeGreaterThan(0);
    expect(problem.message.length).toBeGreaterThan(0);
    if ('env' in problem.at) {
      expect(Object.keys(env)).toContain(problem.at.env);
      continue;
    }
    const { file, line, col } = problem.at;
    expect(file).toBe(FILE);
    expect(Number.isInteger(line) && line >= 1 && line <= lines.length, `line ${line} of ${lines.length}: ${JSON.stringify(problem)}`).toBe(true);
    const length = lines[line - 1]!.length;
    expect(Number.isInteger(col) && col >= 1 && col <= length + 1, `col ${col} of ${length + 1}: ${JSON.stringify(problem)}`).toBe(true);
  }
}

function load(text: string, env: Env): { ok: true; rendered: string } | { ok: false; error: unknown } {
  try {
    const loaded = parseConfig(text, FILE, env);
    return { ok: true, rendered: renderConfig(loaded.config) };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('fuzz: parseConfig', () => {
  it('returns a config or throws a ConfigError whose every problem has a key and a position in the file', () => {
    fc.assert(
      fc.property(arbText, (text) => {
        const result = load(text, {});
        if (!result.ok) expectLocated(result.error, text, {});
      }),
      settings,
    );
  });

  it('does the same with FAULTLINE_* overrides, which are named as the place of their problems', () => {
    fc.assert(
      fc.property(fc.oneof(arbMutated, arbStructured, fc.constant(EXAMPLE)), arbEnv, (text, env) => {
        const result = load(text, env);
        if (!result.ok) expectLocated(result.error, text, env);
      }),
      settings,
    );
  });

  it('never prints a password it was given, however the rest of the file looks', () => {
    fc.assert(
      fc.property(fc.oneof(arbMutated, fc.constant(EXAMPLE)), fc.stringMatching(/^[A-Za-z0-9]{12,24}$/), (text, password) => {
        const result = load(text, { FAULTLINE_MQTT_PASSWORD: `pw-${password}` });
        if (result.ok) {
          expect(result.rendered).not.toContain(`pw-${password}`);
          expect(result.rendered).toContain(`password: "${MASK}"`);
        } else {
          expect((result.error as Error).message).not.toContain(`pw-${password}`);
        }
      }),
      settings,
    );
  });

  // Found by the properties above: yaml's toJS threw a ReferenceError (check-config exited 1 with a
  // stack trace), and yaml's LineCounter lost line breaks while recovering from a syntax error.
  it('reports an alias without an anchor, and an alias bomb, as config problems at the alias', () => {
    const problems = (text: string) => ((load(text, {}) as { error: ConfigError }).error.problems).map((p) => `${'line' in p.at ? `${p.at.line}:${p.at.col}` : ''} ${p.key}`);
    expect(problems('agent:\n  id: gw\nmqtt:\n  url: *broker\n')).toEqual(['4:8 mqtt.url']);
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]'].join('\n');
    expect(problems(bomb)).toEqual(['2:8 b']);
    const split = EXAMPLE.replace('\nmqtt:\n', '\nm\nqtt:\n');
    const located = (load(split, {}) as { error: ConfigError }).error.problems[0]!;
    expect(located.at).toEqual({ file: FILE, line: EXAMPLE.split('\n').indexOf('mqtt:') + 1, col: 1 });
  });

  it('accepts the documented example unchanged, and refuses a sensor listed twice or the timestamp listed as a sensor', () => {
    expect(load(EXAMPLE, {}).ok).toBe(true);
    const fields = (list: string) => `telemetry:\n  - topic: plant/+line/+asset/telemetry\n    fields: ${list}\n`;
    const problems = (text: string) => ((load(text, {}) as { error: ConfigError }).error.problems).map((p) => `${'line' in p.at ? `${p.at.line}:${p.at.col}` : ''} ${p.key}: ${p.message}`);
    expect(problems(fields('[a, b, a]'))).toEqual(['3:20 telemetry[0].fields[2]: lists "a" a second time; list each sensor once']);
    expect(problems(fields('[ts, a]'))).toEqual(['3:14 telemetry[0].fields[0]: "ts" is the timestamp field (timestamp: ts), not a sensor; remove it from fields']);
  });
});
