/**
 * Lifecycle events (docs/events.md): the one list of event types and the zod schema of
 * each. Every event is validated against its schema before it is written or sent, and
 * the schemas are strict, so a field nobody declared (a token, say) cannot ride along.
 */
import * as z from '../zod';

/** A string of at most `max` characters. */
const str = (max: number) => z.string().check(z.maxLength(max));
const id = z.string().check(z.minLength(1), z.maxLength(128));
const count = z.number().check(z.int(), z.gte(0));
const step = z.enum(['ok', 'failed', 'skipped', 'unsupported']);
const trigger = z.enum(['credential', 'schedule', 'provider_call']);

/** Each event type and the schema of its `detail`. */
export const eventDetails = {
  'link.created': z.strictObject({ login: str(256), accountId: str(256), scopes: z.array(str(128)), sshKeyRegistered: z.boolean() }),
  'link.removed': z.strictObject({ by: z.enum(['developer', 'offboarding', 'provider_deleted']), sshKey: step, token: step }),
  'link.relink_required': z.strictObject({ reason: str(64) }),
  'token.refreshed': z.strictObject({ trigger, expiresAt: z.optional(z.iso.datetime()) }),
  'token.refresh_failed': z.strictObject({ trigger, reason: str(64), permanent: z.boolean() }),
  'provider.created': z.strictObject({ type: str(32), displayName: str(256) }),
  // `moved`: the base URL moved to another origin, and `relinkRequired` links were retired (they must link again).
  'provider.updated': z.strictObject({ type: str(32), displayName: str(256), moved: z.optional(z.literal(true)), relinkRequired: z.optional(count) }),
  'provider.deleted': z.strictObject({ type: str(32) }),
  'signing_key.rotated': z.strictObject({ stage: z.enum(['pending', 'confirmed']) }),
  'ssh_key.rotated': z.strictObject({ fingerprint: str(128) }),
  'env_token.created': z.strictObject({ tokenId: id, name: str(64), expiresAt: z.optional(z.iso.datetime()) }),
  'env_token.revoked': z.strictObject({ tokenId: id, by: z.enum(['developer', 'offboarding']) }),
  'user.offboarded': z.strictObject({ links: count, envTokens: count, sshKey: z.boolean(), leftAtProviders: count }),
} as const;

export type EventType = keyof typeof eventDetails;
export const eventTypes = Object.keys(eventDetails) as EventType[];
export type EventDetail<T extends EventType> = z.infer<(typeof eventDetails)[T]>;

/**
 * Who did it. `admin` and `developer`: a signed-in user (the JWT's `sub`); `environment`:
 * an environment token's owner; `system`: gitlink itself (the scheduled refresh).
 */
export const actorSchema = z.strictObject({
  kind: z.enum(['admin', 'developer', 'environment', 'system']),
  id: z.optional(id),
});
export type Actor = z.infer<typeof actorSchema>;

const envelope = {
  id: z.string().check(z.regex(/^[A-Za-z0-9]{20,32}$/)),
  /** The schema version of this envelope and its details. */
  version: z.literal(1),
  time: z.iso.datetime(),
  actor: actorSchema,
  /** The developer the event is about (the link's, the token's, the offboarded one). */
  subjectUserId: z.optional(id),
  providerId: z.optional(id),
  sourceIp: z.optional(str(64)),
  userAgent: z.optional(str(512)),
};

/** The whole event, as sent to EventBridge (`detail`) and kept as an audit item. */
export const eventSchema = z.discriminatedUnion(
  'type',
  eventTypes.map((t) => z.strictObject({ ...envelope, type: z.literal(t), detail: eventDetails[t] })) as unknown as [
    z.ZodMiniObject,
    ...z.ZodMiniObject[],
  ],
);

export type GitlinkEvent = {
  [T in EventType]: {
    id: string;
    version: 1;
    time: string;
    actor: Actor;
    subjectUserId?: string;
    providerId?: string;
    sourceIp?: string;
    userAgent?: string;
    type: T;
    detail: EventDetail<T>;
  };
}[EventType];
