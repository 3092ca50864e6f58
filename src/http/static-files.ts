// The status page's files (src/http/page/, no build step) and uPlot's, read once at start and served
// from memory. Nothing is fetched from elsewhere: the gateway may have no internet.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const PAGE_FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/charts.js': ['charts.js', 'text/javascript; charset=utf-8'],
  '/render.js': ['render.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
  '/favicon.svg': ['favicon.svg', 'image/svg+xml'],
};

const UPLOT_FILES: Record<string, [file: string, type: string]> = {
  '/vendor/uPlot.iife.min.js': ['uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
  '/vendor/uPlot.min.css': ['uPlot.min.css', 'text/css; charset=utf-8'],
};

/**
 * Where the page's files are: beside this module when a build copied them (the Debian package),
 * else src/http/page/ seen from dist/http/ in a git checkout, as sparkplug/codec.ts finds its schema.
 */
export function findPageDir(): string {
  const candidates = [new URL('./page/', import.meta.url), new URL('../../src/http/page/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new Error(`cannot find the status page's files beside ${fileURLToPath(import.meta.url)} or in src/http/page/; reinstall faultline`);
}

/** Every file the page needs, by URL path. */
export function loadStaticFiles(pageDir: string = findPageDir()): ReadonlyMap<string, StaticFile> {
  const uplotDir = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  const files = new Map<string, StaticFile>();
  const add = (dir: string, table: Record<string, [string, string]>): void => {
    for (const [path, [file, contentType]] of Object.entries(table)) {
      const body = readFileSync(join(dir, file));
      files.set(path, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
  };
  add(pageDir, PAGE_FILES);
  add(uplotDir, UPLOT_FILES);
  return files;
}
