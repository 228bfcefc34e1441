/**
 * `npx cdk synth` as an admin runs it, with a context value the stack refuses:
 * exit non-zero with gitlink's one line naming the key (the CDK CLI then adds
 * its own "Subprocess exited with error 1"), never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './synth';

jest.setTimeout(120_000);

test('`cdk synth -c domain=…` without certificateArn fails with one clear line', () => {
  const out = mkdtempSync(join(tmpdir(), 'gitlink-cdk-out-'));
  const r = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', out, '-c', 'domain=https://git.example.com'], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  expect(r.status).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !/^npx tsx infra\/app\.ts: Subprocess exited with error 1$/.test(l));
  expect(lines).toEqual(['gitlink: CDK context "domain" needs "certificateArn": an ACM certificate for git.example.com in the stack\'s region (docs/DEPLOY.md "Custom domain")']);
  expect(r.stdout).toBe('');
});
