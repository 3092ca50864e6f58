// The public shapes of the Sparkplug edge node: its options, what it is given to publish, and its status.
// Types only.
import type { Config } from '../config/schema.js';
import type { Prediction } from '../learn/model.js';
import type { Logger } from '../log.js';
import type { SparkplugCodec } from './codec.js';
import type { KeyValueStore } from '../store/meta.js';
import type { Level, NodeMetrics } from './payloads.js';
import type { ConnectionFactory } from './session.js';

/** The config sections the edge node reads: its own, the broker's, and the horizon and outbox bound. */
export type SparkplugConfig = Pick<Config, 'sparkplug' | 'mqtt' | 'agent' | 'model' | 'predictions'>;

export interface SparkplugNodeOptions {
  config: SparkplugConfig;
  log: Logger;
  /** Keeps bdSeq across restarts [tck-id-topics-nbirth-bdseq-increment]; metaStore(db) in the agent. */
  store: KeyValueStore;
  connectionFactory?: ConnectionFactory;
  codec?: SparkplugCodec;
  /** Wall clock, ms: payload timestamps and sparkplug.max_silence. */
  now?: () => number;
  /**
   * Reads the node metrics as they are now: for every NBIRTH (a rebirth too), so that a birth carries
   * current values [tck-id-operational-behavior-data-publish-nbirth-values], and every `nodeRefreshMs`
   * for NDATA. Keys left out keep their last value; a throw is logged and keeps them all.
   */
  node?: () => Partial<NodeMetrics>;
  /** How often `node` is read for NDATA between births; default 30 s. */
  nodeRefreshMs?: number;
  /** Predictions held while no session is up; default predictions.outbox_max. */
  holdCapacity?: number;
}

export interface PredictionUpdate {
  prediction: Pick<Prediction, 'ts' | 'risk' | 'timeToFaultS'>;
  level: Level;
  modelVersion: string;
}

/** 'unchanged': nothing a host has not been told (report by exception). */
export type PublishOutcome = 'sent' | 'held' | 'unchanged' | 'invalid_asset';

export interface SparkplugStatus {
  connected: boolean;
  /** NBIRTH published on the current connection. */
  born: boolean;
  /** null when no primary host is configured. */
  primaryHostOnline: boolean | null;
  bdSeq: number;
  seq: number;
  devices: number;
  held: number;
  /** Held predictions dropped (oldest first) because the queue was full, since start. */
  dropped: number;
}

