/**
 * Who is asking, for the events a request causes: the actor, the source IP and the user
 * agent. The handler (shared/http/handler.ts) sets it once per request, so the code
 * that emits an event deep in shared/ need not thread it through every call.
 * AsyncLocalStorage keeps it per request even when requests interleave in one process
 * (the local server, the tests).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from './schema';

export interface EventSource {
  actor: Actor;
  sourceIp?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<EventSource>();

/** Outside any request: gitlink itself (the scheduled refresh). */
export const SYSTEM: EventSource = { actor: { kind: 'system' } };

export const withEventSource = <T>(source: EventSource, fn: () => Promise<T>): Promise<T> => storage.run(source, fn);

export const currentEventSource = (): EventSource => storage.getStore() ?? SYSTEM;
