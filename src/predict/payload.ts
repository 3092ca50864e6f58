// The prediction as PLCs and SCADA receive it: the contract's JSON payload and, for PLCs, bare
// numbers on sub-topics. Pure.
import { LEVEL_NAMES } from './levels.js';
import type { AssetPrediction } from './predictor.js';

export interface OutgoingMessage {
  topic: string;
  payload: string;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function predictionPayload(p: AssetPrediction): string {
  return JSON.stringify({
    ts: p.prediction.ts,
    asset: p.asset,
    line: p.line,
    time_to_fault_s: round(p.prediction.timeToFaultS, 1),
    horizon_s: p.horizonS,
    risk: round(p.prediction.risk, 4),
    level: LEVEL_NAMES[p.level],
    model: p.modelVersion,
    contributions: p.prediction.contributions.map((c) => ({ feature: c.feature, value: round(c.value, 1) })),
  });
}

/** The JSON message, then (with scalars) /risk, /time_to_fault_s and /level as bare numbers. */
export function predictionMessages(topic: string, p: AssetPrediction, scalars: boolean): OutgoingMessage[] {
  const messages = [{ topic, payload: predictionPayload(p) }];
  if (scalars) {
    messages.push(
      { topic: `${topic}/risk`, payload: String(round(p.prediction.risk, 4)) },
      { topic: `${topic}/time_to_fault_s`, payload: String(round(p.prediction.timeToFaultS, 1)) },
      { topic: `${topic}/level`, payload: String(p.level) },
    );
  }
  return messages;
}
