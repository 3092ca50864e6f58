// Names the cause of a broker connection failure in words a technician can act on. Pure.
import { errorCode } from '../error-message.js';

const TLS_UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

const CREDENTIALS = 'check mqtt.username and the password (mqtt.password_file or FAULTLINE_MQTT_PASSWORD)';

/** CONNACK reason codes: MQTT 5 (0x80+) and MQTT 3.1.1 return codes. */
const REFUSED: Record<number, string> = {
  1: 'the broker does not speak this MQTT version; set mqtt.protocol_version: 4',
  2: 'the broker rejected the client id; check mqtt.client_id',
  3: 'the broker is unavailable',
  4: `the broker refused the user name or password; ${CREDENTIALS}`,
  5: `the broker refused this client as not authorized: a wrong or missing password, or a user its ACL does not admit; ${CREDENTIALS}`,
  132: 'the broker does not speak MQTT 5; set mqtt.protocol_version: 4',
  133: 'the broker rejected the client id; check mqtt.client_id',
  134: `the broker refused the user name or password; ${CREDENTIALS}`,
  // Mosquitto 2.0 answers a wrong password on MQTT 5 with 135, not 134.
  135: `the broker refused this client as not authorized: a wrong or missing password, or a user its ACL does not admit; ${CREDENTIALS}`,
  136: 'the broker is unavailable',
  137: 'the broker is busy',
  138: 'the broker has banned this client',
  140: 'the broker does not accept this authentication method',
};

export function describeConnectError(error: Error, url: string): string {
  const code = errorCode(error);
  if (typeof code === 'number') return REFUSED[code] ?? `the broker refused the connection (reason code ${code})`;
  let host = url;
  let hostname = url;
  try {
    ({ host, hostname } = new URL(url));
  } catch {
    // keep the raw url
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${host}; is the broker running, and is the port right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the broker host name in ${url} cannot be resolved`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the broker at ${host} cannot be reached over the network`;
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the broker closed the connection (for mqtts://, check that the port speaks TLS)';
    case 'CERT_HAS_EXPIRED':
      return "the broker's TLS certificate has expired; renew it on the broker";
    case 'CERT_NOT_YET_VALID':
      return "the broker's TLS certificate is not valid yet; check the clocks";
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the broker's TLS certificate does not name ${hostname} (host-name mismatch); connect by a name the certificate lists`;
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return 'the broker requires a client certificate; set mqtt.cert and mqtt.key';
    default:
      if (typeof code === 'string' && TLS_UNTRUSTED.has(code)) {
        return "the broker's TLS certificate is not signed by a trusted CA; set mqtt.ca to the CA that signed it";
      }
      if (/connack timeout|timed out/i.test(error.message)) return `the broker at ${host} did not answer in time (mqtt.connect_timeout)`;
      return error.message;
  }
}
