// Store-and-forward the Sparkplug way: predictions made while the broker was out of reach are sent
// after the next births as DDATA with is_historical and their own timestamps; the hold queue is bounded.
import { expect, it } from 'vitest';
import { describeEachBroker } from '../../helpers/brokers.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { waitUntil } from '../../helpers/wait.js';
import { EDGE, metric, num, Observer, prediction, seqOf, startNode, TcpProxy, testConfig, WAIT_MS, type Seen } from './harness.js';

const T = 1_764_320_000_000;

function values(message: Seen): Array<[string | undefined | null, unknown, number, boolean]> {
  return message.payload!.metrics!.map((m) => [m.name, m.value, num(m.timestamp), m.isHistorical ?? false]);
}

describeEachBroker('sparkplug store-and-forward', (startBroker) => {
  it('replays predictions held while the broker was unreachable as is_historical DDATA after the births', async () => {
    const broker = await startBroker();
    const proxy = await TcpProxy.start(broker);
    const observer = await Observer.start(broker);
    const { node } = startNode(testConfig(proxy.url, broker));
    await observer.next(`NBIRTH/${EDGE}`);
    expect(node.publishPrediction('press3', prediction(T + 1000, 0.1))).toBe('sent');
    await observer.next(`DBIRTH/${EDGE}/press3`);

    const downAt = observer.mark;
    await proxy.down();
    await observer.next(`NDEATH/${EDGE}`, downAt, 'the Will NDEATH');
    await waitUntil(() => !node.status().connected, WAIT_MS, 'the node sees the connection gone');
    expect(node.publishPrediction('press3', prediction(T + 2000, 0.2))).toBe('held');
    expect(node.publishPrediction('press4', prediction(T + 2500, 0.9, 2))).toBe('held');
    expect(node.publishPrediction('press3', prediction(T + 3000, 0.3))).toBe('held');
    expect(node.status()).toMatchObject({ born: false, held: 3, dropped: 0 });

    await proxy.up();
    const nbirth = await observer.next(`NBIRTH/${EDGE}`, downAt, 'the NBIRTH after the outage');
    await waitUntil(() => observer.since(nbirth.index).length >= 6, WAIT_MS, 'births and the replay arrive');
    const after = observer.since(nbirth.index);
    expect(after.map((m) => [m.topic.split('/').slice(2).join('/'), seqOf(m)])).toEqual([
      [`NBIRTH/${EDGE}`, 0],
      [`DBIRTH/${EDGE}/press3`, 1],
      [`DBIRTH/${EDGE}/press4`, 2],
      [`DDATA/${EDGE}/press3`, 3],
      [`DDATA/${EDGE}/press4`, 4],
      [`DDATA/${EDGE}/press3`, 5],
    ]);
    // The births carry the newest values as current; the replay is history, at its own times.
    expect(metric(after[1]!, 'risk').value).toBe(0.3);
    expect(metric(after[2]!, 'level').value).toBe(2);
    expect(values(after[3]!)).toEqual([
      ['risk', 0.2, T + 2000, true],
      ['time_to_fault_s', (1 - 0.2) * 7200, T + 2000, true],
      ['level', 0, T + 2000, true],
      ['model_version', '7', T + 2000, true],
    ]);
    expect(values(after[4]!).map(([name, value, ts, historical]) => [name, ts, historical, name === 'level' ? value : null])).toEqual([
      ['risk', T + 2500, true, null],
      ['time_to_fault_s', T + 2500, true, null],
      ['level', T + 2500, true, 2],
      ['model_version', T + 2500, true, null],
    ]);
    expect(values(after[5]!).every(([, , ts, historical]) => ts === T + 3000 && historical)).toBe(true);
    expect(node.status()).toMatchObject({ born: true, held: 0 });

    // Live data again: not historical.
    node.publishPrediction('press3', prediction(T + 4000, 0.4));
    const live = await observer.next(`DDATA/${EDGE}/press3`, after[5]!.index + 1);
    expect(seqOf(live)).toBe(6);
    expect(values(live).every(([, , , historical]) => !historical)).toBe(true);
  });

  it('holds at most its capacity, dropping the oldest and counting them', async () => {
    const broker = await startBroker();
    const proxy = await TcpProxy.start(broker);
    await proxy.down();
    const observer = await Observer.start(broker);
    const { node } = startNode(testConfig(proxy.url, broker), { holdCapacity: 3 });
    for (let i = 0; i < 5; i++) expect(node.publishPrediction('press3', prediction(T + i * 1000, i / 10))).toBe('held');
    expect(node.status()).toMatchObject({ held: 3, dropped: 2 });
    await proxy.up();
    const nbirth = await observer.next(`NBIRTH/${EDGE}`);
    await waitUntil(() => observer.since(nbirth.index).length >= 5, WAIT_MS, 'births and replay arrive');
    const replay = observer.since(nbirth.index).filter((m) => m.topic.includes('/DDATA/'));
    expect(replay.map((m) => num(metric(m, 'risk').timestamp))).toEqual([T + 2000, T + 3000, T + 4000]);
    expect(node.status()).toMatchObject({ held: 0, dropped: 2 });
  });
});

describeWithMosquitto('sparkplug store-and-forward across a Mosquitto restart', () => {
  it('holds while the broker is stopped and replays as historical once it is back', async () => {
    const mosquitto = await startMosquitto({ verboseLogs: false });
    const broker = { kind: 'mosquitto' as const, url: mosquitto.url, protocolVersion: 5 as const };
    // The proxy keeps the node away until the observer is back on the restarted broker.
    const proxy = await TcpProxy.start(broker);
    const { node } = startNode(testConfig(proxy.url, broker));
    await waitUntil(() => node.status().born, WAIT_MS, 'the node is born');
    node.publishPrediction('press3', prediction(T + 1000, 0.1));

    await proxy.down();
    await mosquitto.stop();
    await waitUntil(() => !node.status().connected, WAIT_MS, 'the node sees the broker gone');
    expect(node.publishPrediction('press3', prediction(T + 2000, 0.2))).toBe('held');
    expect(node.publishPrediction('press3', prediction(T + 3000, 0.3))).toBe('held');

    await mosquitto.restart();
    const observer = await Observer.start(broker);
    await proxy.up();
    const nbirth = await observer.next(`NBIRTH/${EDGE}`);
    await waitUntil(() => observer.since(nbirth.index).length >= 4, WAIT_MS, 'births and replay arrive');
    const after = observer.since(nbirth.index);
    expect(after.map((m) => [m.topic.split('/')[2], seqOf(m)])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
      ['DDATA', 2],
      ['DDATA', 3],
    ]);
    expect(after.slice(2).map((m) => values(m)[0])).toEqual([
      ['risk', 0.2, T + 2000, true],
      ['risk', 0.3, T + 3000, true],
    ]);
    expect(num(metric(nbirth, 'bdSeq').value)).toBe(node.status().bdSeq);
  });
});
