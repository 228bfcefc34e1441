/**
 * `npm run test:deployed`: synthesizes the stack against a local OIDC issuer (context
 * `issuer`/`audience`), makes sure the Node of each function's Runtime is installed, then
 * runs the tier's jest files with what they need in their environment.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, startIssuer } from './issuer';
import { nodeBinaryFor, projectRoot } from './node-runtime';
import { functionsOf, loadTemplate } from './template';
import { makeTls, readTls } from './tls';

/**
 * GITLINK_DEPLOYED_KEEP=DIR keeps the synthesized stack, CA and issuer port in DIR and reuses
 * them on the next run (while iterating on tests; the issuer comes back on the same port).
 */
async function main(): Promise<number> {
  const keep = process.env.GITLINK_DEPLOYED_KEEP;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'gitlink-deployed-'));
  const cdkOut = join(dir, 'cdk.out');
  const reuse = !!keep && existsSync(join(cdkOut, 'Gitlink.template.json'));
  if (keep) mkdirSync(dir, { recursive: true });
  const tls = reuse ? readTls(dir) : makeTls(dir);
  const issuerPort = reuse ? Number(new URL(readFileSync(join(dir, 'issuer'), 'utf8')).port) : 0;
  process.stdout.write(`deployed tier: the fake providers listen on ${tls.host} (aws mode refuses loopback provider hosts)\n`);
  const issuer = await startIssuer(tls, issuerPort);
  writeFileSync(join(dir, 'issuer'), issuer.url);
  try {
    if (!reuse) synth(cdkOut, issuer.url);
    for (const runtime of new Set(functionsOf(loadTemplate(cdkOut), cdkOut).map((f) => f.runtime))) {
      process.stdout.write(`deployed tier: ${runtime} runs on ${nodeBinaryFor(runtime).pkg}\n`);
    }
    // Not spawnSync: the issuer lives in this process, so its event loop must keep running.
    const jest = spawn(
      process.execPath,
      [join(projectRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', join(__dirname, 'jest.config.js'), '--runInBand', ...process.argv.slice(2)],
      {
        cwd: projectRoot,
        stdio: 'inherit',
        env: {
          ...process.env,
          GITLINK_DEPLOYED_CDK_OUT: cdkOut,
          GITLINK_DEPLOYED_ISSUER: issuer.url,
          GITLINK_DEPLOYED_TLS_DIR: dir,
          // The test process talks https to the front, the issuer and the fakes.
          NODE_EXTRA_CA_CERTS: tls.caFile,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    return await new Promise<number>((resolve) => jest.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    await issuer.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function synth(cdkOut: string, issuerUrl: string): void {
  process.stdout.write(`deployed tier: cdk synth with issuer ${issuerUrl} and audience ${AUDIENCE}…\n`);
  execFileSync(
    join(projectRoot, 'node_modules', '.bin', 'cdk'),
    ['synth', '--quiet', '-o', cdkOut, '-c', `issuer=${issuerUrl}`, '-c', `audience=${AUDIENCE}`],
    { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1' } },
  );
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
