// Writes the prediction history and the track record in one transaction a second, off the ingest
// path: a prediction costs a push onto a bounded queue, and the fsync is shared by everything queued.
import type { Logger } from '../log.js';
import type { TrackEvent } from '../predict/track-record.js';
import type { Db } from './db.js';
import { PredictionHistory, type HistoryPoint } from './prediction-history.js';
import { TrackRecordStore } from './track-record.js';

const FLUSH_EVERY_MS = 1_000;
/** History points waiting at most; beyond, the oldest are dropped (the plot loses a point, nothing else). */
const MAX_QUEUED_POINTS = 20_000;
/** Track record events are one per fault or false alarm; this many wait only if the disk refuses writes for long. */
const MAX_QUEUED_EVENTS = 10_000;

export class RecordWriter {
  private readonly history: PredictionHistory;
  private readonly track: TrackRecordStore;
  private points: HistoryPoint[] = [];
  private events: TrackEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly write: () => void;

  constructor(
    db: Db,
    private readonly log: Logger,
  ) {
    this.history = new PredictionHistory(db);
    this.track = new TrackRecordStore(db);
    this.write = db.transaction(() => {
      this.history.append(this.points);
      this.track.append(this.events);
    });
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  addPoint(point: HistoryPoint): void {
    if (this.points.length >= MAX_QUEUED_POINTS) {
      this.points.shift();
    }
    this.points.push(point);
  }

  addEvents(events: readonly TrackEvent[]): void {
    this.events.push(...events);
    if (this.events.length > MAX_QUEUED_EVENTS) this.events.splice(0, this.events.length - MAX_QUEUED_EVENTS);
  }

  flush(): void {
    if (this.points.length === 0 && this.events.length === 0) return;
    try {
      this.write();
      this.points = [];
      this.events = [];
    } catch (error) {
      // A full or locked disk: keep them for the next flush; the queue bound holds meanwhile.
      this.log.error({ err: error, points: this.points.length, events: this.events.length }, 'cannot store prediction history and track record; will retry');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}
