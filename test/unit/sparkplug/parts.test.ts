// Small pure parts of the Sparkplug module: topics, the bounded hold queue, STATE payloads, NDATA by exception.
import { describe, expect, it } from 'vitest';
import { HeldQueue } from '../../../src/sparkplug/held.js';
import { memoryStore } from '../../../src/store/meta.js';
import { nodeData, parseHostState } from '../../../src/sparkplug/payloads.js';
import { PrimaryHostWatch } from '../../../src/sparkplug/primary-host.js';
import { sparkplugDeviceTopic, isValidSparkplugId, sparkplugNodeTopic, parseSparkplugTopic, sparkplugStateTopic } from '../../../src/topics/contract.js';

describe('topics', () => {
  it('parses node, device and STATE topics', () => {
    expect(parseSparkplugTopic('spBv1.0/plant1/NBIRTH/gw1')).toEqual({ kind: 'node', group: 'plant1', type: 'NBIRTH', node: 'gw1' });
    expect(parseSparkplugTopic('spBv1.0/plant1/DDATA/gw1/press 3')).toEqual({ kind: 'device', group: 'plant1', type: 'DDATA', node: 'gw1', device: 'press 3' });
    expect(parseSparkplugTopic('spBv1.0/STATE/scada')).toEqual({ kind: 'state', host: 'scada' });
  });

  it('refuses what is not a Sparkplug B topic', () => {
    for (const topic of [
      'spAv1.0/plant1/NBIRTH/gw1',
      'spBv1.0/plant1/NBIRTH/gw1/dev', // node messages carry no device
      'spBv1.0/plant1/DDATA/gw1', // device messages need one
      'spBv1.0/plant1/DDATA/gw1/a/b',
      'spBv1.0/plant1/HELLO/gw1',
      'spBv1.0//NBIRTH/gw1',
      'spBv1.0/STATE',
      'spBv1.0/STATE/a/b',
    ]) {
      expect(parseSparkplugTopic(topic), topic).toBeNull();
    }
  });

  it('builds topics and checks ids', () => {
    expect(sparkplugNodeTopic('g', 'NCMD', 'n')).toBe('spBv1.0/g/NCMD/n');
    expect(sparkplugDeviceTopic('g', 'DBIRTH', 'n', 'd')).toBe('spBv1.0/g/DBIRTH/n/d');
    expect(sparkplugStateTopic('h')).toBe('spBv1.0/STATE/h');
    expect(['ok', 'line 1', 'Ünïcode'].every(isValidSparkplugId)).toBe(true);
    expect(['', 'a/b', 'a+b', 'a#b'].some(isValidSparkplugId)).toBe(false);
  });
});

describe('the hold queue', () => {
  it('keeps the newest items up to its capacity, oldest first, and counts the dropped', () => {
    const queue = new HeldQueue<number>(3);
    expect([1, 2, 3].map((n) => queue.push(n))).toEqual([true, true, true]);
    expect(queue.push(4)).toBe(false);
    expect(queue.push(5)).toBe(false);
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(2);
    expect(queue.drain()).toEqual([3, 4, 5]);
    expect(queue.size).toBe(0);
    queue.push(6);
    expect(queue.drain()).toEqual([6]);
    expect(queue.dropped).toBe(2);
  });

  it('holds nothing with capacity 0', () => {
    const queue = new HeldQueue<number>(0);
    expect(queue.push(1)).toBe(false);
    expect(queue.drain()).toEqual([]);
    expect(queue.dropped).toBe(1);
  });
});

describe('payload helpers', () => {
  it('reads Sparkplug 3.0 STATE payloads and nothing else', () => {
    expect(parseHostState(Buffer.from('{"online":true,"timestamp":1764320000000}'))).toEqual({ online: true, timestamp: 1_764_320_000_000 });
    expect(parseHostState(Buffer.from('{"online":false,"timestamp":5,"bdSeq":3}'))).toEqual({ online: false, timestamp: 5 });
    for (const text of ['ONLINE', '{"online":"true","timestamp":1}', '{"online":true}', '', 'null']) {
      expect(parseHostState(Buffer.from(text)), text).toBeNull();
    }
  });

  it('puts only changed node metrics in NDATA', () => {
    const before = { modelVersion: '7', rmse: 10, readingsStored: 5 };
    expect(nodeData(3, 100, before, { ...before })).toBeNull();
    expect(nodeData(3, 100, before, { ...before, modelVersion: '8', readingsStored: 6 })?.metrics.map((m) => [m.name, m.value])).toEqual([
      ['model_version', '8'],
      ['readings_stored', 6],
    ]);
  });

  it('a memory store keeps what it was given', () => {
    const store = memoryStore({ a: '1' });
    store.set('b', '2');
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual(['1', '2', undefined]);
  });
});

describe('the primary host watch', () => {
  it('births on online, ends a born session on offline, and ignores older STATE', () => {
    const watch = new PrimaryHostWatch();
    expect(watch.accept({ online: false, timestamp: 10 }, false)).toBe('none');
    expect(watch.accept({ online: true, timestamp: 20 }, false)).toBe('birth');
    expect(watch.online).toBe(true);
    expect(watch.accept({ online: true, timestamp: 20 }, true)).toBe('none'); // the same STATE again
    expect(watch.accept({ online: true, timestamp: 30 }, true)).toBe('birth'); // the host came back
    expect(watch.accept({ online: false, timestamp: 25 }, true)).toBe('none'); // older: ignored
    expect(watch.online).toBe(true);
    expect(watch.accept({ online: false, timestamp: 40 }, true)).toBe('end_session');
    watch.reset();
    expect(watch.online).toBe(false);
    expect(watch.accept({ online: false, timestamp: 40 }, false)).toBe('none'); // retained, on the new session
    expect(watch.accept({ online: true, timestamp: 40 }, false)).toBe('birth'); // not born yet: births even at the same time
  });
});
