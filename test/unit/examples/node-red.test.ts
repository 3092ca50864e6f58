// examples/node-red/faultline-alarms.json against the contract (issue 16): it subscribes to the topics
// faultline publishes predictions on (built by src/topics/contract.ts, not copied by hand), reads the
// JSON payload's level by its contract name, raises the alarm on level 2, and is a well-wired flow.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { LEVEL_NAMES } from '../../../src/predict/levels.js';
import { predictionPayload } from '../../../src/predict/payload.js';
import { DEFAULT_PREDICTION_TOPIC, predictionMessages } from '../../../src/topics/contract.js';
import { filterMatches, parseTemplate } from '../../../src/topics/patterns.js';

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  topic?: string;
  datatype?: string;
  broker?: string;
  property?: string;
  rules?: Array<{ t: string; v?: string; vt?: string }>;
  wires?: string[][];
}

const flow = JSON.parse(readFileSync(fileURLToPath(new URL('../../../examples/node-red/faultline-alarms.json', import.meta.url)), 'utf8')) as FlowNode[];
const byId = new Map(flow.map((n) => [n.id, n]));

/** What an agent with the default config publishes for one alarm of press3 on line1. */
function published() {
  const topic = parseTemplate(DEFAULT_PREDICTION_TOPIC).render({ line: 'line1', asset: 'press3' });
  const prediction = { asset: 'press3', line: 'line1', prediction: { ts: 1, timeToFaultS: 600, risk: 0.92, contributions: [], historyS: 7200 }, level: 2 as const, modelVersion: '7', horizonS: 7200 };
  return { messages: predictionMessages(topic, predictionPayload(prediction), 2, { qos: 1, scalars: true }), payload: predictionPayload(prediction) };
}

describe('the Node-RED example flow', () => {
  it('subscribes to the prediction topic of the default config, and not to its scalar sub-topics', () => {
    expect(configSchema.parse({}).predictions.topic).toBe(DEFAULT_PREDICTION_TOPIC);
    const inputs = flow.filter((n) => n.type === 'mqtt in');
    expect(inputs).toHaveLength(1);
    const input = inputs[0]!;
    expect(input.topic).toBe(parseTemplate(DEFAULT_PREDICTION_TOPIC).filter);
    const [json, ...scalars] = published().messages;
    expect(filterMatches(input.topic!, json!.topic)).toBe(true);
    expect(scalars.map((m) => m.topic).filter((t) => filterMatches(input.topic!, t))).toEqual([]);
    // The payload is parsed as JSON and the broker node it names is in the flow.
    expect(input.datatype).toBe('json');
    expect(byId.get(input.broker!)?.type).toBe('mqtt-broker');
  });

  it('raises the alarm on the level the payload names alarm (2), once per change of level', () => {
    const { payload } = published();
    expect(payload.level).toBe(LEVEL_NAMES[2]);
    const filter = flow.find((n) => n.type === 'rbe')!;
    expect(filter.property).toBe('payload.level');
    const alarm = flow.find((n) => n.type === 'switch')!;
    expect(alarm.property).toBe('payload.level');
    expect(alarm.rules?.[0]).toEqual({ t: 'eq', v: LEVEL_NAMES[2], vt: 'str' });
    // mqtt in → filter → switch, whose first output is the alarm.
    expect(flow.find((n) => n.type === 'mqtt in')!.wires).toEqual([[filter.id]]);
    expect(filter.wires).toEqual([[alarm.id]]);
    expect(byId.get(alarm.wires![0]![0]!)?.type).toBe('change');
  });

  it('is well wired: unique ids, every wire and tab reference resolves', () => {
    expect(byId.size).toBe(flow.length);
    const tabs = new Set(flow.filter((n) => n.type === 'tab').map((n) => n.id));
    for (const node of flow) {
      if (node.z !== undefined) expect(tabs.has(node.z), node.id).toBe(true);
      for (const target of (node.wires ?? []).flat()) expect(byId.has(target), `${node.id} → ${target}`).toBe(true);
    }
  });
});
