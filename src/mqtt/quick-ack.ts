// Acknowledges what the broker sends at once instead of up to 40 ms later. Linux delays the ACK of
// a small segment when it expects to answer with data (delayed ACK), and Mosquitto by default
// leaves Nagle's algorithm on, which holds back its next small segment until the last one is
// acknowledged. The broker's PUBACKs for our predictions get no answer, so the telemetry behind
// them waited for a kernel timer: p50 9 ms and p99 20 ms from a publish to its prediction at 1k
// readings/s, against 2 ms and 6 ms with quick ACKs (bench/README.md, "Latency"). TCP_QUICKACK
// does not stick (the kernel goes back to delaying once we answer), so it is set after each read.
// Node.js has no setsockopt; koffi calls libc's. Where that is not possible, nothing changes.
import type { Socket } from 'node:net';
import { errorMessage } from '../error-message.js';
import type { Logger } from '../log.js';

const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12; // linux/tcp.h

type SetSockOpt = (fd: number, level: number, option: number, value: number[], length: number) => number;

let loading: Promise<SetSockOpt | string> | null = null;

/** libc's setsockopt, or why it cannot be had. */
function loadSetSockOpt(): Promise<SetSockOpt | string> {
  loading ??= (async () => {
    if (process.platform !== 'linux') return `TCP_QUICKACK is Linux's; this is ${process.platform}`;
    try {
      const { default: koffi } = await import('koffi');
      return koffi.load('libc.so.6').func('int setsockopt(int, int, int, _In_ int *, uint32_t)') as SetSockOpt;
    } catch (error) {
      return `cannot call setsockopt through koffi: ${errorMessage(error)}`;
    }
  })();
  return loading;
}

const armed = new WeakSet<object>();
let explained = false;

/**
 * Turns quick ACKs on after every read from `stream` (a TCP or TLS socket; other transports are
 * left as they are). Resolves true when they are on; never rejects.
 */
export async function quickAcks(stream: unknown, log: Logger): Promise<boolean> {
  const fd = (stream as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return false;
  const setsockopt = await loadSetSockOpt();
  if (typeof setsockopt === 'string') {
    if (!explained) log.info({ reason: setsockopt }, 'acknowledging the broker with delayed ACKs (predictions may wait up to 40 ms behind a broker with Nagle on)');
    explained = true;
    return false;
  }
  const socket = stream as Socket;
  if (armed.has(socket)) return true;
  const on = [1];
  const arm = (): boolean => {
    try {
      return setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, on, 4) === 0;
    } catch (error) {
      log.warn({ err: error }, 'cannot set TCP_QUICKACK; acknowledging the broker with delayed ACKs');
      return false;
    }
  };
  if (!arm()) return false; // not a TCP socket after all
  armed.add(socket);
  const rearm = (): void => {
    if (!arm()) socket.off('data', rearm);
  };
  socket.on('data', rearm);
  return true;
}
