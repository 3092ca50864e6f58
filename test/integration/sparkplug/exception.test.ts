// Report by exception through a real broker, decoded by Eclipse Tahu: no DDATA for a prediction
// within the deadband of the value last sent, everything again after max_silence (on an injected
// wall clock), only the changed metrics otherwise, and the same rule for what is held in an outage.
import { expect, it } from 'vitest';
import { describeEachBroker } from '../../helpers/brokers.js';
import { waitUntil } from '../../helpers/wait.js';
import { EDGE, metric, num, Observer, prediction, seqOf, startNode, TcpProxy, testConfig, WAIT_MS, type Seen } from './harness.js';

const T = 1_764_320_000_000;
const S = 1_000;

/** [name, value, is_historical] of each metric, in payload order. */
function sent(message: Seen): Array<[string | null | undefined, unknown, boolean]> {
  return message.payload!.metrics!.map((m) => [m.name, m.value, m.isHistorical ?? false]);
}

describeEachBroker('sparkplug report by exception', (startBroker) => {
  it('sends no DDATA within the deadband, everything after max_silence, and only what changed', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    let wall = T;
    const config = testConfig(broker.url, broker, { deadband: 0.01, max_silence: '60s' }); // 2 h horizon: 72 s
    const { node } = startNode(config, { now: () => wall });
    await observer.next(`NBIRTH/${EDGE}`);
    expect(node.publishPrediction('press3', prediction(T, 0.3))).toBe('sent');
    const dbirth = await observer.next(`DBIRTH/${EDGE}/press3`);

    // Unchanged, then within 0.01 (36 s of time to fault), until just before max_silence: nothing.
    wall = T + 10 * S;
    expect(node.publishPrediction('press3', prediction(T + 1 * S, 0.3))).toBe('unchanged');
    expect(node.publishPrediction('press3', prediction(T + 2 * S, 0.305))).toBe('unchanged');
    wall = T + 60 * S - 1;
    expect(node.publishPrediction('press3', prediction(T + 3 * S, 0.305))).toBe('unchanged');
    // max_silence since the DBIRTH: the current values, every metric, although none moved.
    wall = T + 60 * S;
    expect(node.publishPrediction('press3', prediction(T + 4 * S, 0.305))).toBe('sent');
    const refresh = await observer.next(`DDATA/${EDGE}/press3`, dbirth.index);
    expect(observer.since(dbirth.index + 1)[0]).toBe(refresh); // the first message since the DBIRTH
    expect(seqOf(refresh)).toBe(seqOf(dbirth)! + 1);
    expect(sent(refresh)).toEqual([
      ['risk', 0.305, false],
      ['time_to_fault_s', (1 - 0.305) * 7200, false],
      ['level', 0, false],
      ['model_version', '7', false],
    ]);
    expect(num(metric(refresh, 'risk').timestamp)).toBe(T + 4 * S);

    // Beyond the deadband: only the two numbers that moved.
    wall += S;
    expect(node.publishPrediction('press3', prediction(T + 5 * S, 0.32))).toBe('sent');
    const moved = await observer.next(`DDATA/${EDGE}/press3`, refresh.index + 1);
    expect(sent(moved)).toEqual([
      ['risk', 0.32, false],
      ['time_to_fault_s', (1 - 0.32) * 7200, false],
    ]);
    // A slow drift is measured from the value last sent, not from the previous prediction.
    expect(node.publishPrediction('press3', prediction(T + 6 * S, 0.325))).toBe('unchanged');
    expect(node.publishPrediction('press3', prediction(T + 7 * S, 0.329))).toBe('unchanged');
    expect(node.publishPrediction('press3', prediction(T + 8 * S, 0.331))).toBe('sent');
    const drift = await observer.next(`DDATA/${EDGE}/press3`, moved.index + 1);
    expect(metric(drift, 'risk').value).toBe(0.331);
    // level and model_version on any change, alone.
    expect(node.publishPrediction('press3', prediction(T + 9 * S, 0.331, 1))).toBe('sent');
    const level = await observer.next(`DDATA/${EDGE}/press3`, drift.index + 1);
    expect(sent(level)).toEqual([['level', 1, false]]);
    expect(node.publishPrediction('press3', prediction(T + 10 * S, 0.331, 1, '8'))).toBe('sent');
    const model = await observer.next(`DDATA/${EDGE}/press3`, level.index + 1);
    expect(sent(model)).toEqual([['model_version', '8', false]]);
    expect(observer.since(dbirth.index + 1).map(seqOf)).toEqual([2, 3, 4, 5, 6]);
  });

  it('holds in an outage only what it would have sent, and replays each point whole as history', async () => {
    const broker = await startBroker();
    const proxy = await TcpProxy.start(broker);
    const observer = await Observer.start(broker);
    let wall = T;
    const { node } = startNode(testConfig(proxy.url, broker, { deadband: 0.01, max_silence: '60s' }), { now: () => wall });
    await observer.next(`NBIRTH/${EDGE}`);
    node.publishPrediction('press3', prediction(T, 0.3));
    await observer.next(`DBIRTH/${EDGE}/press3`);

    const downAt = observer.mark;
    await proxy.down();
    await observer.next(`NDEATH/${EDGE}`, downAt, 'the Will NDEATH');
    await waitUntil(() => !node.status().connected, WAIT_MS, 'the node sees the connection gone');
    expect(node.publishPrediction('press3', prediction(T + 1 * S, 0.3))).toBe('unchanged');
    expect(node.publishPrediction('press3', prediction(T + 2 * S, 0.5, 1))).toBe('held');
    expect(node.publishPrediction('press3', prediction(T + 3 * S, 0.505, 1))).toBe('unchanged');
    wall = T + 60 * S;
    expect(node.publishPrediction('press3', prediction(T + 4 * S, 0.505, 1))).toBe('held');
    expect(node.status()).toMatchObject({ held: 2, dropped: 0 });

    await proxy.up();
    const nbirth = await observer.next(`NBIRTH/${EDGE}`, downAt, 'the NBIRTH after the outage');
    await waitUntil(() => observer.since(nbirth.index).length >= 4, WAIT_MS, 'births and the replay arrive');
    const after = observer.since(nbirth.index);
    expect(after.map((m) => m.topic.split('/')[2])).toEqual(['NBIRTH', 'DBIRTH', 'DDATA', 'DDATA']);
    expect(metric(after[1]!, 'risk').value).toBe(0.505);
    expect(sent(after[2]!)).toEqual([
      ['risk', 0.5, true],
      ['time_to_fault_s', (1 - 0.5) * 7200, true],
      ['level', 1, true],
      ['model_version', '7', true],
    ]);
    expect(after[3]!.payload!.metrics!.map((m) => [m.name, num(m.timestamp), m.isHistorical])).toEqual([
      ['risk', T + 4 * S, true],
      ['time_to_fault_s', T + 4 * S, true],
      ['level', T + 4 * S, true],
      ['model_version', T + 4 * S, true],
    ]);
    // The DBIRTH told the host the current values: the same prediction again is nothing new.
    expect(node.publishPrediction('press3', prediction(T + 5 * S, 0.505, 1))).toBe('unchanged');
  });
});
