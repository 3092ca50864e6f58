// http.token_file (issue 16): a listen address others can reach needs a token (else exit 78, with
// file:line:col), and then every route but /healthz refuses a request without it (401) and serves
// one with it, as a bearer header or, for a browser, the cookie the sign-in form sets.
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/demo/broker.js';
import { runCli, startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { ingestConfig } from '../ingest/agent.js';

const TOKEN = 'c0ffee-5eed-0123456789abcdef';

/**
 * This machine's name when it resolves to a loopback address (Debian's /etc/hosts maps it to
 * 127.0.1.1): a listen address the config cannot know to be loopback, which tests may still bind.
 * Elsewhere 127.0.0.1, where the token is required all the same once it is set.
 */
async function openLookingHost(): Promise<string> {
  const name = hostname();
  try {
    const { address } = await lookup(name);
    return address.startsWith('127.') || address === '::1' ? name : '127.0.0.1';
  } catch {
    return '127.0.0.1';
  }
}

async function brokerConfig() {
  const broker = await startBroker();
  onCleanup(() => broker.close());
  return ingestConfig({ kind: 'aedes', url: broker.url, protocolVersion: 4 });
}

describe('http.token_file', () => {
  it('is required when http.listen is not loopback: faultline run exits 78 and names the line', async () => {
    const dir = await tempDir('token');
    const file = writeConfig(dir, { http: { listen: '0.0.0.0:9464' } });
    const result = await runCli(['run', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+ http\\.listen: "0\\.0\\.0\\.0:9464" is not a loopback address, so others on the network can reach it; set http\\.token_file`));
  });

  it('must hold a token long enough to resist guessing', async () => {
    const dir = await tempDir('token');
    const tokenFile = join(dir, 'http.token');
    writeFileSync(tokenFile, 'secret\n', { mode: 0o600 });
    const file = writeConfig(dir, { http: { listen: '0.0.0.0:9464', token_file: tokenFile } });
    const result = await runCli(['check-config', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+ http\\.token_file: "${tokenFile}" must hold a token of at least 16 characters on its first line; make one with: openssl rand -hex 32 > ${tokenFile}`));
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const valid = await runCli(['check-config', '--config', file]);
    expect(valid.code).toBe(0);
    expect(valid.stdout + valid.stderr).not.toContain(TOKEN);
  });

  it('guards every route but /healthz: 401 without the token, served with it', { timeout: 30_000 }, async () => {
    const dir = await tempDir('token');
    const tokenFile = join(dir, 'http.token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const host = await openLookingHost();
    const port = await freePort();
    const agent = startAgent(writeConfig(dir, { ...(await brokerConfig()), http: { listen: `${host}:${port}`, token_file: tokenFile } }));
    await agent.waitForLog((l) => l.msg === 'subscribed', 15_000, 'subscribed');
    const base = `http://${host}:${port}`;
    const bearer = { authorization: `Bearer ${TOKEN}` };

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    for (const path of ['/', '/api/status', '/api/history?asset=press1', '/metrics', '/app.js', '/nope']) {
      const refused = await fetch(`${base}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="faultline"');
      expect((await fetch(`${base}${path}`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status, path).toBe(401);
    }
    const predict = await fetch(`${base}/v1/predict`, { method: 'POST', body: '{"asset":"press1"}' });
    expect(predict.status).toBe(401);
    expect(((await predict.json()) as { error: string }).error).toContain('Authorization: Bearer');

    expect((await fetch(`${base}/metrics`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${base}/api/status`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${base}/`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${base}/v1/predict`, { method: 'POST', body: '{"asset":"press1"}', headers: bearer })).status).toBe(503); // no model yet

    // A browser: the 401 is a sign-in form; the right token comes back as an HttpOnly cookie.
    const form = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('<form method="post" action="/sign-in">');
    const wrong = await fetch(`${base}/sign-in`, { method: 'POST', body: new URLSearchParams({ token: 'guess-guess-guess-guess' }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    const signedIn = await fetch(`${base}/sign-in`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(`${base}/api/status`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);

    expect(JSON.stringify(agent.logs)).not.toContain(TOKEN);
    expect((await agent.stop()).code).toBe(0);
  });
});
