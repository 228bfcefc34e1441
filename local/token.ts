/**
 * `npm run -s token -- alice [--admin]`: prints a dev JWT for scripts and curl
 * (`-s` keeps npm's banner out of stdout, so `T=$(npm run -s token -- alice)` works).
 * Uses the same key file as the running `npm start`, so its tokens verify there.
 *
 * The issuer must name the server's origin: `PORT` when set, else the origin the
 * server recorded in `${GITLINK_DATA_DIR:-.gitlink}/origin` when it started, else port 8787.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@shared/config';
import { assertLocalProcess, createDevIssuer, ORIGIN_FILE } from './dev-issuer';

/** The origin of the local server whose issuer the token must name. */
export function localOrigin(env: NodeJS.ProcessEnv, dataDir: string): string {
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
    return `http://localhost:${port}`;
  }
  let recorded: string | undefined;
  try {
    recorded = readFileSync(join(dataDir, ORIGIN_FILE), 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (recorded !== undefined) {
    if (!/^http:\/\/localhost:\d{1,5}$/.test(recorded)) throw new Error(`${join(dataDir, ORIGIN_FILE)} does not hold a local origin; set PORT, or start the server again.`);
    return recorded;
  }
  return 'http://localhost:8787';
}

async function main() {
  assertLocalProcess(process.env);
  const args = process.argv.slice(2);
  const sub = args.find((a) => !a.startsWith('--')) ?? 'alice';
  const admin = args.includes('--admin');
  // The settings and their defaults are config.ts's; the mode is forced to local here only for
  // parsing: the dev issuer itself judges the real GITLINK_MODE below (it refuses anything but local).
  const c = loadConfig({ ...process.env, GITLINK_MODE: 'local', GITLINK_CRYPTO: 'embedded' });
  const dataDir = c.GITLINK_DATA_DIR;
  const issuer = await createDevIssuer({
    mode: process.env.GITLINK_MODE || 'local',
    origin: localOrigin(process.env, dataDir),
    dataDir,
    adminGroupClaim: c.ADMIN_GROUP_CLAIM,
    adminGroup: c.ADMIN_GROUP,
  });
  process.stdout.write(`${await issuer.mint(sub, admin)}\n`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
