// The prediction as PLCs and SCADA receive it: the contract's JSON payload. Pure; the topics it goes
// to are built in topics/contract.ts.
import { LEVEL_NAMES, type LevelName } from './levels.js';
import type { AssetPrediction } from './predictor.js';

export interface PredictionPayload {
  ts: number;
  asset: string;
  line: string | null;
  time_to_fault_s: number;
  horizon_s: number;
  risk: number;
  level: LevelName;
  model: string;
  /** Seconds of the asset's current episode behind the prediction: a young asset is predicted from what exists. */
  history_s: number;
  contributions: Array<{ feature: string; value: number }>;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function predictionPayload(p: AssetPrediction): PredictionPayload {
  return {
    ts: p.prediction.ts,
    asset: p.asset,
    line: p.line,
    time_to_fault_s: round(p.prediction.timeToFaultS, 1),
    horizon_s: p.horizonS,
    risk: round(p.prediction.risk, 4),
    level: LEVEL_NAMES[p.level],
    model: p.modelVersion,
    history_s: Math.round(p.prediction.historyS),
    contributions: p.prediction.contributions.map((c) => ({ feature: c.feature, value: round(c.value, 1) })),
  };
}
