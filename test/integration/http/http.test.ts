// The local HTTP endpoint of a running agent: /healthz, /metrics (Prometheus text) and
// POST /v1/predict, with every kind of bad request refused with a clear message.
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/demo/broker.js';
import { Metrics } from '../../../src/http/metrics.js';
import { startHttp } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import { connectClient, openBuffer, type TestBroker } from '../../helpers/brokers.js';
import { startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { seedChampion } from '../../helpers/model.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { ingestConfig } from '../ingest/agent.js';

/** Checks Prometheus text exposition line by line; returns samples by name (with labels). */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( \d+)?$/.exec(line);
    expect(sample, `not a Prometheus sample line: ${line}`).not.toBeNull();
    samples.set(`${sample![1]}${sample![2] ?? ''}`, Number(sample![3]));
  }
  expect(types.size).toBeGreaterThan(5);
  return samples;
}

describe('HTTP endpoint', () => {
  it('answers /healthz, /metrics and /v1/predict, and refuses bad requests', async () => {
    const embedded = await startBroker();
    let brokerUp = true;
    onCleanup(async () => {
      if (brokerUp) await embedded.close();
    });
    const broker: TestBroker = { kind: 'aedes', url: embedded.url, protocolVersion: 4 };
    const dir = await tempDir('http');
    const version = seedChampion(join(dir, 'faultline.db'));
    const port = await freePort();
    const agent = startAgent(writeConfig(dir, { ...ingestConfig(broker), http: { listen: `127.0.0.1:${port}`, max_body: '2KB' } }));
    await agent.waitForLog((l) => l.msg === 'subscribed', 15_000, 'subscribed');
    const base = `http://127.0.0.1:${port}`;
    const post = (body: string) => fetch(`${base}/v1/predict`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ mqtt: 'connected', db: 'ok', last_reading_age_s: null, model: version });

    // 15 minutes of press1 at 70 °C: the hand model says 7200 − 288·10 = 4320 s to fault.
    const client = await connectClient(broker);
    const start = Date.now() - 20 * 60_000;
    for (let i = 0; i < 15; i++) await client.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: start + i * 60_000, temperature: 70 }), { qos: 1 });
    const buffer = openBuffer(join(dir, 'faultline.db'));
    await waitUntil(() => buffer.counter('readings') === 15, 10_000, 'the 15 readings are stored');
    const buffered = (await (await post('{"asset":"press1"}')).json()) as { contributions: unknown };
    expect(buffered).toMatchObject({ asset: 'press1', line: 'line1', time_to_fault_s: 4320, horizon_s: 7200, risk: 0.4, level: 'ok', model: version, ts: start + 14 * 60_000 });
    expect(buffered.contributions).toEqual([{ feature: 'temperature_mean', value: expect.any(Number) }]);

    const rows = Array.from({ length: 12 }, (_, i) => ({ ts: start + i * 60_000, temperature: 80 }));
    const given = await post(JSON.stringify({ asset: 'test-rig', readings: rows }));
    expect(given.status).toBe(200);
    expect(await given.json()).toMatchObject({ asset: 'test-rig', time_to_fault_s: 1440, risk: 0.8, level: 'alarm' });

    const refusals: Array<[string, number, RegExp]> = [
      ['{"asset": "press1"', 400, /not JSON/],
      ['[1,2]', 400, /must be a JSON object/],
      ['{}', 400, /send \{"asset":"press3"\} to predict from the buffered window/],
      ['{"asset": 7}', 400, /"asset" must be a non-empty string/],
      ['{"readings": []}', 400, /non-empty list/],
      ['{"readings": [{"temperature": 1}]}', 400, /readings\[0\] has no "ts"/],
      [JSON.stringify({ readings: [{ ts: start, temperature: 'hot' }] }), 400, /readings\[0\]\.temperature is "hot", not a finite number/],
      [JSON.stringify({ readings: [{ ts: '2025-01-01T00:00:00', temperature: 1 }] }), 400, /no time zone/],
      [JSON.stringify({ readings: rows.slice(0, 3) }), 400, /the window is not full/],
      ['{"asset": "press1", "readngs": []}', 400, /unknown field "readngs"/],
      ['{"asset": "nobody"}', 404, /unknown asset "nobody"/],
      [JSON.stringify({ readings: Array.from({ length: 100 }, (_, i) => ({ ts: start + i, temperature: 1 })) }), 413, /http\.max_body/],
    ];
    for (const [body, status, message] of refusals) {
      const response = await post(body);
      expect(response.status, body.slice(0, 60)).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    expect((await fetch(`${base}/v1/predict`)).status).toBe(405);
    expect((await fetch(`${base}/nope`)).status).toBe(404);

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const samples = parsePrometheus(await metrics.text());
    expect(samples.get('faultline_readings_stored_total')).toBe(15);
    expect(samples.get('faultline_buffer_rows')).toBe(15);
    expect(samples.get('faultline_buffer_bytes')).toBeGreaterThan(0);
    expect(samples.get('faultline_wal_bytes')).toBeGreaterThan(0);
    expect(samples.get('faultline_model_rmse_seconds')).toBe(123.4);
    expect(samples.get('faultline_mqtt_connected')).toBe(1);
    expect(samples.get('faultline_predictions_published_total')).toBe(5 * 4); // 5 predictions (15 readings − 10 for the window) × JSON + 3 scalars
    expect(samples.has('faultline_training_duration_seconds_count')).toBe(true);
    expect(samples.has('process_resident_memory_bytes')).toBe(true);

    await client.publishAsync('plant/line1/press1/telemetry', 'not json', { qos: 1 });
    await waitUntil(async () => parsePrometheus(await (await fetch(`${base}/metrics`)).text()).get('faultline_readings_rejected_total{reason="not_json"}') === 1, 10_000, 'the rejection is counted');

    await embedded.close();
    brokerUp = false;
    await waitUntil(async () => (await fetch(`${base}/healthz`)).status === 503, 10_000, '/healthz turns 503 without the broker');
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ mqtt: 'disconnected', db: 'ok', model: version });
    expect((await agent.stop()).code).toBe(0);
  });
});

describe('HTTP body limit without a declared length', () => {
  it('answers 413 to a chunked body over http.max_body', async () => {
    let predicted = 0;
    const server = await startHttp({
      listen: '127.0.0.1:0',
      maxBody: 1024,
      log: createLogger('fatal'),
      metrics: new Metrics(),
      snapshot: () => ({ readingsStored: 0, rejected: new Map(), predictionsPublished: 0, bufferRows: 0, bufferBytes: 0, walBytes: 0, modelRmseSeconds: null, mqttConnected: false, publishFailures: 0, outboxRows: 0, outboxDropped: 0, buildVersion: '0.0.0', modelVersion: null, assets: [], fleet: null }),
      health: () => ({ healthy: true, mqtt: 'connected', db: 'ok', last_reading_age_s: null, model: null }),
      predict: () => {
        predicted++;
        throw new Error('not reached');
      },
      token: null,
      page: null,
    });
    onCleanup(() => server.close());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/predict', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      for (let i = 0; i < 64; i++) req.write('x'.repeat(100));
      req.end();
    });
    expect(status).toBe(413);
    expect(predicted).toBe(0);
  });
});
