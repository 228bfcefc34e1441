/**
 * `npm run token -- alice [--admin]`: prints a dev JWT for scripts and curl.
 * Uses the same key file as the running `npm start`, so its tokens verify there.
 */
import { createDevIssuer } from './dev-issuer';

async function main() {
  const args = process.argv.slice(2);
  const sub = args.find((a) => !a.startsWith('--')) ?? 'alice';
  const admin = args.includes('--admin');
  const port = Number(process.env.PORT ?? 8787);
  const issuer = await createDevIssuer({
    mode: process.env.GITLINK_MODE ?? 'local',
    origin: `http://localhost:${port}`,
    dataDir: process.env.GITLINK_DATA_DIR ?? '.gitlink',
    adminGroupClaim: process.env.ADMIN_GROUP_CLAIM ?? 'cognito:groups',
    adminGroup: process.env.ADMIN_GROUP ?? 'gitlink-admins',
  });
  process.stdout.write(`${await issuer.mint(sub, admin)}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
