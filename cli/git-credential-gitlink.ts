/**
 * git-credential-gitlink: entry point of the credential helper (bundled by
 * cli/build.ts to cli/dist/git-credential-gitlink.js). git runs it as
 * `git-credential-gitlink <get|store|erase>` with attributes on stdin.
 */
import { version } from '../package.json';
import { runHelper } from './lib/helper';
import { processIo, readStdin } from './lib/io';

const USAGE = `usage: git-credential-gitlink <get|store|erase>

git's credential helper (gitcredentials(7)): git runs it with attributes on stdin.
\`gitlink setup\` configures git to use it. Configuration: as for \`gitlink --help\`.
`;

async function main() {
  const operation = process.argv[2];
  // A person asking, not git: answer without waiting for attributes on stdin.
  if (operation === '--version' || operation === '--help' || operation === '-h') {
    processIo().stdout(operation === '--version' ? `git-credential-gitlink ${version} (node)\n` : USAGE);
    return;
  }
  // Read git's input for every operation: store and erase ignore it, but leaving it
  // unread could make git's write fail with EPIPE.
  const input = await readStdin();
  process.exitCode = await runHelper(operation, input, processIo());
}

main().catch((e: Error) => {
  process.stderr.write(`gitlink: ${e.message}\n`);
  process.exitCode = 1;
});
