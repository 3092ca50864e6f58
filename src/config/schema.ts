// The one definition of faultline's config: every key's shape, default, unit and meaning.
// Validation of single values lives here, pure; cross-key rules live in rules.ts, YAML and positions in
// parse.ts, and the files a config names are checked in files.ts.
import { z } from 'zod';
import { DEFAULT_FEATURE_KINDS, FEATURE_KINDS } from '../learn/recipe.js';
import { DEFAULT_PREDICTION_TOPIC } from '../topics/contract.js';
import { parseTemplate } from '../topics/patterns.js';
import { cronProblem } from '../schedule/cron.js';
import { autoOrDuration, duration, filePath, fromCheck, qos, ratio, size, topicId, topicPattern } from './values.js';

export type { Unit } from './values.js';

const agent = z
  .strictObject({
    id: topicId()
      .default('gateway-01')
      .meta({ description: 'Names this gateway: its status and model topics and the MQTT client id.' }),
  })
  .prefault({});

const mqtt = z
  .strictObject({
    url: z
      .string()
      .check((ctx) => {
        const url = URL.canParse(ctx.value) ? new URL(ctx.value) : null;
        if (!url || (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') || url.hostname === '') {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            message: `"${ctx.value}" is not an MQTT broker URL; write mqtt://host:1883, or mqtts://host:8883 for TLS`,
          });
        }
      })
      .default('mqtt://127.0.0.1:1883')
      .meta({ description: 'Broker URL: mqtt://host:port, or mqtts://host:port for TLS.' }),
    client_id: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .meta({ description: 'MQTT client id; default faultline-<agent.id>. Must stay fixed so the broker keeps the session.' }),
    protocol_version: z
      .union([z.literal(4), z.literal(5)], { error: 'must be 5 (MQTT 5) or 4 (MQTT 3.1.1)' })
      .default(5)
      .meta({ description: '5 for MQTT 5 (session expiry, message expiry, reason codes), 4 for MQTT 3.1.1 brokers.' }),
    username: z.string().nullable().default(null).meta({ description: 'Username for the broker, if it asks for one.' }),
    password: z
      .string()
      .nullable()
      .default(null)
      .meta({
        description: 'Inline password. Prefer password_file or FAULTLINE_MQTT_PASSWORD: a password in this file draws a warning.',
        unit: 'secret',
      }),
    password_file: filePath('File whose first line is the broker password (mode 0600, owned by faultline).'),
    ca: filePath('PEM file of the CA that signed the broker certificate (pins it instead of the system CAs).'),
    cert: filePath('PEM client certificate, for brokers that require client certificates.'),
    key: filePath('PEM private key of the client certificate.'),
    keepalive: duration('30s', 'How often the broker expects to hear from us; a silent connection is dropped after 1.5 times this.'),
    connect_timeout: duration('10s', 'How long one connection attempt may take.'),
    reconnect_min: duration('1s', 'First wait before reconnecting after the broker goes away; doubles on each failure.'),
    reconnect_max: duration('60s', 'Longest wait between reconnect attempts (the backoff cap).'),
    session_expiry: duration('7d', 'MQTT 5: how long the broker keeps our session and queues QoS 1 messages while we are away.'),
    max_inflight: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(1000)
      .meta({ description: 'MQTT 5 receive maximum: QoS 1 messages the broker may send before we acknowledge them.' }),
  })
  .prefault({});

const telemetryEntry = z.strictObject({
  topic: topicPattern('Topic pattern; +name captures a level: +asset names the asset, +line its line, +sensor the sensor.'),
  format: z
    .enum(['json', 'value', 'sparkplug'])
    .default('json')
    .meta({ description: 'json: a flat object of numbers; value: a bare number (sensor from +sensor); sparkplug: Sparkplug B.' }),
  timestamp: z
    .string()
    .min(1)
    .nullable()
    .default('ts')
    .meta({ description: 'Payload field with the reading time (epoch ms, epoch s or ISO 8601 with zone); absent: arrival time.' }),
  fields: z
    .array(z.string().min(1))
    .nullable()
    .default(null)
    .meta({ description: 'Sensors to keep from a json payload; default: every numeric field.' }),
  qos: qos('Subscription QoS: 1 (nothing lost) or 0.'),
});

const faultEntry = z.strictObject({
  topic: topicPattern('Topic pattern of fault events; +asset names the asset that failed.'),
  timestamp: z
    .string()
    .min(1)
    .nullable()
    .default('ts')
    .meta({ description: 'Payload field with the fault time; absent or empty payload: arrival time.' }),
  qos: qos('Subscription QoS: 1 (nothing lost) or 0.'),
});

const ingest = z
  .strictObject({
    max_payload: size('64KB', 'Larger messages are rejected (and kept, truncated, in the dead-letter table).'),
    max_future: duration('5m', 'Readings stamped further ahead of the gateway clock than this are rejected.'),
    max_fields: z
      .number()
      .int()
      .min(1)
      .default(256)
      .meta({ description: 'Most sensor fields in one telemetry message; more is rejected.' }),
    max_series: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .meta({ description: 'Most distinct asset/sensor series in the buffer; readings of further new ones are rejected.' }),
    batch_size: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(2000)
      .meta({ description: 'Most messages committed in one transaction (group commit).' }),
    max_pending: z
      .number()
      .int()
      .min(100)
      .default(20_000)
      .meta({ description: 'Messages waiting for commit before faultline stops reading from the broker.' }),
  })
  .prefault({});

const storage = z
  .strictObject({
    path: z.string().min(1).default('./data/faultline.db').meta({ description: 'SQLite database file.', unit: 'path' }),
    retention: duration('30d', 'Readings older than this are deleted, and arriving ones rejected.'),
    max_size: size('2GB', 'Oldest readings are deleted to keep the buffer under this size.'),
    sync: z
      .enum(['full', 'normal'])
      .default('full')
      .meta({ description: 'full: acknowledged readings survive a power cut. normal: faster, survives a crash but not a power cut.' }),
    dead_letters: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .meta({ description: 'Rejected messages kept for inspection (the newest ones).' }),
  })
  .prefault({});

const model = z
  .strictObject({
    horizon: duration('2h', 'Longest time-to-fault the model predicts; further away counts as "not soon".'),
    window: duration('10m', 'The time scale of the features: ewma half-lives of window/3, window and 3 windows; the baseline is the first window of an episode.'),
    features: z
      .array(z.enum(FEATURE_KINDS))
      .min(1)
      .default([...DEFAULT_FEATURE_KINDS])
      .meta({
        description:
          'ewma: weighted means at three time scales; baseline: the mean of an episode\'s first window; age: time since the last fault; squares: of the ewma. mean, std, min, max, slope, last: statistics over the window (the recipe of earlier releases).',
      }),
    stride: autoOrDuration("Spacing of training samples in event time; auto: the readings' own spacing, wider only to keep a retrain within 200,000 samples."),
    conditions: z
      .array(z.string().min(1))
      .default([])
      .meta({
        description:
          'Telemetry fields that say how the machine is run (product, speed, load, settings). They pick an operating regime, within which each sensor is compared; they are not wear features.',
      }),
    full_window: z
      .boolean()
      .default(false)
      .meta({ description: 'Train only where a whole window of an episode lies behind a sample. Predictions use what exists either way.' }),
    max_gap: autoOrDuration('A sensor silent longer than this has missing features; auto: 3 windows for ewma, half the window for window statistics.'),
    ridge: z
      .union([z.literal('auto'), z.number().positive()], { error: 'must be auto or a positive number' })
      .default('auto')
      .meta({ description: 'Ridge penalty lambda, or auto to choose it from a grid on held-out episodes.' }),
    test_fraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.2)
      .meta({ description: 'Share of the latest episodes held out to test a new model.' }),
    min_samples: z
      .number()
      .int()
      .min(10)
      .default(200)
      .meta({ description: 'Labelled samples needed before training.' }),
  })
  .prefault({});

const schedule = z
  .strictObject({
    retrain: z
      .string()
      .check(
        fromCheck((expression) => {
          const problem = cronProblem(expression);
          if (problem) throw new Error(problem);
        }),
      )
      .default('0 */6 * * *')
      .meta({ description: 'When to retrain, as cron (node-cron syntax, local time).' }),
  })
  .prefault({});

const levels = z
  .strictObject({
    warning: ratio(0.5, 'Risk at which the level becomes warning (1).'),
    alarm: ratio(0.8, 'Risk at which the level becomes alarm (2).'),
    hysteresis: ratio(0.05, 'Risk must fall this far below a threshold before the level drops back.'),
  })
  .prefault({});

const predictions = z
  .strictObject({
    topic: z
      .string()
      .check(fromCheck(parseTemplate))
      .default(DEFAULT_PREDICTION_TOPIC)
      .meta({ description: 'Where each asset’s prediction goes; {name} is filled from the telemetry topic captures.' }),
    qos: qos('QoS of predictions: 1 (delivered at least once) or 0.'),
    min_interval: duration('1s', 'At most one prediction per asset per this much event time.'),
    scalars: z
      .boolean()
      .default(true)
      .meta({ description: 'Also publish /risk, /time_to_fault_s and /level as bare numbers for PLCs.' }),
    expiry: duration('5m', 'MQTT 5 message expiry, so a SCADA never acts on a stale prediction.'),
    contributions: z
      .number()
      .int()
      .min(0)
      .max(50)
      .default(3)
      .meta({ description: 'How many of the largest model terms each prediction explains itself with.' }),
    levels,
    outbox_max: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .meta({ description: 'Predictions kept while the broker is away; beyond this the oldest are dropped and counted.' }),
    outbox_rate: z
      .number()
      .positive()
      .default(200)
      .meta({ description: 'Held predictions sent per second once the broker is back.' }),
  })
  .prefault({});

const http = z
  .strictObject({
    listen: z
      .string()
      .regex(/^(off|(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5})$/, 'must be host:port such as 127.0.0.1:9464, or off')
      .default('127.0.0.1:9464')
      .meta({ description: 'Address of the status page, /healthz, /metrics and /v1/predict; loopback unless you open it (then token_file is required); off disables.' }),
    max_body: size('1MB', 'Largest request body accepted by /v1/predict.'),
    token_file: filePath('File whose first line is the bearer token every route but /healthz then requires (at least 16 characters); required when listen is not loopback.'),
  })
  .prefault({});

const log = z
  .strictObject({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .meta({ description: 'Least severe log level written (JSON lines on stdout, kept by journald).' }),
  })
  .prefault({});

const sparkplug = z
  .strictObject({
    enabled: z.boolean().default(false).meta({ description: 'Also publish predictions as a Sparkplug B edge node.' }),
    group_id: z.string().min(1).default('faultline').meta({ description: 'Sparkplug group id.' }),
    edge_node_id: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .meta({ description: 'Sparkplug edge node id; default agent.id.' }),
    primary_host_id: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .meta({ description: 'Wait for this primary host’s STATE online before publishing births (Sparkplug 3.0).' }),
    deadband: ratio(
      0.01,
      'Report by exception: publish risk and time_to_fault_s when they move more than this fraction of their range (0–1, 0–model.horizon) from the value last sent; level and model_version on any change.',
    ),
    max_silence: duration(
      '60s',
      'Report by exception: publish an asset’s current values at least this often (wall time) while it gets predictions, so a host can tell alive from stuck.',
    ),
  })
  .prefault({});

/** Fleet learning (issue 15): share this gateway's episode sums with a fleet, and learn from theirs. */
const fleet = z
  .strictObject({
    id: topicId()
      .nullable()
      .default(null)
      .meta({ description: 'The fleet this gateway belongs to, the same on each of its gateways; null: no fleet (share and learn need an id).' }),
    share: z
      .boolean()
      .default(false)
      .meta({ description: 'After each retrain, publish the sums of its final episodes (never a reading), retained, on its fleet statistics topic.' }),
    learn: z
      .boolean()
      .default(false)
      .meta({ description: "Subscribe to the fleet's statistics, keep each member's latest in the buffer, and train on them with this gateway's own." }),
    members: z
      .array(topicId())
      .default([])
      .meta({ description: 'Agent ids whose statistics are taken; empty: any agent of the fleet. Others are rejected and dead-lettered.' }),
    wait: duration(
      '1d',
      'How long a member that sends nothing is waited for: a fleet fit is promoted once the members it draws on have scored it, or have been silent this long.',
    ),
    max_message_bytes: size('16MB', 'Largest statistics message taken, compressed and once decompressed (so a gzip bomb is refused, not expanded).'),
  })
  .prefault({});

export const configSchema = z.strictObject({
  agent,
  mqtt,
  telemetry: z
    .array(telemetryEntry)
    .min(1, 'needs at least one telemetry topic')
    .prefault([{ topic: 'plant/+line/+asset/telemetry' }])
    .meta({ description: 'Telemetry topics, one entry per topic pattern.' }),
  faults: z
    .array(faultEntry)
    .prefault([{ topic: 'plant/+line/+asset/fault' }])
    .meta({ description: 'Fault event topics; each message marks a fault of its asset.' }),
  ingest,
  storage,
  model,
  schedule,
  predictions,
  http,
  log,
  sparkplug,
  fleet,
});

export type Config = z.output<typeof configSchema>;
export type MqttConfig = Config['mqtt'];
export type TelemetryConfig = Config['telemetry'][number];
export type FaultConfig = Config['faults'][number];
export type FleetConfig = Config['fleet'];
