// The record phase (issue 16): follows predictions and faults as they happen into the prediction
// history, the live track record (stored, and counted on /metrics) and the live state the status
// page and the per-asset metrics read.
import { LiveState } from '../http/live-state.js';
import type { Phase } from '../lifecycle.js';
import { HistorySampler } from '../predict/history-sampler.js';
import type { AssetPrediction } from '../predict/predictor.js';
import { TrackRecord, type TrackEvent } from '../predict/track-record.js';
import { PredictionHistory } from '../store/prediction-history.js';
import { RecordWriter } from '../store/record-writer.js';
import type { Batch } from '../store/ingest-batch.js';
import type { Base } from './base.js';
import type { IngestParts } from './ingest.js';
import type { PredictionParts } from './predictions.js';
import type { StoreParts } from './store.js';

export interface RecordParts {
  readonly live: LiveState;
}

export const recordPhase: Phase<Base & StoreParts & IngestParts & Pick<PredictionParts, 'predictions'>, RecordParts> = {
  name: 'record',
  sections: [],
  start: ({ log, events, metrics, db, ingest, predictions }) => {
    const writer = new RecordWriter(db, log.child({ module: 'record' }));
    const track = new TrackRecord();
    const sampler = new HistorySampler();
    const live = new LiveState(new PredictionHistory(db).latest(), predictions.champion?.params.horizonS ?? null, () => ingest.counters.readingsStored);

    const settle = (settled: readonly TrackEvent[]): void => {
      if (settled.length === 0) return;
      writer.addEvents(settled);
      for (const event of settled) metrics.observeTrackRecord(event);
      live.record(settled);
    };
    const onPrediction = (p: AssetPrediction): void => {
      live.prediction(p);
      const { ts, risk, timeToFaultS } = p.prediction;
      if (sampler.keep(p)) writer.addPoint({ asset: p.asset, ts, risk, timeToFaultS, level: p.level, modelVersion: p.modelVersion });
      settle(track.prediction({ asset: p.asset, line: p.line, ts, timeToFaultS, level: p.level, modelVersion: p.modelVersion, horizonS: p.horizonS }));
    };
    // Registered after the predictions phase's own listener, so a batch's predictions are made
    // (and seen above) before its faults are judged here.
    const onCommit = (batch: Batch): void => {
      live.batch(batch);
      for (const f of batch.faults) settle(track.fault(f.asset, f.line, f.ts));
    };
    events.on('prediction', onPrediction);
    const unsubscribe = ingest.onCommit(onCommit);
    writer.start();
    live.start();
    return {
      parts: { live },
      stop: () => {
        events.off('prediction', onPrediction);
        unsubscribe();
        live.stop();
        writer.stop();
      },
    };
  },
};
