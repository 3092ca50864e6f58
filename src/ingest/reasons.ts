// Why a message was rejected: the reasons that label dead letters, the rejection counters and
// faultline_readings_rejected_total{reason}. Constants and types only.

export const REJECT_REASONS = [
  'too_large',
  'unknown_topic',
  'not_json',
  'not_object',
  'bad_value',
  'too_many_fields',
  'too_many_series',
  'no_readings',
  'bad_timestamp',
  'future_timestamp',
  'too_old',
  'not_sparkplug',
  'sparkplug_no_birth',
  'sparkplug_unknown_alias',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  reason: RejectReason;
  detail: string;
}
