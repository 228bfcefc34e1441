/** Which old links the due-date catch-up dates (the walk itself: test/integration/refresh-catch-up.test.ts). */
import { missingDueAt } from '@shared/refresh/catch-up';
import type { LinkRecord } from '@shared/store/links';

const DAY = 86_400_000;
const now = Date.parse('2026-12-02T12:00:00Z');
const rotating = { refreshTokens: { rotates: true } };
const oldLink = (extra: Partial<LinkRecord> = {}): LinkRecord => ({
  userId: 'alice',
  providerId: 'gl',
  accountId: '1',
  login: 'alice',
  accessTokenCt: 'ct',
  refreshTokenCt: 'ct',
  scopes: [],
  linkedAt: new Date(now - 40 * DAY).toISOString(),
  updatedAt: new Date(now - 40 * DAY).toISOString(),
  version: 3,
  ...extra,
});

describe('missingDueAt', () => {
  it('dates an idle old link of a rotating provider due now', () => {
    expect(missingDueAt(rotating, oldLink(), now)).toBe(now);
  });

  it('leaves a link whose refresh lease is live to that refresh', () => {
    expect(missingDueAt(rotating, oldLink({ refreshLeaseUntil: now + 5_000 }), now)).toBeUndefined();
  });

  it('dates a link whose lease has lapsed', () => {
    expect(missingDueAt(rotating, oldLink({ refreshLeaseUntil: now - 1 }), now)).toBe(now);
  });
});
