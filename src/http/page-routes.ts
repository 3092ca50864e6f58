// The status page's routes: its files, GET /api/status, GET /api/history?asset=A and the live
// stream GET /api/events. Read-only; server.ts has already checked the token and set the
// security headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HistoryRange } from '../store/prediction-history.js';
import type { LiveStream } from './live-stream.js';
import type { PageStatus } from './page-data.js';
import type { StaticFile } from './static-files.js';

export interface PageRoutes {
  readonly files: ReadonlyMap<string, StaticFile>;
  readonly status: () => PageStatus;
  readonly history: (asset: string) => HistoryRange;
  readonly stream: LiveStream;
}

/** Answers a GET of the page; false when `url` is none of its routes. */
export function handlePageRoute(page: PageRoutes, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const file = page.files.get(url.pathname);
  if (file) {
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, { etag: file.etag });
      res.end();
    } else {
      // no-cache: the browser asks again each time, and gets a 304 while the file is the same.
      res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-cache', etag: file.etag });
      res.end(file.body);
    }
    return true;
  }
  switch (url.pathname) {
    case '/api/status':
      json(res, 200, page.status());
      return true;
    case '/api/history': {
      const asset = url.searchParams.get('asset');
      if (asset === null || asset === '') json(res, 400, { error: 'name the asset: /api/history?asset=press3' });
      else json(res, 200, page.history(asset));
      return true;
    }
    case '/api/events':
      if (!page.stream.open(req, res)) json(res, 503, { error: `too many open status pages (at most ${MAX_STREAMS}); close one and reload` });
      return true;
    default:
      return false;
  }
}

/** Browsers keep one stream per open page; a handful of technicians at once is plenty for a gateway. */
export const MAX_STREAMS = 8;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
