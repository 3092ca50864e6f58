// With sparkplug.primary_host_id set, births wait for the primary host's STATE online (Sparkplug 3.0);
// an offline STATE ends the session (NDEATH, new CONNECT, new bdSeq) and a newer online one re-births.
import { expect, it } from 'vitest';
import { connectClient, describeEachBroker } from '../../helpers/brokers.js';
import { waitUntil } from '../../helpers/wait.js';
import { EDGE, GROUP, metric, num, Observer, prediction, seqOf, startNode, tahu, testConfig, WAIT_MS } from './harness.js';

const T = 1_764_320_000_000;
const HOST = 'scada';

describeEachBroker('sparkplug primary host STATE', (startBroker) => {
  it('waits for STATE online before births, ends the session on offline, re-births when back', async () => {
    const broker = await startBroker();
    const observer = await Observer.start(broker);
    const host = await connectClient(broker);
    const state = (online: boolean, timestamp: number): Promise<unknown> =>
      host.publishAsync(`spBv1.0/STATE/${HOST}`, JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
    await state(false, T + 1);

    const { node } = startNode(testConfig(broker.url, broker, { primary_host_id: HOST }));
    await waitUntil(() => node.status().connected, WAIT_MS, 'the node is connected');
    expect(node.publishPrediction('press3', prediction(T + 1000, 0.4))).toBe('held');
    expect(node.status()).toMatchObject({ born: false, primaryHostOnline: false, held: 1 });
    expect(observer.since(0)).toEqual([]);

    // Online: the births, then what was held, as history.
    await state(true, T + 2);
    const nbirth = await observer.next(`NBIRTH/${EDGE}`);
    await waitUntil(() => observer.since(nbirth.index).length >= 3, WAIT_MS, 'births and replay arrive');
    expect(observer.since(nbirth.index).map((m) => [m.topic.split('/')[2], seqOf(m)])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
      ['DDATA', 2],
    ]);
    expect(metric(observer.since(nbirth.index)[2]!, 'risk').isHistorical).toBe(true);
    const bdSeq = num(metric(nbirth, 'bdSeq').value);
    expect(node.status().primaryHostOnline).toBe(true);

    // Offline: NDEATH with this session's bdSeq, then a new session that waits again.
    const offlineAt = observer.mark;
    await state(false, T + 3);
    const ndeath = await observer.next(`NDEATH/${EDGE}`, offlineAt);
    expect(num(metric(ndeath, 'bdSeq').value)).toBe(bdSeq);
    await waitUntil(() => node.status().connected && node.status().bdSeq === bdSeq + 1, WAIT_MS, 'a new session with the next bdSeq');
    expect(node.publishPrediction('press3', prediction(T + 5000, 0.5))).toBe('held');
    expect(node.status().born).toBe(false);

    // Back online: births with the new bdSeq.
    await state(true, T + 4);
    const again = await observer.next(`NBIRTH/${EDGE}`, ndeath.index);
    expect(num(metric(again, 'bdSeq').value)).toBe(bdSeq + 1);
    expect(seqOf(again)).toBe(0);
    await observer.next(`DDATA/${EDGE}/press3`, again.index);

    // A STATE older than the last one is ignored; an NCMD after it shows the node read it and stayed.
    const staleAt = observer.mark;
    await state(false, T + 1);
    const rebirth = tahu.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    await host.publishAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, Buffer.from(rebirth), { qos: 1 });
    const reborn = await observer.next(`NBIRTH/${EDGE}`, staleAt);
    expect(num(metric(reborn, 'bdSeq').value)).toBe(bdSeq + 1);
    expect(observer.since(staleAt).filter((m) => m.topic.includes('NDEATH'))).toEqual([]);

    // The same online STATE again changes nothing; a newer one while born (the host restarted) births
    // again in the same session. The NCMD after the repeat is the barrier: exactly one NBIRTH between.
    const repeatAt = observer.mark;
    await state(true, T + 4);
    await host.publishAsync(`spBv1.0/${GROUP}/NCMD/${EDGE}`, Buffer.from(rebirth), { qos: 1 });
    await observer.next(`NBIRTH/${EDGE}`, repeatAt);
    const restartAt = observer.mark;
    await state(true, T + 10);
    const fresh = await observer.next(`NBIRTH/${EDGE}`, restartAt);
    expect(num(metric(fresh, 'bdSeq').value)).toBe(bdSeq + 1);
    expect(observer.since(repeatAt).filter((m) => m.topic.includes('NBIRTH'))).toHaveLength(2);
    await host.publishAsync(`spBv1.0/STATE/${HOST}`, '', { qos: 1, retain: true }); // clear the retained STATE
  });
});
