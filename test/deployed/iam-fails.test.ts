/**
 * The tier can fail: the same shipped stack, from a copy of the synthesized template
 * with one permission removed from one role, refuses the flow that needs it. The
 * emulator's AccessDenied reaches the function's log, never the answer.
 *
 * - kms:Decrypt off git-credential: a credential fetch fails with a clean 5xx JSON error.
 * - kms:Encrypt off links: the grant as it was before issue 10 item 4. Unlink of an expiring
 *   token refreshes it at the provider, cannot save it, and leaves the new token live.
 */
import { askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser } from '../support/local';
import * as checks from './checks';
import { inputsFromEnv, startDeployedStack, type DeployedStack } from './stack';
import { arr, functionsOf, loadTemplate, ofType, type Template } from './template';
import { addProviderTo, linkExpiringGitLab, providerBodies, startWorld, type World } from './world';

const inputs = inputsFromEnv();
let stack: DeployedStack;
let w: World;

/** A copy of the template where `fn`'s role lacks `action`. */
function without(t: Template, fn: string, action: string): Template {
  const copy = JSON.parse(JSON.stringify(t)) as Template;
  const role = functionsOf(copy, inputs.cdkOut).find((s) => s.name === fn)!.roleLogicalId;
  let removed = 0;
  for (const [, policy] of ofType(copy, 'AWS::IAM::Policy')) {
    if (!arr(policy.Properties!.Roles).some((r: any) => r?.Ref === role)) continue;
    const doc = policy.Properties!.PolicyDocument;
    doc.Statement = arr(doc.Statement).flatMap((s: any) => {
      const actions = arr<string>(s.Action);
      if (!actions.includes(action)) return [s];
      removed++;
      const rest = actions.filter((a) => a !== action);
      return rest.length ? [{ ...s, Action: rest }] : [];
    });
  }
  if (!removed) throw new Error(`${fn}'s role has no ${action} to remove`);
  return copy;
}

beforeAll(async () => {
  const t = without(without(loadTemplate(inputs.cdkOut), 'git-credential', 'kms:Decrypt'), 'links', 'kms:Encrypt');
  [stack, w] = await Promise.all([startDeployedStack(t, inputs), startWorld(inputs.tls)]);
  const admin = await Browser.signIn(stack, 'root', true);
  const gitlab = providerBodies(w).find((b) => b.type === 'gitlab')!;
  expect((await addProviderTo(admin, w, gitlab)).status).toBe(201);
}, 180_000);
afterAll(async () => {
  await w?.close();
  await stack?.close();
});

test('without kms:Decrypt, git-credential answers a clean 5xx JSON error; the AccessDenied is in its log only', async () => {
  const dev = await Browser.signIn(stack, 'erin');
  await link(dev, 'gitlab');
  const r = await askCredential(stack, await newEnvToken(dev), { protocol: 'https', host: gitHost(w.gl.url) });
  expect(r.status).toBeGreaterThanOrEqual(500);
  expect(r.json.error).toEqual({ code: expect.any(String), message: expect.any(String) });
  expect(r.text).not.toMatch(/AccessDenied|not authorized|kms:/i);
  expect(stack.fns.get('git-credential')!.log()).toMatch(/AccessDenied/);
  expect(checks.denied(stack).filter((f) => f.fn === 'git-credential').map((f) => f.what.split(' ')[0])).toContain('kms:Decrypt');
});

test('with the unpatched links grant (no kms:Encrypt), unlink of an expiring token leaves the refreshed token live at GitLab', async () => {
  // Inside the 5-minute refresh window: unlink refreshes first.
  const dev = await linkExpiringGitLab(stack, w, 'frank', 'frank-gl');
  const r = await dev.api('DELETE', '/v1/links/gitlab');
  process.stdout.write(`\nunpatched links grant: unlink answered ${r.status} ${JSON.stringify(r.json)}; live GitLab tokens left: ${w.gl.liveTokensOf('frank-gl').length}\n`);
  checks.print('Calls the emulator denied (unpatched grants):', checks.denied(stack));
  expect(checks.denied(stack).filter((f) => f.fn === 'links').map((f) => f.what.split(' ')[0])).toContain('kms:Encrypt');
  expect(stack.fns.get('links')!.log()).toMatch(/AccessDenied/);
  expect(JSON.stringify(r.json)).not.toMatch(/AccessDenied|not authorized/i);
  // The damage the fix prevents (flows.test.ts proves the patched grant revokes everything).
  expect(r.json.sshKey === 'failed' || w.gl.liveTokensOf('frank-gl').length > 0).toBe(true);
});
