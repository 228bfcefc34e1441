/**
 * `npm start`: the whole gitlink API on http://localhost:8787 (port from PORT),
 * with embedded backends and sandbox providers. `--no-sandbox` leaves them out and
 * deletes the `sandbox-*` providers an earlier run saved (those ids are reserved).
 *
 * The scheduled refresh runs on a timer (GITLINK_REFRESH_EVERY_MINUTES, default 360, 0 = off)
 * and on `POST /dev/refresh-due` (local/refresh-schedule.ts).
 *
 * Refuses to start outside local mode (GITLINK_MODE other than `local`, or inside
 * Lambda), on a busy port, and while another server runs on the same data dir
 * (local/lock.ts); each time it prints one line and exits 1.
 */
import { startLocal } from './app';
import { assertLocalProcess } from './dev-issuer';
import { acquireServerLock } from './lock';
import { scheduleFromEnv } from './refresh-schedule';

const every = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms / 60_000} min`);

async function main() {
  // Lambda runs Node 24; the SDK would warn on every start under this machine's Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Everything this server writes (database, keys, sandbox repositories) is the owner's only.
  process.umask(0o077);
  const args = process.argv.slice(2);
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const sandbox = !args.includes('--no-sandbox');
  const refreshSchedule = scheduleFromEnv(process.env);
  const dataDir = process.env.GITLINK_DATA_DIR ?? '.gitlink';
  // Both before any file is touched: the mode check creates nothing, the lock only itself.
  assertLocalProcess(process.env);
  const lock = acquireServerLock(dataDir, dataDir.replace(/\/+$/, ''));
  process.on('exit', () => lock.release());
  // `npm start` passes --build-web: the UI is built here, after the lock, so a second start touches nothing.
  if (args.includes('--build-web')) {
    const { buildWeb } = await import('../web/build');
    const b = await buildWeb();
    process.stdout.write(`web: ${b.files.length} files in web/dist (JS ${(b.jsBytes / 1024).toFixed(1)} KB, ${(b.jsGzipBytes / 1024).toFixed(1)} KB gzipped)\n`);
  }
  // `-s`: without it npm prints its own banner lines to stdout, and `T=$(npm run token …)` captures them.
  // (Read before startLocal, which sets GITLINK_DATA_DIR for the handlers.)
  const tokenCommand = `${process.env.GITLINK_DATA_DIR ? `GITLINK_DATA_DIR=${dataDir} ` : ''}npm run -s token -- alice --admin`;
  let removed: string[] = [];
  let clones: string[] = [];
  let linksReset = 0;
  const stack = await startLocal({
    port,
    dataDir,
    ...(refreshSchedule ? { refreshSchedule } : {}),
    onListening: async (s) => {
      const sb = await import('./sandbox');
      if (sandbox) {
        const started = await sb.startSandbox(s);
        linksReset = started.linksReset ?? 0;
        clones = started.filter((p) => p.cloneUrl).map((p) => `  ${`${p.displayName}:`.padEnd(16)}git clone ${p.cloneUrl}`);
      }
      else removed = await sb.removeSandbox(s);
    },
  });
  lock.setOrigin(stack.url);
  process.stdout.write(
    [
      '',
      `gitlink is running at ${stack.url}`,
      '',
      `  Web UI:         ${stack.url}/`,
      `  Sign in:        ${stack.url}/dev/login  (any username; tick "Admin" for the admin pages)`,
      `  Token for curl: ${tokenCommand}`,
      `  Health:         ${stack.url}/healthz`,
      `  Data:           ${dataDir}/ (delete it to start over)`,
      `  Refresh due:    ${refreshSchedule ? `every ${every(refreshSchedule.everyMs)}, first in ${refreshSchedule.firstAfterMs / 1000} s` : 'not on a timer (GITLINK_REFRESH_EVERY_MINUTES=0)'}; now: curl -X POST -H "authorization: Bearer $(${tokenCommand})" ${stack.url}/dev/refresh-due`,
      sandbox
        ? `  Sandbox providers are configured (ids sandbox-*, reserved); start with --no-sandbox to leave them out.${
            linksReset ? `\n  Sandbox links:  ${linksReset} from an earlier run reset (the sandbox providers start empty each run; link again).` : ''
          }`
        : `  Sandbox providers: off (--no-sandbox); ${removed.length ? `removed ${removed.join(', ')} saved by an earlier run` : 'none saved'}.`,
      ...(clones.length ? ['', '  Demo repository (link the provider first; README "Quickstart"):', ...clones] : []),
      '',
    ].join('\n'),
  );
  // SIGTERM/SIGINT drain: in-flight requests finish (up to 10 s), new connections are refused.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  process.stderr.write(`gitlink failed to start: ${e.message}\n`);
  process.exit(1);
});
