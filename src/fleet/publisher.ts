// Publishes this agent's statistics to its fleet (issue 15) after each retrain that made some, and
// again on every connection (a broker restarted without persistence has lost the retained copy).
// Encoding happened in the training process; this only sends the bytes.
import type { Logger } from '../log.js';
import { fleetStatsMessage } from '../topics/contract.js';
import type { TrainResult } from '../train/trainer.js';

export interface FleetPublisherOptions {
  readonly fleetId: string;
  readonly agentId: string;
  /** fleet.max_message_bytes: members with the same bound refuse a larger message. */
  readonly maxBytes: number;
  /** Connection.send: a failure is counted and logged there, and repaired by the next send. */
  readonly send: (message: ReturnType<typeof fleetStatsMessage>) => void;
  readonly connected: () => boolean;
  readonly log: Logger;
}

export class FleetPublisher {
  private last: ReturnType<typeof fleetStatsMessage> | null = null;

  constructor(private readonly options: FleetPublisherOptions) {}

  /** A retrain ended: publish what it shared, whether its model was promoted or not (or there was none). */
  trained(result: TrainResult): void {
    const { fleetId, agentId, maxBytes, log } = this.options;
    if (result.status === 'failed' || result.fleet === null) return;
    const shared = result.fleet;
    if (shared.kind === 'unsendable') {
      log.error({ message: shared.message }, 'fleet statistics could not be encoded; nothing was shared');
      return;
    }
    // The config changed while the retrain ran: these name the old fleet or agent.
    if (shared.fleet !== fleetId || shared.agent !== agentId) {
      log.warn({ fleet: shared.fleet, agent: shared.agent }, 'fleet statistics of a previous config not shared; the next retrain shares');
      return;
    }
    if (shared.payload.byteLength > maxBytes) {
      log.warn({ bytes: shared.payload.byteLength, max_message_bytes: maxBytes }, 'fleet statistics are larger than fleet.max_message_bytes; members with that bound will refuse them');
    }
    this.last = fleetStatsMessage(fleetId, agentId, shared.payload);
    log.info({ topic: this.last.topic, episodes: shared.episodes, recipe: shared.recipe, bytes: shared.payload.byteLength }, 'fleet statistics shared');
    this.resend();
  }

  /** Sends the latest statistics again, if connected (else on the next connection). */
  resend(): void {
    if (this.last !== null && this.options.connected()) this.options.send(this.last);
  }
}
