/**
 * Emits a lifecycle event: validates it against its schema (shared/events/schema.ts),
 * writes it as an audit item, and publishes it on the bus.
 *
 * An event reports something that already happened (a link made, a token revoked), so
 * a failure here is logged, never thrown: the developer's action stands. The audit item
 * is written first, as the record of what happened.
 */
import { randomBytes } from 'node:crypto';
import { log } from '../log';
import { metric, metricNames, type MetricName } from '../metrics/emf';
import type { Table } from '../store/table';
import { AuditStore } from './audit';
import type { EventBus } from './bus';
import { currentEventSource } from './context';
import { eventSchema, type Actor, type EventDetail, type EventType, type GitlinkEvent } from './schema';

export interface EmitFields<T extends EventType> {
  subjectUserId?: string;
  providerId?: string;
  detail: EventDetail<T>;
  /** Overrides the request's actor (the callback: the developer the state belongs to). */
  actor?: Actor;
}

export interface EventsOptions {
  table: Table;
  bus: EventBus;
  now: () => number;
}

const newEventId = () => randomBytes(12).toString('hex');

/** The events that are also metrics (issue 14 item 4: links, refresh successes and failures per provider). */
const countedAs: Partial<Record<EventType, MetricName>> = {
  'link.created': metricNames.linkCreated,
  'link.removed': metricNames.linkRemoved,
  'token.refreshed': metricNames.refreshSuccess,
  'token.refresh_failed': metricNames.refreshFailure,
};

export class Events {
  readonly audit: AuditStore;
  constructor(private readonly o: EventsOptions) {
    this.audit = new AuditStore(o.table);
  }

  async emit<T extends EventType>(type: T, fields: EmitFields<T>): Promise<void> {
    const source = currentEventSource();
    // Environment tokens and browser callbacks carry no JWT: their actor is the developer concerned.
    const onBehalf = source.actor.kind !== 'system' && !source.actor.id && fields.subjectUserId;
    const actor = fields.actor ?? (onBehalf ? { ...source.actor, id: fields.subjectUserId } : source.actor);
    const candidate = {
      id: newEventId(),
      version: 1,
      time: new Date(this.o.now()).toISOString(),
      type,
      actor,
      ...(fields.subjectUserId ? { subjectUserId: fields.subjectUserId } : {}),
      ...(fields.providerId ? { providerId: fields.providerId } : {}),
      ...(source.sourceIp ? { sourceIp: source.sourceIp.slice(0, 64) } : {}),
      ...(source.userAgent ? { userAgent: source.userAgent.slice(0, 512) } : {}),
      detail: fields.detail,
    };
    const parsed = eventSchema.safeParse(candidate);
    if (!parsed.success) {
      log.error('event does not match its schema; not sent', { eventType: type, problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    const event = parsed.data as GitlinkEvent;
    const counted = countedAs[type];
    if (counted) metric(counted, 1, 'Count', event.providerId ? { Provider: event.providerId } : {});
    try {
      await this.audit.put(event);
    } catch (e) {
      log.error('audit item not written', { eventType: type, eventId: event.id, error: e });
    }
    try {
      await this.o.bus.publish(event);
    } catch (e) {
      // Best-effort (docs/events.md, "Delivery"): the event is lost from the bus, counted, and kept in the audit.
      log.error('event not published', { eventType: type, eventId: event.id, error: e });
      metric(metricNames.eventPublishFailed, 1, 'Count');
    }
  }
}
