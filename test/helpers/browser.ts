// A real headless Chromium (Debian's, never a downloaded one) driven by puppeteer-core, for tests of
// the status page: launched with a fresh profile, closed at cleanup, its console and dialogs recorded.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { onCleanup, tempDir } from './teardown.js';
import { CHROMIUM } from './tools.js';

/** Flags that keep Chromium headless, offline and quiet on a CI machine or a container. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  const executablePath = CHROMIUM.path();
  if (executablePath === undefined) throw new Error(`chromium is not installed (${CHROMIUM.install})`);
  const userDataDir = await tempDir('chromium-profile');
  const browser = await puppeteer.launch({ executablePath, headless: true, userDataDir, args: FLAGS, timeout: 30_000 });
  onCleanup(() => browser.close());
  return browser;
}

export interface PageWatch {
  /** Console errors and uncaught exceptions, CSP violations included. */
  readonly errors: string[];
  /** alert(), confirm() and prompt() calls: a script that should never have run. */
  readonly dialogs: string[];
}

/** Records what a page must never do; dialogs are dismissed so nothing waits on them. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(String(error)));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return watch;
}
