// Rules that span several keys (a topic's captures against the prediction topic, paired TLS files,
// ordered thresholds, a retention long enough to learn from). Pure: takes a schema-valid config,
// returns problems with their key paths.
import { isLoopback } from '../http/listen.js';
import { EXAMPLE_PREDICTION_TOPIC } from '../topics/contract.js';
import { parsePattern, parseTemplate } from '../topics/patterns.js';
import type { Config } from './schema.js';
import { formatDuration } from './units.js';

export interface RuleProblem {
  path: Array<string | number>;
  message: string;
  /** Not a reason to refuse the config: the agent runs, and the technician is told. */
  warning?: true;
}

export function checkRules(config: Config): RuleProblem[] {
  return [...checkTopics(config), ...checkMqtt(config), ...checkThresholds(config), ...checkRetention(config), ...checkConditions(config), ...checkHttp(config), ...checkFleet(config)];
}

/**
 * About the MQTT maximum packet size (a remaining length of at most 268,435,455 bytes [MQTT-2.2.3]):
 * a larger statistics message could never arrive.
 */
const MAX_FLEET_MESSAGE_BYTES = 256 * 1024 ** 2;
const MIN_FLEET_MESSAGE_BYTES = 1024;

/** Sharing and learning name topics by the fleet id (without one, the fleet is off); the message bound must fit MQTT (issue 15). */
function checkFleet(config: Config): RuleProblem[] {
  const { id, share, learn, members, max_message_bytes: max } = config.fleet;
  const problems: RuleProblem[] = [];
  for (const [key, on] of [['share', share], ['learn', learn]] as const) {
    if (on && id === null) {
      // The contract: a fleet is off without an id. Said, so that it is not a silent surprise.
      problems.push({
        path: ['fleet', key],
        warning: true,
        message: `is on, but fleet.id is not set, so this gateway is in no fleet and ${key === 'share' ? 'shares' : 'learns'} nothing; set fleet.id to the fleet's name, the same on each of its gateways (e.g. press-fleet), or set ${key}: false`,
      });
    }
  }
  members.forEach((member, i) => {
    if (members.indexOf(member) !== i) problems.push({ path: ['fleet', 'members', i], message: `lists "${member}" a second time; list each agent id once` });
  });
  if (max < MIN_FLEET_MESSAGE_BYTES || max > MAX_FLEET_MESSAGE_BYTES) {
    problems.push({ path: ['fleet', 'max_message_bytes'], message: 'must be between 1KB and 256MB (about the most one MQTT message can carry); the default is 16MB' });
  }
  return problems;
}

/** The page, the metrics and the predictions are for this machine only, unless a token guards them (issue 16). */
function checkHttp(config: Config): RuleProblem[] {
  const { listen, token_file } = config.http;
  if (listen === 'off' || token_file !== null || isLoopback(listen)) return [];
  return [{ path: ['http', 'listen'], message: `"${listen}" is not a loopback address, so others on the network can reach it; set http.token_file to a file holding a bearer token, or listen on 127.0.0.1` }];
}

function checkTopics(config: Config): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Map<string, string>();
  const notSeen = (filter: string, path: string): boolean => {
    const other = seen.get(filter);
    seen.set(filter, path);
    return other === undefined;
  };
  const captured: string[][] = [];

  config.telemetry.forEach((entry, index) => {
    const pattern = parsePattern(entry.topic);
    const where = ['telemetry', index, 'topic'];
    if (!notSeen(pattern.filter, `telemetry[${index}]`)) {
      problems.push({ path: where, message: `subscribes to ${pattern.filter} a second time; merge the two entries` });
    }
    // A sensor listed twice would be read twice from each message; the timestamp is not a sensor.
    entry.fields?.forEach((field, j) => {
      if (entry.fields!.indexOf(field) !== j) {
        problems.push({ path: ['telemetry', index, 'fields', j], message: `lists "${field}" a second time; list each sensor once` });
      } else if (field === entry.timestamp) {
        problems.push({ path: ['telemetry', index, 'fields', j], message: `"${field}" is the timestamp field (timestamp: ${field}), not a sensor; remove it from fields` });
      }
    });
    if (entry.format === 'sparkplug') return; // the asset is the Sparkplug device id
    captured.push([...pattern.captureNames]);
    if (!pattern.captureNames.includes('asset')) {
      problems.push({ path: where, message: 'has no +asset capture; mark the level that names the asset, e.g. plant/+line/+asset/telemetry' });
    }
    if (entry.format === 'value' && !pattern.captureNames.includes('sensor')) {
      problems.push({ path: where, message: 'format value needs a +sensor capture to name the sensor, e.g. plant/+asset/+sensor' });
    }
  });

  config.faults.forEach((entry, index) => {
    const pattern = parsePattern(entry.topic);
    const where = ['faults', index, 'topic'];
    if (!notSeen(pattern.filter, `faults[${index}]`)) {
      problems.push({ path: where, message: `subscribes to ${pattern.filter}, which another entry already does; use distinct topics for faults` });
    }
    if (!pattern.captureNames.includes('asset')) {
      problems.push({ path: where, message: 'has no +asset capture; mark the level that names the asset, e.g. plant/+line/+asset/fault' });
    }
  });

  const template = parseTemplate(config.predictions.topic);
  // Each asset is stored with its asset and line names only, so those are all a topic can use.
  for (const name of template.names.filter((n) => n !== 'asset' && n !== 'line')) {
    problems.push({ path: ['predictions', 'topic'], message: `uses {${name}}; a prediction topic may use {asset} and {line}` });
  }
  // A topic without +asset is reported above; {asset} need not be reported again.
  for (const name of template.names.filter((n) => n === 'line')) {
    const missing = captured.findIndex((names) => !names.includes(name));
    if (missing >= 0) {
      problems.push({
        path: ['predictions', 'topic'],
        message: `uses {${name}}, but telemetry topic "${config.telemetry[missing]?.topic}" has no +${name} capture; remove {${name}} or add +${name} to that topic`,
      });
    }
  }
  if (!template.names.includes('asset')) {
    problems.push({ path: ['predictions', 'topic'], message: `needs {asset} so each asset gets its own topic, e.g. ${EXAMPLE_PREDICTION_TOPIC}` });
  }
  return problems;
}

function checkMqtt(config: Config): RuleProblem[] {
  const { mqtt } = config;
  const problems: RuleProblem[] = [];
  if ((mqtt.cert === null) !== (mqtt.key === null)) {
    const missing = mqtt.cert === null ? 'cert' : 'key';
    problems.push({ path: ['mqtt', missing], message: `is missing; a client certificate needs both mqtt.cert and mqtt.key` });
  }
  if (mqtt.password !== null && mqtt.password_file !== null) {
    problems.push({ path: ['mqtt', 'password'], message: 'is set together with mqtt.password_file; keep only password_file' });
  }
  if ((mqtt.password !== null || mqtt.password_file !== null) && mqtt.username === null) {
    problems.push({ path: ['mqtt', 'username'], message: 'is missing; a password needs a username' });
  }
  if (mqtt.reconnect_min > mqtt.reconnect_max) {
    problems.push({ path: ['mqtt', 'reconnect_min'], message: 'is longer than mqtt.reconnect_max; the first wait must not exceed the cap' });
  }
  return problems;
}

function checkThresholds(config: Config): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const { warning, alarm } = config.predictions.levels;
  if (warning >= alarm) {
    problems.push({ path: ['predictions', 'levels', 'warning'], message: `(${warning}) must be below alarm (${alarm})` });
  }
  const { window, horizon, stride } = config.model;
  if (window <= 0 || horizon <= 0 || (stride !== 'auto' && stride <= 0)) {
    const key = window <= 0 ? 'window' : horizon <= 0 ? 'horizon' : 'stride';
    problems.push({ path: ['model', key], message: 'must be longer than zero' });
  }
  return problems;
}

/** Condition fields must reach faultline: when entries list their fields, each condition among them. */
function checkConditions(config: Config): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const listed = config.telemetry.every((t) => t.fields !== null) ? new Set(config.telemetry.flatMap((t) => t.fields ?? [])) : null;
  config.model.conditions.forEach((field, i) => {
    if (config.model.conditions.indexOf(field) !== i) {
      problems.push({ path: ['model', 'conditions', i], message: `lists "${field}" a second time; list each field once` });
    } else if (listed !== null && !listed.has(field)) {
      problems.push({ path: ['model', 'conditions', i], message: `"${field}" is not in any telemetry entry's fields; add it there, or faultline never stores it` });
    }
  });
  return problems;
}

/**
 * A moment is labelled only with its trailing window of readings and up to a horizon after it: a
 * buffer that forgets sooner than that can never hold a labelled sample.
 */
function checkRetention(config: Config): RuleProblem[] {
  const { retention } = config.storage;
  const { horizon, window } = config.model;
  if (retention >= horizon + window) return [];
  return [
    {
      path: ['storage', 'retention'],
      message:
        `(${formatDuration(retention)}) is shorter than model.horizon + model.window (${formatDuration(horizon)} + ${formatDuration(window)}): readings would be ` +
        'deleted before any moment has its window and its label, so nothing could ever be learned; keep several fault cycles, e.g. 30d',
    },
  ];
}
