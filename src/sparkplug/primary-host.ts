// What the primary host's STATE means for the edge node's births (Sparkplug 3.0 §5.4): wait for online,
// end the session on offline, ignore STATE older than the last seen. Pure decisions; no MQTT, no clock.
import type { HostState } from './payloads.js';

export type HostAction = 'birth' | 'end_session' | 'none';

export class PrimaryHostWatch {
  private onlineNow = false;
  private lastTs = -Infinity;

  get online(): boolean {
    return this.onlineNow;
  }

  /** A new session learns the state afresh from the retained STATE. */
  reset(): void {
    this.onlineNow = false;
  }

  accept(state: HostState, born: boolean): HostAction {
    if (state.timestamp < this.lastTs) return 'none'; // an older STATE than one already seen
    const newer = state.timestamp > this.lastTs;
    this.lastTs = state.timestamp;
    this.onlineNow = state.online;
    // [tck-id-message-flow-edge-node-birth-publish-phid-wait-online]; a host that came back gets fresh births
    if (state.online) return !born || newer ? 'birth' : 'none';
    // [tck-id-message-flow-edge-node-birth-publish-phid-offline]: NDEATH, disconnect, start over
    return born ? 'end_session' : 'none';
  }
}
