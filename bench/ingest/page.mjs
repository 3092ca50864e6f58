// npm run bench:page — what the status page costs ingest (issue 16): QoS 1 trials of bench:ingest's
// agent, a model serving so that every asset gets predictions, with the page open and updating in a
// headless Chromium and without it, interleaved (a single trial on two shared cores varies by ±10%).
// Chromium runs at nice 19, as if on the technician's laptop: the cost measured is the agent's
// (serving the page, its snapshot and its live stream), not the browser's drawing.
// The functions given to page.evaluate run in the browser:
/* global window, document, MutationObserver */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { fmt, table } from '../lib/stats.mjs';
import { COUNT, trial } from './trial.mjs';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Opens the page once the agent listens; the returned function reports how often the page changed. */
async function openPage(port) {
  const profile = mkdtempSync(join(tmpdir(), 'faultline-bench-chromium-'));
  // Through nice, so that every process Chromium starts (renderers included) runs at nice 19.
  const wrapper = join(profile, 'chromium-nice');
  writeFileSync(wrapper, `#!/bin/sh\nexec nice -n 19 ${CHROMIUM} "$@"\n`, { mode: 0o755 });
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

const results = [];
for (let pair = 0; pair < PAIRS; pair++) {
  // Alternate which goes first, so that a drift of the machine does not favour one side.
  const order = pair % 2 === 0 ? [true, false] : [false, true];
  for (const open of order) {
    const result = await trial('faultline', 1, { page: true, onReady: open ? openPage : null });
    results.push({ ...result, open });
    console.error(`pair ${pair + 1}, page ${open ? 'open' : 'closed'}: ${fmt(result.messagesPerS, 0)} msg/s, ${result.predictions} predictions${open ? `, ${result.pageUpdates} page updates` : ''}`);
  }
}

const side = (open) => results.filter((r) => r.open === open).map((r) => r.messagesPerS);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [withPage, withoutPage] = [side(true), side(false)];
console.log(`\nIngest with the status page open: ${COUNT} messages of 4 readings each, QoS 1, ${PAIRS} interleaved pairs, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['page', 'trials', 'msg/s (min–max)', 'median msg/s', 'predictions per trial', 'page updates per trial'],
    [true, false].map((open) => {
      const rs = results.filter((r) => r.open === open);
      const rates = side(open);
      return [
        open ? 'open, updating' : 'closed',
        rs.length,
        `${fmt(Math.min(...rates), 0)}–${fmt(Math.max(...rates), 0)}`,
        fmt(median(rates), 0),
        rs.map((r) => r.predictions).join(', '),
        open ? rs.map((r) => r.pageUpdates).join(', ') : '-',
      ];
    }),
  ),
);
console.log(`\nmedian with the page / median without: ${fmt(median(withPage) / median(withoutPage), 3)}`);
