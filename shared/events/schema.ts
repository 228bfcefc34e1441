/**
 * Lifecycle events (docs/events.md): the one list of event types and the zod schema of
 * each. Every event is validated against its schema before it is written or sent, and
 * the schemas are strict, so a field nobody declared (a token, say) cannot ride along.
 */
import * as z from 'zod';

const id = z.string().min(1).max(128);
const step = z.enum(['ok', 'failed', 'skipped', 'unsupported']);
const trigger = z.enum(['credential', 'schedule', 'provider_call']);

/** Each event type and the schema of its `detail`. */
export const eventDetails = {
  'link.created': z.strictObject({ login: z.string().max(256), accountId: z.string().max(256), scopes: z.array(z.string().max(128)), sshKeyRegistered: z.boolean() }),
  'link.removed': z.strictObject({ by: z.enum(['developer', 'offboarding', 'provider_deleted']), sshKey: step, token: step }),
  'link.relink_required': z.strictObject({ reason: z.string().max(64) }),
  'token.refreshed': z.strictObject({ trigger, expiresAt: z.iso.datetime().optional() }),
  'token.refresh_failed': z.strictObject({ trigger, reason: z.string().max(64), permanent: z.boolean() }),
  'provider.created': z.strictObject({ type: z.string().max(32), displayName: z.string().max(256) }),
  // `moved`: the base URL moved to another origin, and `relinkRequired` links were retired (they must link again).
  'provider.updated': z.strictObject({ type: z.string().max(32), displayName: z.string().max(256), moved: z.literal(true).optional(), relinkRequired: z.number().int().min(0).optional() }),
  'provider.deleted': z.strictObject({ type: z.string().max(32) }),
  'signing_key.rotated': z.strictObject({ stage: z.enum(['pending', 'confirmed']) }),
  'ssh_key.rotated': z.strictObject({ fingerprint: z.string().max(128) }),
  'env_token.created': z.strictObject({ tokenId: id, name: z.string().max(64), expiresAt: z.iso.datetime().optional() }),
  'env_token.revoked': z.strictObject({ tokenId: id, by: z.enum(['developer', 'offboarding']) }),
  'user.offboarded': z.strictObject({ links: z.number().int().min(0), envTokens: z.number().int().min(0), sshKey: z.boolean(), leftAtProviders: z.number().int().min(0) }),
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
  id: id.optional(),
});
export type Actor = z.infer<typeof actorSchema>;

const envelope = {
  id: z.string().regex(/^[A-Za-z0-9]{20,32}$/),
  /** The schema version of this envelope and its details. */
  version: z.literal(1),
  time: z.iso.datetime(),
  actor: actorSchema,
  /** The developer the event is about (the link's, the token's, the offboarded one). */
  subjectUserId: id.optional(),
  providerId: id.optional(),
  sourceIp: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
};

/** The whole event, as sent to EventBridge (`detail`) and kept as an audit item. */
export const eventSchema = z.discriminatedUnion(
  'type',
  eventTypes.map((t) => z.strictObject({ ...envelope, type: z.literal(t), detail: eventDetails[t] })) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
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
