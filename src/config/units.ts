// Durations ("500ms", "30s", "10m", "2h", "7d") and sizes ("64KB", "512MB", "2GB") as technicians
// write them in the YAML. Pure parsing and formatting; no knowledge of the schema.

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
// Binary multiples, as systemd and most gateway tooling read "MB" on disk sizes.
const SIZE_UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const;

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)$/i;

/** Milliseconds, or null when the text is not a duration. "0" alone is accepted as zero. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = DURATION_RE.exec(trimmed);
  if (!match) return null;
  const ms = Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS];
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** Bytes, or null when the text is not a size. */
export function parseSize(text: string): number | null {
  const match = SIZE_RE.exec(text.trim());
  if (!match) return null;
  const unit = match[2]!.toUpperCase() as keyof typeof SIZE_UNITS;
  const bytes = Number(match[1]) * SIZE_UNITS[unit];
  return Number.isFinite(bytes) ? Math.round(bytes) : null;
}

/** The shortest exact spelling: 600000 → "10m", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit];
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function formatSize(bytes: number): string {
  for (const unit of ['TB', 'GB', 'MB', 'KB'] as const) {
    const size = SIZE_UNITS[unit];
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

export const DURATION_HINT = 'a number and a unit: 500ms, 30s, 10m, 2h or 7d';
export const SIZE_HINT = 'a number and a unit: 64KB, 512MB or 2GB';
