// The status page in a real headless Chromium, against a running agent on a real broker with a
// synthetic line (issue 16): every asset listed, every plot drawn, the model card and versions
// shown, a new prediction on the page within 2 s without a reload, no console error, and an asset
// named like an HTML tag shown as text without running anything. Saves a screenshot.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { launchChromium, watchPage } from '../../helpers/browser.js';
import { REPO } from '../../helpers/cli.js';
import { CHROMIUM, describeWithTool } from '../../helpers/tools.js';
import { waitUntil } from '../../helpers/wait.js';
import { MINUTE, publishFault, publishReadings, startPageAgent, type Reading } from './line.js';

// The functions given to waitForFunction run in the browser. The test program has no DOM types (they
// would change Node's own, fetch's for one), so the little they use is declared here.
interface PageElement {
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  querySelector(selector: string): PageElement | null;
}
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
declare const document: { querySelector(selector: string): PageElement | null; querySelectorAll<T = PageElement>(selector: string): ArrayLike<T> & Iterable<T> };

const HOSTILE = '<img src=x onerror=alert(1)>';
const ASSETS = ['press1', 'press2', 'lathe1', HOSTILE];
/** Where the screenshot goes; FAULTLINE_SCREENSHOT_DIR=docs updates the one README.md shows. */
const SCREENSHOT_DIR = resolve(REPO, process.env['FAULTLINE_SCREENSHOT_DIR'] ?? 'build');

/** Two and a half hours of a line: press1 ramps to a fault at minute 100 and starts over; lathe1 warms up. */
function line(start: number): { readings: Reading[]; faults: Array<{ asset: string; ts: number }> } {
  const readings: Reading[] = [];
  for (let m = 0; m < 150; m++) {
    const ts = start + m * MINUTE;
    readings.push(
      { asset: 'press1', ts, temperature: m < 100 ? 60 + m * 0.24 : 61 },
      { asset: 'press2', ts, temperature: 64 + (m % 7) * 0.5 },
      { asset: 'lathe1', ts, temperature: 62 + m * 0.09 },
      { asset: HOSTILE, ts, temperature: 68 + (m % 5) },
    );
  }
  return { readings, faults: [{ asset: 'press1', ts: start + 100 * MINUTE + 1 }] };
}

describeWithTool(CHROMIUM, 'the status page in a browser', () => {
  it('shows every asset, its plot, the model and its versions, live, and renders untrusted names as text', { timeout: 90_000 }, async () => {
    const running = await startPageAgent();
    const start = Date.now() - 160 * MINUTE;
    const { readings, faults } = line(start);
    await publishReadings(running.client, readings.slice(0, 100 * ASSETS.length));
    for (const f of faults) await publishFault(running.client, f.asset, f.ts);
    await publishReadings(running.client, readings.slice(100 * ASSETS.length));
    const status = async () => (await (await fetch(`${running.base}/api/status`)).json()) as { assets: Array<{ asset: string; prediction: { ts: number } | null }> };
    const lastTs = start + 149 * MINUTE;
    await waitUntil(async () => (await status()).assets.filter((a) => a.prediction?.ts === lastTs).length === ASSETS.length, 20_000, 'every asset has its latest prediction');

    const browser = await launchChromium();
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.setViewport({ width: 1400, height: 900 });
    const response = await page.goto(`${running.base}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response?.headers()['x-frame-options']).toBe('DENY');

    // Every asset, each in its own row, names as they came in the topics.
    await page.waitForFunction((n: number) => document.querySelectorAll('#assets tbody tr').length === n, { timeout: 10_000 }, ASSETS.length);
    const names = await page.$$eval('#assets tbody td.asset', (cells) => cells.map((c) => c.textContent));
    expect(names.sort()).toEqual([...ASSETS].sort());

    // Each plot's canvas carries the risk line (its colour, rgb(214, 39, 40)), not just axes.
    await page.waitForFunction(
      (n: number) => {
        const canvases = [...document.querySelectorAll<PageCanvas>('#plots canvas')];
        const riskPixels = (canvas: PageCanvas): number => {
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          let count = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i] === 214 && data[i + 1] === 39 && data[i + 2] === 40) count++;
          return count;
        };
        return canvases.length === n && canvases.every((canvas) => riskPixels(canvas) > 50);
      },
      { timeout: 10_000 },
      ASSETS.length,
    );

    // The model card, its coefficient chart, and both versions (the champion and the one rejected before it).
    const model = await page.$eval('#model', (m) => m.textContent);
    expect(model).toContain(`version${running.version}`);
    expect(model).toContain('promoted: no champion yet (test RMSE 123.4 s)');
    expect(model).toContain('constant baseline2100.0');
    expect(await page.$$eval('#coefficients canvas', (c) => c.length)).toBe(1);
    const versions = await page.$$eval('#versions tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(versions.map((v) => [v[0], v[1], v[6]])).toEqual([
      [running.version, 'champion', 'promoted'],
      ['1', 'rejected', 'rejected'],
    ]);
    // The fault of press1 is in the track record: the hand model warned before it.
    await page.waitForFunction(() => document.querySelector('#track tbody')?.textContent?.includes('press1') === true, { timeout: 10_000 });

    // A new reading's prediction reaches the page within 2 s, without a reload.
    const newTs = lastTs + MINUTE;
    const published = Date.now();
    await publishReadings(running.client, [{ asset: 'press2', ts: newTs, temperature: 80 }]);
    await page.waitForFunction(
      (asset: string, ts: number) => [...document.querySelectorAll('#assets tbody tr')].some((tr) => tr.querySelector('td.asset')?.textContent === asset && tr.querySelector('td.at')?.dataset['ts'] === String(ts)),
      { timeout: 2_000 },
      'press2',
      newTs,
    );
    const elapsed = Date.now() - published;
    expect(elapsed).toBeLessThan(2_000);

    // The hostile name is text wherever it shows; nothing it spells ran or was parsed as markup.
    expect(await page.$$eval('img', (images) => images.length)).toBe(0);
    const titles = await page.$$eval('.plot-title', (t) => t.map((e) => e.textContent));
    expect(titles).toContain(`${HOSTILE} · line1`);
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'status-page.png'), fullPage: true });
    expect((await running.agent.stop()).code).toBe(0);
  });
});
