// One sample of the running agent, from outside it: RSS and descriptors from /proc, the buffer's
// file sizes, and heap, event-loop delay, counters from its own /metrics (prom-client's defaults).
import { readdirSync, readFileSync, statSync } from 'node:fs';

const MB = 1024 * 1024;

/** The value of a Prometheus metric (summed over its labels), or NaN when absent. */
export function metric(text, name) {
  let sum = NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    sum = Number.isNaN(sum) ? value : sum + value;
  }
  return sum;
}

const sizeOf = (path) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export async function sample(pid, metricsUrl, dbPath, startedAt) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  let text = '';
  try {
    text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  } catch {
    // a scrape that times out under load leaves the in-process figures empty for this sample
  }
  return {
    minute: (Date.now() - startedAt) / 60_000,
    rssMb: kb('VmRSS') / 1024,
    hwmMb: kb('VmHWM') / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    heapUsedMb: metric(text, 'nodejs_heap_size_used_bytes') / MB,
    heapTotalMb: metric(text, 'nodejs_heap_size_total_bytes') / MB,
    externalMb: metric(text, 'nodejs_external_memory_bytes') / MB,
    loopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
    dbMb: sizeOf(dbPath) / MB,
    /** The pages in use (faultline_buffer_bytes): what storage.max_size bounds; the file keeps its free pages. */
    usedMb: metric(text, 'faultline_buffer_bytes') / MB,
    walMb: sizeOf(`${dbPath}-wal`) / MB,
    stored: metric(text, 'faultline_readings_stored_total'),
    rejected: metric(text, 'faultline_readings_rejected_total'),
    predictions: metric(text, 'faultline_predictions_published_total'),
    outbox: metric(text, 'faultline_outbox_rows'),
    outboxDropped: metric(text, 'faultline_outbox_dropped_total'),
    trainings: metric(text, 'faultline_training_duration_seconds_count'),
    connected: metric(text, 'faultline_mqtt_connected'),
  };
}

/** Least-squares slope of y over x, and how many points it rests on. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return { slope: NaN, n };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return { slope: sxx === 0 ? NaN : sxy / sxx, n };
}
