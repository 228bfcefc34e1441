/**
 * `npm start`: the whole gitlink API on http://localhost:8787 (port from PORT),
 * with embedded backends and sandbox providers. `--no-sandbox` leaves them out.
 */
import { startLocal } from './app';

async function main() {
  // Lambda runs Node 22; the SDK would warn on every start under this machine's Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = process.argv.slice(2);
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const sandbox = !args.includes('--no-sandbox');
  const dataDir = process.env.GITLINK_DATA_DIR ?? '.gitlink';
  const stack = await startLocal({
    port,
    dataDir,
    onListening: sandbox ? async (s) => (await import('./sandbox')).startSandbox(s) : undefined,
  });
  process.stdout.write(
    [
      '',
      `gitlink is running at ${stack.url}`,
      '',
      `  Web UI:         ${stack.url}/`,
      `  Sign in:        ${stack.url}/dev/login  (any username; tick "Admin" for the admin pages)`,
      `  Token for curl: npm run token -- alice --admin`,
      `  Health:         ${stack.url}/healthz`,
      `  Data:           ${dataDir}/ (delete it to start over)`,
      sandbox ? '  Sandbox providers are configured; start with --no-sandbox to leave them out.' : '  Sandbox providers: off (--no-sandbox).',
      '',
    ].join('\n'),
  );
  const stop = async () => {
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
