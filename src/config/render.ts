// Prints the effective config as YAML the way a technician writes it (durations as "10m", sizes as
// "2GB"), with every secret masked. Used by check-config and the startup log.
import { stringify } from 'yaml';
import { docAt, schemaDocs, type SchemaDoc } from './describe.js';
import type { Config } from './schema.js';
import { formatDuration, formatSize } from './units.js';

export const MASK = '********';

/** A plain copy of the config with durations and sizes spelled as in YAML and secrets masked. */
export function displayConfig(config: Config): Record<string, unknown> {
  return displayNode(config, schemaDocs()) as Record<string, unknown>;
}

export function renderConfig(config: Config): string {
  return stringify(displayConfig(config), { lineWidth: 0 });
}

function displayNode(value: unknown, doc: SchemaDoc | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (doc?.unit === 'secret') return MASK;
  if (Array.isArray(value)) return value.map((item) => displayNode(item, doc?.items));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, child]) => [key, displayNode(child, docAt([key], doc))]),
    );
  }
  if (typeof value === 'number' && doc?.unit === 'duration') return formatDuration(value);
  if (typeof value === 'number' && doc?.unit === 'size') return formatSize(value);
  return value;
}
