// npm run bench:page — what the status page costs ingest (issue 16): QoS 1 trials of bench:ingest's
// agent, a model serving so that every asset gets predictions, with the page open and updating in a
// headless Chromium and without it, interleaved (a single trial on two shared cores varies by ±10%).
// BENCH_PAGE_CLIENT=stream makes the page's requests from this process instead of a browser.
// Chromium runs under SCHED_IDLE, as if on the technician's laptop: the cost measured is the agent's
// (serving the page, its snapshot and its live stream), not the browser's drawing on the same two
// cores. Besides the rate, each trial reports the agent's CPU time per message, which a busy machine
// disturbs less than the rate.
// The functions given to page.evaluate run in the browser:
/* global window, document, MutationObserver */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { fmt, table } from '../lib/stats.mjs';
import { COUNT, trial } from './trial.mjs';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
/**
 * The first quarter of each trial's messages is not measured, on either side: the assets appear with
 * them, and the page adds their rows and plots and loads each one's history once. What is measured is
 * the page as it stays open on a running agent, updating.
 */
const WARM = Math.round(COUNT / 4);
/** browser: the page in Chromium; stream: what the page asks of the agent (snapshot, histories, live stream), read by this process, no browser. */
const CLIENT = process.env.BENCH_PAGE_CLIENT ?? 'browser';
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Opens the page once the agent listens; the returned function reports how often the page changed. */
async function openPage(port) {
  const profile = mkdtempSync(join(tmpdir(), 'faultline-bench-chromium-'));
  // Through chrt, so that every process Chromium starts (renderers included) runs only on idle CPU;
  // nice 19 where chrt is missing. The agent writes the live stream whether or not the page reads it
  // at once: the socket's buffer holds far more than a trial's updates.
  const wrapper = join(profile, 'chromium-idle');
  writeFileSync(wrapper, `#!/bin/sh\nif command -v chrt >/dev/null; then exec chrt --idle 0 ${CHROMIUM} "$@"; fi\nexec nice -n 19 ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  const browser = await puppeteer.launch({ executablePath: wrapper, headless: true, userDataDir: join(profile, 'profile'), args: FLAGS });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live', { timeout: 30_000 });
  // Counts the predictions the page shows as they change (puppeteer's evaluate is not subject to the page's CSP).
  await page.evaluate(() => {
    window.benchUpdates = 0;
    new MutationObserver((records) => (window.benchUpdates += records.length)).observe(document.getElementById('assets'), { subtree: true, attributes: true, attributeFilter: ['data-ts'] });
  });
  return async () => {
    const updates = await page.evaluate(() => window.benchUpdates);
    const rows = await page.evaluate(() => document.querySelectorAll('#assets tbody tr').length);
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(`the page failed: ${errors.join('; ')}`);
    return { pageUpdates: updates, pageRows: rows };
  };
}

/** The page's requests without a browser: the snapshot, each asset's history, the live stream, a snapshot every 15 s. */
async function openStream(port) {
  const base = `http://127.0.0.1:${port}`;
  const status = await (await fetch(`${base}/api/status`)).json();
  await Promise.all(status.assets.map((a) => fetch(`${base}/api/history?asset=${encodeURIComponent(a.asset)}`).then((r) => r.json())));
  const controller = new AbortController();
  const response = await fetch(`${base}/api/events`, { signal: controller.signal });
  let updates = 0;
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) updates += (decoder.decode(chunk, { stream: true }).match(/"asset":/g) ?? []).length;
    } catch {
      // aborted at the end of the trial
    }
  })();
  const snapshots = setInterval(() => void fetch(`${base}/api/status`).then((r) => r.json()), 15_000);
  return async () => {
    clearInterval(snapshots);
    controller.abort();
    await reading;
    return { pageUpdates: updates };
  };
}

const results = [];
for (let pair = 0; pair < PAIRS; pair++) {
  // Alternate which goes first, so that a drift of the machine does not favour one side.
  const order = pair % 2 === 0 ? [true, false] : [false, true];
  for (const open of order) {
    const result = await trial('faultline', 1, { page: true, warm: WARM, onReady: open ? (CLIENT === 'stream' ? openStream : openPage) : null });
    results.push({ ...result, open });
    console.error(`pair ${pair + 1}, page ${open ? 'open' : 'closed'}: ${fmt(result.messagesPerS, 0)} msg/s, ${fmt(result.cpuUsPerMessage, 1)} µs CPU/msg, ${result.predictions} predictions${open ? `, ${result.pageUpdates} page updates` : ''}`);
  }
}

const side = (open) => results.filter((r) => r.open === open).map((r) => r.messagesPerS);
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const [withPage, withoutPage] = [side(true), side(false)];
console.log(`\nIngest with the status page open (${CLIENT === 'stream' ? 'its requests, no browser' : 'in Chromium'}): ${COUNT} messages of 4 readings each, QoS 1, ${PAIRS} interleaved pairs, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['page', 'trials', 'msg/s (min–max)', 'median msg/s', 'agent CPU µs/msg (min–max)', 'predictions per trial', 'page updates per trial'],
    [true, false].map((open) => {
      const rs = results.filter((r) => r.open === open);
      const rates = side(open);
      return [
        open ? 'open, updating' : 'closed',
        rs.length,
        `${fmt(Math.min(...rates), 0)}–${fmt(Math.max(...rates), 0)}`,
        fmt(median(rates), 0),
        `${fmt(Math.min(...rs.map((r) => r.cpuUsPerMessage)), 1)}–${fmt(Math.max(...rs.map((r) => r.cpuUsPerMessage)), 1)}`,
        rs.map((r) => r.predictions).join(', '),
        open ? rs.map((r) => r.pageUpdates).join(', ') : '-',
      ];
    }),
  ),
);
const cpu = (open) => median(results.filter((r) => r.open === open).map((r) => r.cpuUsPerMessage));
// Each pair ran back to back: the ratio within a pair cancels the machine's slower drifts.
const pairRatios = Array.from({ length: PAIRS }, (_, i) => {
  const [a, b] = results.slice(2 * i, 2 * i + 2);
  const [open, closed] = a.open ? [a, b] : [b, a];
  return open.messagesPerS / closed.messagesPerS;
});
console.log(`\nrate with the page / without, per pair: ${pairRatios.map((r) => fmt(r, 3)).join(', ')}; median ${fmt(median(pairRatios), 3)}`);
console.log(`median rate with the page / without: ${fmt(median(withPage) / median(withoutPage), 3)}; median agent CPU per message with / without: ${fmt(cpu(true) / cpu(false), 3)}`);
