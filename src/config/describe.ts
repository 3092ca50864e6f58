// Turns schema violations into technician language, taking "what would be right" from the schema's
// own documentation (defaults, allowed values, descriptions). Pure.
import { z } from 'zod';
import { configSchema } from './schema.js';
import { closest } from './suggest.js';

export interface SchemaDoc {
  type?: string | string[];
  description?: string;
  unit?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaDoc>;
  items?: SchemaDoc;
  anyOf?: SchemaDoc[];
}

/** The config schema as JSON Schema (input side): the documented shape of the YAML. */
export function schemaDocs(): SchemaDoc {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as SchemaDoc;
}

export function docAt(path: ReadonlyArray<PropertyKey>, root: SchemaDoc = schemaDocs()): SchemaDoc | undefined {
  let node: SchemaDoc | undefined = root;
  for (const part of path) {
    if (!node) return undefined;
    node = typeof part === 'number' ? node.items : node.properties?.[String(part)];
  }
  return node;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  object: 'a section of "key: value" lines',
  array: 'a list (lines starting with "- ")',
};

export function describeIssue(issue: z.core.$ZodIssue, input: unknown, unknownKey?: string): string {
  const own = docAt(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeyMessage(unknownKey ?? issue.keys[0] ?? '', issue.path, own);
    case 'invalid_type': {
      if (input === undefined) return `is required: ${own?.description ?? 'this key must be set'}`;
      const what = isDefaultMessage(issue.message) ? `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}` : issue.message;
      return `${what} (got ${show(input)})${defaultHint(own)}`;
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const guess = typeof input === 'string' ? closest(input, allowed) : null;
      const hint = guess ? `; did you mean "${guess}"?` : '';
      return `must be one of ${allowed.join(', ')} (got ${show(input)})${hint}`;
    }
    case 'too_small':
    case 'too_big':
      return `${boundMessage(issue)} (got ${show(input)})${defaultHint(own)}`;
    case 'invalid_format':
    case 'invalid_union':
      return `${isDefaultMessage(issue.message) ? 'is not valid' : issue.message} (got ${show(input)})${defaultHint(own)}`;
    default:
      return issue.message;
  }
}

function unknownKeyMessage(key: string, parentPath: ReadonlyArray<PropertyKey>, parent: SchemaDoc | undefined): string {
  const siblings = Object.keys(parent?.properties ?? {});
  const guess = closest(key, siblings);
  if (guess) return `unknown key "${key}"; did you mean "${guess}"?`;
  const elsewhere = findKey(schemaDocs(), key, []);
  if (elsewhere && parentPath.length <= 1) return `unknown key "${key}" here; it belongs under ${elsewhere}`;
  return `unknown key "${key}"; keys allowed here: ${siblings.join(', ')}`;
}

function findKey(node: SchemaDoc, key: string, path: string[]): string | null {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (name === key && path.length > 0) return [...path, name].join('.');
    const found = findKey(child, key, [...path, name]);
    if (found) return found;
  }
  return null;
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = small ? (issue).minimum : (issue).maximum;
  if (issue.origin === 'array') return small ? `needs at least ${bound} entries` : `takes at most ${bound} entries`;
  if (issue.origin === 'string') return small ? 'must not be empty' : `must be at most ${bound} characters`;
  const inclusive = issue.inclusive !== false;
  if (small) return inclusive ? `must be at least ${bound}` : `must be more than ${bound}`;
  return inclusive ? `must be at most ${bound}` : `must be less than ${bound}`;
}

function defaultHint(doc: SchemaDoc | undefined): string {
  if (!doc || doc.default === undefined || doc.default === null) return '';
  return `; the default is ${typeof doc.default === 'string' ? doc.default : JSON.stringify(doc.default)}`;
}

function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too small|Too big)/.test(message);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a section';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}
