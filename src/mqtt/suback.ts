// What a SUBACK granted, filter by filter, including when mqtt.js reports a partial refusal as an error.

/**
 * mqtt.js 5 fails the whole subscribe call when any reason code in the SUBACK is a refusal (0x80 and
 * up), though the broker granted the others [MQTT-3.9.3]; the SUBACK rides on the error. Pairs its
 * codes with the filters in the order they were sent, or null when the error carries no SUBACK.
 */
export function grantsOfRefusal(error: Error, filters: readonly string[]): Array<{ topic: string; qos: number }> | null {
  const codes = (error as { packet?: { cmd?: unknown; granted?: unknown } }).packet;
  if (codes?.cmd !== 'suback' || !Array.isArray(codes.granted) || codes.granted.length !== filters.length) return null;
  const granted = codes.granted as unknown[];
  return filters.map((topic, i) => ({ topic, qos: typeof granted[i] === 'number' ? granted[i] : 128 }));
}
