// `http.listen` as an address: host and port, and whether only this machine can reach it. Pure;
// the config's rules and the server both ask.
import { isIP } from 'node:net';

export function splitListen(listen: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(listen);
  if (!match) throw new Error(`http.listen "${listen}" is not host:port`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/**
 * True for 127.0.0.0/8, ::1 and localhost (RFC 6761 keeps it on this machine). Any other name
 * may resolve to an address others can reach, so it counts as open.
 */
export function isLoopback(listen: string): boolean {
  const { host } = splitListen(listen);
  if (host.toLowerCase() === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return /^(0*:)*:?0*1$/.test(host) || host.toLowerCase().startsWith('::ffff:127.');
  return false;
}
