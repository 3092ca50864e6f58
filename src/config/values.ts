// The kinds of value a config key takes: durations and sizes with their units, paths, topic
// patterns, QoS, ratios and ids, each with the problem message a technician gets. Pure (zod).
import { z } from 'zod';
import { parsePattern } from '../topics/patterns.js';
import { DURATION_HINT, SIZE_HINT, parseDuration, parseSize } from './units.js';
import { errorMessage } from '../error-message.js';

export type Unit = 'duration' | 'size' | 'path' | 'secret';

/** A string with a unit ("30s", "2GB") that parses to a number (ms, bytes), or a problem naming the fix. */
const withUnit = (unit: 'duration' | 'size', parse: (text: string) => number | null, hint: string) => (fallback: string, description: string) =>
  z
    .string({ error: `must be a ${unit}, ${hint}` })
    .transform((text, ctx) => {
      const value = parse(text);
      if (value === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a ${unit}; write ${hint}` });
        return z.NEVER;
      }
      return value;
    })
    .prefault(fallback)
    .meta({ description, unit });

export const duration = withUnit('duration', parseDuration, DURATION_HINT);

/** `auto`, or a duration in ms. */
export const autoOrDuration = (description: string) =>
  z
    .union([z.literal('auto'), z.string()])
    .default('auto')
    .transform((text, ctx) => {
      if (text === 'auto') return 'auto' as const;
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write auto or ${DURATION_HINT}` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description, unit: 'duration' });
export const size = withUnit('size', parseSize, SIZE_HINT);

/** A path to a file; files.ts checks that it exists and can be read. */
export const filePath = (description: string) => z.string().min(1).nullable().default(null).meta({ description, unit: 'path' });

export const fromCheck =
  (check: (value: string) => unknown) =>
  (ctx: z.core.ParsePayload<string>): void => {
    try {
      check(ctx.value);
    } catch (error) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: errorMessage(error) });
    }
  };

export const topicPattern = (description: string) =>
  z.string().check(fromCheck(parsePattern)).meta({ description });

export const qos = (description: string) =>
  z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' }).default(1).meta({ description });

export const ratio = (fallback: number, description: string) => z.number().min(0).max(1).default(fallback).meta({ description });

/** An agent or fleet id: it is a level of MQTT topics, so no / + # and nothing a broker's ACL would trip on. */
export const topicId = () => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, - or _ (it names MQTT topics and the client id)');
