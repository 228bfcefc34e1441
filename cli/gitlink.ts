/**
 * gitlink: `gitlink setup` (configure git's credential helper for every
 * provider host) and `gitlink ssh-key` (install the developer's SSH key).
 * Bundled by cli/build.ts to cli/dist/gitlink.js. Commands, options and exit
 * codes match the sh CLI (cli/sh/gitlink).
 */
import { version } from '../package.json';
import { processIo } from './lib/io';
import { runSetup } from './lib/setup';
import { runSshKey } from './lib/ssh-key';

const USAGE = `usage: gitlink <command>

  setup      make git use git-credential-gitlink for every provider host (global git config)
  ssh-key    write ~/.ssh/gitlink_ed25519 and add IdentityFile lines to ~/.ssh/config
  --version  print the version
  --help     print this help

Configuration: GITLINK_URL and GITLINK_TOKEN, or ~/.config/gitlink/config.json ({"url","token"}, mode 0600).
`;

async function main(): Promise<number> {
  const io = processIo();
  switch (process.argv[2]) {
    case 'setup':
      return runSetup(io, __dirname);
    case 'ssh-key':
      return runSshKey(io);
    case '--version':
    case 'version':
      io.stdout(`gitlink ${version} (node)\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return 0;
    case undefined:
      io.stderr(USAGE);
      return 2;
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
