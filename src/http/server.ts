// The local HTTP endpoint for the gateway and its technicians: the status page at /, /healthz,
// /metrics, POST /v1/predict. Loopback unless configured otherwise, and then behind a bearer token;
// small bodies, short timeouts, a restrictive Content-Security-Policy on every answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { predictionPayload } from '../predict/payload.js';
import type { AssetPrediction } from '../predict/predictor.js';
import { authorized, SIGN_IN_PAGE, sameToken, tokenCookie } from './auth.js';
import type { Health } from './health.js';
import { isLoopback, splitListen } from './listen.js';
import type { Metrics, MetricsSnapshot } from './metrics.js';
import { handlePageRoute, type PageRoutes } from './page-routes.js';
import { BadRequest, parsePredictRequest, type PredictRequest } from './predict-request.js';
import { errorCode, errorMessage } from '../error-message.js';

/**
 * On every answer. The page's script and styles come from the agent only: no inline script, no
 * eval, no other origin, no framing (clickjacking); and no answer is sniffed into another type.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** A sign-in form's body is one token: anything bigger is not one. */
const SIGN_IN_MAX_BODY = 4096;

export interface HttpOptions {
  listen: string;
  maxBody: number;
  log: Logger;
  metrics: Metrics;
  /** What the agent's metrics read at a scrape. */
  snapshot: () => MetricsSnapshot;
  health: () => Health;
  /** Throws an error with `status` (400/404/503) and a message when it cannot predict. */
  predict: (request: PredictRequest) => AssetPrediction;
  /** Required on every route but /healthz when set; must be set unless `listen` is loopback. */
  token: string | null;
  /** The status page; null serves none (tests of the other routes). */
  page: PageRoutes | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startHttp(options: HttpOptions): Promise<{ port: number; close(): Promise<void> }> {
  // The config refuses this (exit 78); this is the last line of defence should a caller not.
  if (options.token === null && !isLoopback(options.listen)) throw new Error(`http.listen ${options.listen} is not loopback and no http.token_file is set`);
  // Slow or idle clients cannot hold sockets open for long. Node enforces headersTimeout and
  // requestTimeout only when it sweeps its connections, every 30 s by default: sweep every second.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => void handle(options, req, res));
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;
  const { host, port } = splitListen(options.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  options.log.info({ host, port: bound }, 'http listening');
  return { port: bound, close: () => closeServer(server) };
}

async function handle(options: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/healthz' && req.method === 'GET') {
      const { healthy, ...health } = options.health();
      return send(res, healthy ? 200 : 503, health);
    }
    if (path === '/sign-in' && req.method === 'POST') return await signIn(options, req, res);
    if (!authorized(req, options.token)) return refuse(req, res);
    if (options.page && req.method === 'GET' && handlePageRoute(options.page, req, res, url)) return;
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': options.metrics.contentType });
      res.end(await options.metrics.text(options.snapshot()));
      return;
    }
    if (path === '/v1/predict') {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST with a JSON body');
      const body = await readBody(req, options.maxBody);
      let request: PredictRequest;
      try {
        request = parsePredictRequest(body);
      } catch (error) {
        if (error instanceof BadRequest) throw new HttpError(400, error.message);
        throw error;
      }
      const prediction = options.predict(request);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(predictionPayload(prediction)));
      return;
    }
    throw new HttpError(404, 'not found; routes are GET / (the status page), GET /healthz, GET /metrics and POST /v1/predict');
  } catch (error) {
    // The client hung up, or the server's timeouts cut it off mid-body: nobody to answer, and
    // nothing wrong with the agent (a slow client must not become an error line per request).
    if (errorCode(error) === 'ECONNRESET') {
      options.log.debug({ path: req.url }, 'http client went away before its request was read');
      return;
    }
    const status = error instanceof HttpError ? error.status : ((error as { status?: number }).status ?? 500);
    if (status >= 500 && status !== 503) options.log.error({ err: error }, 'http request failed');
    send(res, status, { error: errorMessage(error) });
  }
}

/** 401: a browser gets the sign-in form, anything else a JSON error. */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer realm="faultline"');
  if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
    res.end(SIGN_IN_PAGE);
    return;
  }
  send(res, 401, { error: 'this agent needs its token: send "Authorization: Bearer <the first line of http.token_file>"' });
}

/** The sign-in form's POST: the right token becomes a cookie and the browser goes to the page. */
async function signIn(options: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = new URLSearchParams(await readBody(req, SIGN_IN_MAX_BODY)).get('token') ?? '';
  if (options.token !== null && !sameToken(token, options.token)) return refuse(req, res);
  res.writeHead(303, { location: '/', ...(options.token === null ? {} : { 'set-cookie': tokenCookie(options.token) }) });
  res.end();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  // After a refused body the rest of it is still on the socket: answer, then drop the connection.
  const close = status === 413;
  res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
  res.end(JSON.stringify(body), () => {
    if (close) res.socket?.destroy();
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      req.resume();
      reject(new HttpError(413, `the body is ${declared} bytes; at most ${limit} (http.max_body)`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading; the 413 answer closes the connection (see send).
        req.removeAllListeners('data');
        req.pause();
        reject(new HttpError(413, `the body is over ${limit} bytes (http.max_body)`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
