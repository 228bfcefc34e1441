/**
 * gitlink: `gitlink setup` (configure git's credential helper for every
 * provider host) and `gitlink ssh-key` (install the developer's SSH key).
 * Bundled by cli/build.ts to cli/dist/gitlink.js.
 */
import { processIo } from './lib/io';
import { runSetup } from './lib/setup';
import { runSshKey } from './lib/ssh-key';

const USAGE = `usage: gitlink <command>

  setup     make git use git-credential-gitlink for every provider host (global git config)
  ssh-key   write ~/.ssh/gitlink_ed25519 and add IdentityFile lines to ~/.ssh/config

Configuration: GITLINK_URL and GITLINK_TOKEN, or ~/.config/gitlink/config.json ({"url","token"}, mode 0600).
`;

async function main(): Promise<number> {
  const io = processIo();
  switch (process.argv[2]) {
    case 'setup':
      return runSetup(io, __dirname);
    case 'ssh-key':
      return runSshKey(io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return process.argv[2] ? 0 : 2;
    default:
      io.stderr(`gitlink: unknown command "${process.argv[2]}"\n\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`gitlink: ${e.message}\n`);
    process.exitCode = 1;
  },
);
