// faultline as a Sparkplug edge node through a real broker, every message decoded by Eclipse Tahu:
// NBIRTH/DBIRTH/DDATA/NDATA/NDEATH content, bdSeq and seq across a reconnect and a restart, rebirth on NCMD.
import { expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { BD_SEQ_KEY } from '../../../src/sparkplug/edge-node.js';
import { memoryStore, metaStore } from '../../../src/store/meta.js';
import { connectClient, describeEachBroker } from '../../helpers/brokers.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { EDGE, GROUP, isNullFlag, metric, num, Observer, prediction, seqOf, startNode, tahu, TcpProxy, testConfig, WAIT_MS } from './harness.js';

const T = 1_764_320_000_000;

describeEachBroker('sparkplug edge node', (startBroker) => {
  it('publishes NBIRTH, DBIRTH before the first DDATA, NDATA, and NDEATH on a clean stop', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    const { node } = startNode(testConfig(broker.url, broker), { node: () => ({ modelVersion: '7', rmse: 812.5, readingsStored: 1234 }) });

    const nbirth = await observer.next(`NBIRTH/${EDGE}`);
    expect(nbirth.topic).toBe(`spBv1.0/${GROUP}/NBIRTH/${EDGE}`);
    expect(nbirth).toMatchObject({ qos: 0, retain: false });
    expect(seqOf(nbirth)).toBe(0);
    expect(num(nbirth.payload!.timestamp)).toBeGreaterThan(T);
    expect(metric(nbirth, 'bdSeq')).toMatchObject({ type: 'Int64' });
    expect(num(metric(nbirth, 'bdSeq').value)).toBe(0);
    expect(metric(nbirth, 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(metric(nbirth, 'Node Control/Rebirth').alias).toBeUndefined();
    expect(metric(nbirth, 'model_version')).toMatchObject({ type: 'String', value: '7' });
    expect(metric(nbirth, 'rmse')).toMatchObject({ type: 'Double', value: 812.5, properties: { engUnit: { type: 'String', value: 's' } } });
    expect(metric(nbirth, 'readings_stored')).toMatchObject({ type: 'UInt64' });
    expect(num(metric(nbirth, 'readings_stored').value)).toBe(1234);
    for (const m of nbirth.payload!.metrics!) expect(num(m.timestamp)).toBeGreaterThan(T);

    expect(node.publishPrediction('press3', prediction(T + 1000, 0.25, 0))).toBe('sent');
    const dbirth = await observer.next(`DBIRTH/${EDGE}/press3`);
    expect(dbirth).toMatchObject({ topic: `spBv1.0/${GROUP}/DBIRTH/${EDGE}/press3`, qos: 0, retain: false });
    expect(seqOf(dbirth)).toBe(1);
    expect(dbirth.payload!.metrics!.map((m) => m.name)).toEqual(['risk', 'time_to_fault_s', 'level', 'model_version']);
    expect(metric(dbirth, 'risk')).toMatchObject({ type: 'Double', value: 0.25 });
    expect(metric(dbirth, 'time_to_fault_s')).toMatchObject({
      type: 'Double',
      value: 5400,
      properties: { engUnit: { type: 'String', value: 's' }, engLow: { type: 'Double', value: 0 }, engHigh: { type: 'Double', value: 7200 } },
    });
    expect(metric(dbirth, 'level')).toMatchObject({ type: 'Int32', value: 0, properties: { engHigh: { value: 2 } } });
    expect(metric(dbirth, 'model_version')).toMatchObject({ type: 'String', value: '7' });
    for (const m of dbirth.payload!.metrics!) expect(num(m.timestamp)).toBe(T + 1000);

    expect(node.publishPrediction('press3', prediction(T + 2000, 0.5, 1))).toBe('sent');
    const ddata = await observer.next(`DDATA/${EDGE}/press3`);
    expect(ddata).toMatchObject({ qos: 0, retain: false });
    expect(seqOf(ddata)).toBe(2);
    expect(ddata.payload!.metrics!.map((m) => [m.name, m.value, num(m.timestamp), m.isHistorical ?? false])).toEqual([
      ['risk', 0.5, T + 2000, false],
      ['time_to_fault_s', 3600, T + 2000, false],
      ['level', 1, T + 2000, false],
    ]);

    node.updateNodeMetrics({ readingsStored: 2000 });
    const ndata = await observer.next(`NDATA/${EDGE}`);
    expect(seqOf(ndata)).toBe(3);
    expect(ndata.payload!.metrics!.map((m) => m.name)).toEqual(['readings_stored']);
    expect(num(metric(ndata, 'readings_stored').value)).toBe(2000);

    expect(node.publishPrediction('press3', prediction(T + 3000, 0.5, 1, '8'))).toBe('sent');
    const modelChange = await observer.next(`DDATA/${EDGE}/press3`, ddata.index + 1);
    expect(seqOf(modelChange)).toBe(4);
    expect(metric(modelChange, 'model_version').value).toBe('8');

    const beforeStop = observer.mark;
    await node.stop();
    const ndeath = await observer.next(`NDEATH/${EDGE}`, beforeStop);
    expect(ndeath).toMatchObject({ topic: `spBv1.0/${GROUP}/NDEATH/${EDGE}`, qos: 0, retain: false }); // the Will's is QoS 1
    expect(seqOf(ndeath)).toBeUndefined();
    expect(ndeath.payload!.metrics!.map((m) => m.name)).toEqual(['bdSeq']);
    expect(num(metric(ndeath, 'bdSeq').value)).toBe(0);
    expect(observer.since(0).filter((m) => m.retain)).toEqual([]);
  });

  it('sends is_null, not "undefined" or NaN, for metrics with no value yet', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    // What the agent knows before a first model: no version, no RMSE (explicitly undefined).
    const { node } = startNode(testConfig(broker.url, broker), { node: () => ({ modelVersion: undefined, rmse: undefined, readingsStored: 0 }) });
    const nbirth = await observer.next(`NBIRTH/${EDGE}`);
    for (const name of ['model_version', 'rmse']) {
      expect(metric(nbirth, name).value).toBeNull();
      expect(isNullFlag(nbirth, name)).toBe(true);
    }
    expect(metric(nbirth, 'model_version').type).toBe('String');
    expect(metric(nbirth, 'rmse').type).toBe('Double');
    expect(isNullFlag(nbirth, 'readings_stored')).toBe(false);

    // A device whose first value is history has no current value: its DBIRTH is all is_null.
    node.publishPrediction('press3', prediction(T + 1000, 0.25), { historical: true });
    const dbirth = await observer.next(`DBIRTH/${EDGE}/press3`);
    for (const name of ['risk', 'time_to_fault_s', 'level', 'model_version']) {
      expect(metric(dbirth, name).value).toBeNull();
      expect(isNullFlag(dbirth, name)).toBe(true);
    }
    const history = await observer.next(`DDATA/${EDGE}/press3`, dbirth.index);
    expect(metric(history, 'risk')).toMatchObject({ value: 0.25, isHistorical: true });
    // A model that could not score (no RMSE) and a prediction that is not a number: no value either.
    node.updateNodeMetrics({ modelVersion: '8', rmse: Number.NaN });
    const ndata = await observer.next(`NDATA/${EDGE}`);
    expect(ndata.payload!.metrics!.map((m) => [m.name, m.value])).toEqual([['model_version', '8']]);
    node.publishPrediction('press3', { prediction: { ts: T + 2000, risk: Number.NaN, timeToFaultS: Number.NaN }, level: 0, modelVersion: '8' });
    const ddata = await observer.next(`DDATA/${EDGE}/press3`, history.index + 1);
    expect(isNullFlag(ddata, 'risk')).toBe(true);
    expect(isNullFlag(ddata, 'time_to_fault_s')).toBe(true);
    expect(metric(ddata, 'level').value).toBe(0);
  });

  it('keeps bdSeq and seq rules across a reconnect: Will NDEATH, bdSeq + 1, seq from 0, devices re-born', async () => {
    const broker = await startBroker();
    const proxy = await TcpProxy.start(broker);
    const observer = await Observer.start(broker);
    const { node } = startNode(testConfig(proxy.url, broker));
    const first = await observer.next(`NBIRTH/${EDGE}`);
    node.publishPrediction('press3', prediction(T + 1000, 0.1));
    node.publishPrediction('press3', prediction(T + 2000, 0.2));
    node.publishPrediction('press4', prediction(T + 2500, 0.3, 0));
    await observer.next(`DBIRTH/${EDGE}/press4`);

    const cutAt = observer.mark;
    proxy.cut();
    const will = await observer.next(`NDEATH/${EDGE}`, cutAt, 'the Will NDEATH');
    expect(will.qos).toBe(1);
    expect(seqOf(will)).toBeUndefined();
    expect(num(metric(will, 'bdSeq').value)).toBe(num(metric(first, 'bdSeq').value));

    const second = await observer.next(`NBIRTH/${EDGE}`, cutAt, 'the NBIRTH after the reconnect');
    expect(seqOf(second)).toBe(0);
    expect(num(metric(second, 'bdSeq').value)).toBe(num(metric(first, 'bdSeq').value) + 1);
    await observer.next(`DBIRTH/${EDGE}/press4`, second.index);
    const rebirths = observer.since(second.index);
    expect(rebirths.map((m) => [m.topic.split('/').slice(2).join('/'), seqOf(m)])).toEqual([
      [`NBIRTH/${EDGE}`, 0],
      [`DBIRTH/${EDGE}/press3`, 1],
      [`DBIRTH/${EDGE}/press4`, 2],
    ]);
    // The DBIRTH carries the device's current values: its newest prediction.
    expect(metric(rebirths[1]!, 'risk').value).toBe(0.2);
    expect(num(metric(rebirths[1]!, 'risk').timestamp)).toBe(T + 2000);

    node.publishPrediction('press3', prediction(T + 3000, 0.4));
    expect(seqOf(await observer.next(`DDATA/${EDGE}/press3`, second.index))).toBe(3);
    expect(node.status()).toMatchObject({ connected: true, born: true, bdSeq: 1, seq: 3, devices: 2, held: 0, dropped: 0 });
  });

  it('wraps seq from 255 to 0 across NBIRTH, DBIRTH and DDATA', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    const { node } = startNode(testConfig(broker.url, broker));
    const nbirth = await observer.next(`NBIRTH/${EDGE}`);
    for (let i = 0; i < 300; i++) node.publishPrediction(`press${i % 3}`, prediction(T + i * 1000, (i % 100) / 100));
    await waitUntil(() => observer.since(nbirth.index).length === 301, WAIT_MS, 'NBIRTH and 300 messages arrive');
    const seqs = observer.since(nbirth.index).map(seqOf);
    expect(seqs).toEqual(Array.from({ length: 301 }, (_, i) => i % 256));
    expect(observer.since(nbirth.index).slice(1, 4).map((m) => m.topic.split('/')[2])).toEqual(['DBIRTH', 'DBIRTH', 'DBIRTH']);
  });

  it('rebirths on an NCMD Node Control/Rebirth: same bdSeq, seq from 0, every device re-born', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    const { node } = startNode(testConfig(broker.url, broker));
    const first = await observer.next(`NBIRTH/${EDGE}`);
    node.publishPrediction('press3', prediction(T + 1000, 0.1));
    node.publishPrediction('press3', prediction(T + 2000, 0.6, 1));
    await observer.next(`DDATA/${EDGE}/press3`);

    const host = await connectClient(broker);
    const command = tahu.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    const asked = observer.mark;
    await host.publishAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, Buffer.from(command), { qos: 0 });
    const reborn = await observer.next(`NBIRTH/${EDGE}`, asked, 'the NBIRTH after the rebirth request');
    const dbirth = await observer.next(`DBIRTH/${EDGE}/press3`, reborn.index);
    expect(seqOf(reborn)).toBe(0);
    expect(num(metric(reborn, 'bdSeq').value)).toBe(num(metric(first, 'bdSeq').value));
    expect(seqOf(dbirth)).toBe(1);
    expect(metric(dbirth, 'risk').value).toBe(0.6);
    expect(metric(dbirth, 'level').value).toBe(1);
    // No NDEATH: a rebirth is not a new session.
    expect(observer.since(asked).filter((m) => m.topic.includes('NDEATH'))).toEqual([]);

    // A command that is not a rebirth request changes nothing.
    const other = tahu.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });
    await host.publishAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, Buffer.from(other), { qos: 0 });
    node.publishPrediction('press3', prediction(T + 3000, 0.7, 1));
    const ddata = await observer.next(`DDATA/${EDGE}/press3`, dbirth.index);
    expect(seqOf(ddata)).toBe(2);
    expect(observer.since(asked).filter((m) => m.topic.includes('NBIRTH'))).toHaveLength(1);
  });

  it('reads the node metrics for every birth, a rebirth too, and refreshes them as NDATA between births', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    const current = { modelVersion: null as string | null, rmse: null as number | null, readingsStored: 0 };
    let failing = false;
    const read = () => {
      if (failing) throw new Error('the buffer is closed');
      return current;
    };
    const { node } = startNode(testConfig(broker.url, broker), { node: read, nodeRefreshMs: 100 });
    expect(num(metric(await observer.next(`NBIRTH/${EDGE}`), 'readings_stored').value)).toBe(0);

    // Stored since: a rebirth right away carries the count as it is now, not the last refresh's.
    current.readingsStored = 4321;
    current.modelVersion = '9';
    const host = await connectClient(broker);
    const rebirth = Buffer.from(tahu.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }));
    const asked = observer.mark;
    await host.publishAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, rebirth, { qos: 0 });
    const reborn = await observer.next(`NBIRTH/${EDGE}`, asked, 'the NBIRTH after the rebirth request');
    expect(num(metric(reborn, 'readings_stored').value)).toBe(4321);
    expect(metric(reborn, 'model_version').value).toBe('9');

    // Between births, the periodic read sends what changed as NDATA.
    current.readingsStored = 5000;
    const ndata = await observer.next(`NDATA/${EDGE}`, reborn.index);
    expect(ndata.payload!.metrics!.map((m) => [m.name, num(m.value)])).toEqual([['readings_stored', 5000]]);

    // A reader that throws keeps the last values rather than ending the session.
    failing = true;
    const again = observer.mark;
    await host.publishAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, rebirth, { qos: 0 });
    expect(num(metric(await observer.next(`NBIRTH/${EDGE}`, again), 'readings_stored').value)).toBe(5000);
    expect(node.status()).toMatchObject({ connected: true, born: true });
  });

  it('persists bdSeq across a process restart in the meta table', async () => {
    const broker = await startBroker();
    const dir = await tempDir('spb-restart');
    const observer = await Observer.start(broker);
    const open = () => {
      const db = openDatabase(`${dir}/faultline.db`, { sync: 'full' });
      onCleanup(() => {
        if (db.open) db.close();
      });
      return db;
    };

    const db1 = open();
    const run1 = startNode(testConfig(broker.url, broker), { store: metaStore(db1) });
    expect(num(metric(await observer.next(`NBIRTH/${EDGE}`), 'bdSeq').value)).toBe(0);
    const stopAt = observer.mark;
    await run1.node.stop();
    expect(num(metric(await observer.next(`NDEATH/${EDGE}`, stopAt), 'bdSeq').value)).toBe(0);
    db1.close();

    const db2 = open();
    expect(metaStore(db2).get(BD_SEQ_KEY)).toBe('0');
    const startAt = observer.mark;
    const run2 = startNode(testConfig(broker.url, broker), { store: metaStore(db2) });
    expect(num(metric(await observer.next(`NBIRTH/${EDGE}`, startAt), 'bdSeq').value)).toBe(1);
    await run2.node.stop();
    expect(metaStore(db2).get(BD_SEQ_KEY)).toBe('1');
  });

  it('wraps bdSeq from 255 to 0', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    startNode(testConfig(broker.url, broker), { store: memoryStore({ [BD_SEQ_KEY]: '255' }) });
    expect(num(metric(await observer.next(`NBIRTH/${EDGE}`), 'bdSeq').value)).toBe(0);
  });
});
