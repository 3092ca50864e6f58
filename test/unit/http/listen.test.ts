// Which http.listen addresses only this machine can reach: those need no token (issue 16).
import { describe, expect, it } from 'vitest';
import { isLoopback, splitListen } from '../../../src/http/listen.js';

describe('http.listen', () => {
  it.each(['127.0.0.1:9464', '127.1.2.3:80', 'localhost:9464', 'LOCALHOST:1', '[::1]:9464', '[0:0:0:0:0:0:0:1]:9464', '[::ffff:127.0.0.1]:9464'])('%s is loopback', (listen) => {
    expect(isLoopback(listen)).toBe(true);
  });

  it.each(['0.0.0.0:9464', '192.168.1.10:9464', '[::]:9464', '[::2]:9464', '[fe80::1]:9464', 'gateway.local:9464', 'localhost.example.com:9464', '128.0.0.1:9464'])('%s is not', (listen) => {
    expect(isLoopback(listen)).toBe(false);
  });

  it('splits host and port, brackets off', () => {
    expect(splitListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(splitListen('gateway:80')).toEqual({ host: 'gateway', port: 80 });
    expect(() => splitListen('9464')).toThrow('is not host:port');
  });
});
