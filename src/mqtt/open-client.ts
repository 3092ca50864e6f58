// Opens one connection for a short-lived client (replay's publisher, the demo line, the config probe):
// resolves once the broker accepted it, or fails once with the cause in a technician's words. No
// reconnects: these clients report a lost broker rather than wait for it.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { describeConnectError } from './errors.js';
import { errorCode } from '../error-message.js';

/** The broker could not be reached or refused us; `description` says why in words a technician can act on. */
export class BrokerConnectError extends Error {
  readonly code: string | number | undefined;
  constructor(
    readonly description: string,
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot connect to ${url}: ${description}`, { cause });
    this.name = 'BrokerConnectError';
    this.code = errorCode(cause);
  }
}

export function openClient(url: string, clientOptions: IClientOptions, timeoutMs: number): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    let lastError: Error | null = null;
    const client = connect(url, clientOptions);
    const fail = (error: Error): void => {
      cleanup();
      client.on('error', () => undefined); // late socket errors of an abandoned client must not crash the process
      client.end(true);
      reject(new BrokerConnectError(describeConnectError(error, url), url, error));
    };
    // mqtt.js times out the CONNACK itself; this also covers a TCP connect that never completes.
    const timer = setTimeout(() => fail(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs + 1_000);
    const onConnect = (): void => {
      cleanup();
      resolve(client);
    };
    const onError = (error: Error): void => {
      lastError = error;
      // A refused CONNACK carries a reason code and is final; socket errors are followed by 'close'.
      if (typeof errorCode(error) === 'number') fail(error);
    };
    const onClose = (): void => fail(lastError ?? new Error('the broker closed the connection before accepting it'));
    function cleanup(): void {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    }
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}
