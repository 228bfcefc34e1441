/**
 * git-credential-gitlink: entry point of the credential helper (bundled by
 * cli/build.ts to cli/dist/git-credential-gitlink.js). git runs it as
 * `git-credential-gitlink <get|store|erase>` with attributes on stdin.
 */
import { runHelper } from './lib/helper';
import { processIo, readStdin } from './lib/io';

async function main() {
  const operation = process.argv[2];
  // Read git's input for every operation: store and erase ignore it, but leaving it
  // unread could make git's write fail with EPIPE.
  const input = await readStdin();
  process.exitCode = await runHelper(operation, input, processIo());
}

main().catch((e: Error) => {
  process.stderr.write(`gitlink: ${e.message}\n`);
  process.exitCode = 1;
});
