// What arrives on the fleet's statistics topics (issue 15), turned into what ingest stores with its
// batch: a member's latest statistics, a cleared member, or a refusal with its reason. Our own
// retained message comes back too and is left alone. Logs each refusal reason at most once a minute.
import type { FleetConfig } from '../config/schema.js';
import type { Entry } from '../ingest/group-commit.js';
import { LogTurns } from '../log-turns.js';
import type { Logger } from '../log.js';
import type { Inbound, Subscription } from '../mqtt/connection.js';
import { fleetStatsAgent, fleetStatsFilter } from '../topics/contract.js';
import { decodeFleetStats } from './codec.js';

export interface FleetInboxOptions {
  /** config.fleet, with its id (learning needs one: config/rules.ts). */
  readonly fleet: FleetConfig & { readonly id: string };
  /** This agent: its own statistics are its own data, not a member's. */
  readonly agentId: string;
  readonly log: Logger;
}

export class FleetInbox {
  readonly subscription: Subscription;
  private readonly refusals = new LogTurns();

  constructor(private readonly options: FleetInboxOptions) {
    // QoS 1: a member's statistics come once every retrain; none may be lost on the way.
    this.subscription = { filter: fleetStatsFilter(options.fleet.id), qos: 1 };
  }

  /** What to store for a message on the fleet's topics; null when the topic is not one of them. */
  toEntry(message: Inbound): Entry | null {
    const { fleet, agentId, log } = this.options;
    const agent = fleetStatsAgent(fleet.id, message.topic);
    if (agent === null) return null;
    if (agent === agentId) return { kind: 'nothing' };
    // An empty retained message is how MQTT deletes one [MQTT-3.3.1-10]: the member left the fleet.
    if (message.payload.length === 0) {
      log.info({ agent }, 'fleet member cleared its statistics; it drops out at the next retrain');
      return { kind: 'fleet', fleet: { kind: 'cleared', fleet: fleet.id, agent } };
    }
    const decoded = decodeFleetStats(message.payload, { fleet: fleet.id, agent, maxBytes: fleet.max_message_bytes, members: fleet.members });
    if ('reason' in decoded) {
      const turn = this.refusals.take(decoded.reason);
      if (turn) log.warn({ topic: message.topic.slice(0, 200), reason: decoded.reason, detail: decoded.detail, ...turn }, 'fleet statistics rejected (kept as a dead letter)');
      const { receivedAt, topic, payload } = message;
      return { kind: 'fleet', fleet: { kind: 'rejected', deadLetter: { receivedAt, topic, reason: decoded.reason, detail: decoded.detail, payload } } };
    }
    const { stats } = decoded;
    log.info({ agent, episodes: stats.episodes.length, recipe: stats.recipe?.hash ?? null, sent_at: new Date(stats.sentAt).toISOString() }, 'fleet member statistics received');
    const member = { fleet: fleet.id, agent, receivedAt: message.receivedAt, sentAt: stats.sentAt, recipe: stats.recipe?.hash ?? null, episodes: stats.episodes.length, payload: message.payload };
    return { kind: 'fleet', fleet: { kind: 'member', member } };
  }
}
