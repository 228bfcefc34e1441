/**
 * Properties of the edge parsers: whatever the input, they
 * either answer a valid value or a clean validation error, never a crash.
 */
import fc from 'fast-check';
import { providerUrl, providerId } from '@shared/admin/provider-input';
import { callbackQuery } from '@shared/links/callback';
import { groupsOf, userFromClaims } from '@shared/auth/user';
import { AppError } from '@shared/errors';
import { matchRoute } from '../../local/apigw';
import { routes } from '@shared/routes';

describe('provider URL validation', () => {
  const strict = providerUrl({ GITLINK_MODE: 'aws', ALLOW_HTTP_LOOPBACK: false });
  test('never accepts a URL with credentials, query, fragment or a non-https scheme', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string(), (url, junk) => {
        for (const candidate of [url, `${url}${junk}`]) {
          const r = strict.safeParse(candidate);
          if (r.success) {
            const u = new URL(r.data);
            expect(u.protocol).toBe('https:');
            expect(u.username + u.password + u.search + u.hash).toBe('');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
  test('accepted values are normalised without a trailing slash', () => {
    fc.assert(
      fc.property(fc.domain(), fc.array(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { maxLength: 3 }), (host, segs) => {
        const r = strict.safeParse(`https://${host}/${segs.join('/')}/`);
        if (r.success) expect(r.data.endsWith('/')).toBe(false);
      }),
    );
  });
});

describe('ids and callback parameters', () => {
  test('provider ids are a closed alphabet', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const r = providerId.safeParse(s);
      expect(r.success).toBe(/^[a-z0-9-]{1,32}$/.test(s));
    }));
  });
  test('callback query parsing never throws and only accepts printable tokens', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('state', 'code', 'error', 'oauth_token', 'oauth_verifier', 'x'), fc.string({ maxLength: 3000 })), (q) => {
      const r = callbackQuery.safeParse(q);
      if (r.success && r.data.state) expect(r.data.state).toMatch(/^[\x21-\x7e]{1,2048}$/);
    }));
  });
});

describe('claims', () => {
  test('group claims in any shape parse to a list; a bad sub is always 401', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.array(fc.string()), fc.integer()), fc.string(), (groups, sub) => {
      expect(Array.isArray(groupsOf(groups))).toBe(true);
      try {
        const u = userFromClaims({ sub, 'cognito:groups': groups as string }, { adminGroupClaim: 'cognito:groups', adminGroup: 'gitlink-admins' });
        expect(u.id).toBe(sub);
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).status).toBe(401);
      }
    }));
  });
});

describe('route matching', () => {
  test('any path either matches a route of the table or nothing; never throws', () => {
    fc.assert(fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.webPath(), (method, path) => {
      const m = matchRoute(method, path);
      if (m) expect(routes).toContain(m.route);
    }));
    expect(matchRoute('DELETE', '/v1/links/%E0%A4%A')).toBeUndefined();
  });
});
