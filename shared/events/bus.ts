/**
 * The event bus port and its in-process adapter (local mode and tests), which records
 * events and tells listeners. The EventBridge adapter is in eventbridge.ts, apart, so a
 * function that publishes nothing does not ship its client.
 */
import type { GitlinkEvent } from './schema';

export interface EventBus {
  publish(event: GitlinkEvent): Promise<void>;
}

/** Records events in this process; `npm start` and the tests read them here. */
export class LocalBus implements EventBus {
  readonly events: GitlinkEvent[] = [];
  private readonly listeners = new Set<(e: GitlinkEvent) => void>();

  async publish(event: GitlinkEvent): Promise<void> {
    this.events.push(event);
    for (const l of this.listeners) l(event);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (e: GitlinkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The one in-process bus: every handler module of the local server publishes here. */
export const localBus = new LocalBus();
