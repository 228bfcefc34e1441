/**
 * Who is an admin (issue 10, attack 6): the configured group must be an exact
 * element of an array claim, or one exact entry of API Gateway's flattened
 * form `[g1 g2 …]`. Look-alike group names never make an admin.
 */
import { userFromClaims } from '@shared/auth/user';

const opts = { adminGroupClaim: 'cognito:groups', adminGroup: 'gitlink-admins' };
const isAdmin = (groups: unknown) => userFromClaims({ sub: 'mallory', 'cognito:groups': groups as string }, opts).admin;

describe('admin group membership is exact', () => {
  test.each([
    ['an array claim holding the group', ['staff', 'gitlink-admins']],
    ['the API Gateway flattened form', '[staff gitlink-admins]'],
    ['the flattened form with one group', '[gitlink-admins]'],
  ])('%s is admin', (_what, groups) => {
    expect(isAdmin(groups)).toBe(true);
  });

  test.each([
    ['a comma-joined group name in an array', ['x,gitlink-admins']],
    ['a space-joined group name in an array', ['x gitlink-admins']],
    ['a quoted group name in an array', ['"gitlink-admins"']],
    ['a comma-joined string', 'x,gitlink-admins'],
    ['a space-joined string', 'x gitlink-admins'],
    ['a quoted string', '"gitlink-admins"'],
    ['a comma inside the flattened form', '[x,gitlink-admins]'],
    ['a quoted entry in the flattened form', '["gitlink-admins"]'],
    ['a JSON array string', '["staff","gitlink-admins"]'],
    ['a bare string (not the documented form)', 'gitlink-admins'],
    ['a prefix of the group', ['gitlink-admin']],
    ['a different case', ['GITLINK-ADMINS']],
    ['padding around the group', [' gitlink-admins ']],
    ['a tab-separated flattened form', '[staff\tgitlink-admins]'],
    ['a non-string element', [{ toString: (): string => 'gitlink-admins' }]],
  ])('%s is not admin', (_what, groups) => {
    expect(isAdmin(groups)).toBe(false);
  });
});
