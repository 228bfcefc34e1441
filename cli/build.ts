/**
 * Bundles the CLI to two self-contained files (no node_modules needed), so an
 * environment image can `npm i -g` the package or just copy the files:
 *
 *   cli/dist/git-credential-gitlink.js   (package.json `bin` points at these)
 *   cli/dist/gitlink.js
 *
 * and writes an extensionless copy of each beside it (same bytes: shebang,
 * mode 0755), because git resolves `credential.helper=gitlink` to the command
 * `git-credential-gitlink` on PATH (gitcredentials(7)). So this works with no
 * install step:
 *
 *   PATH=$PWD/cli/dist:$PATH git -c credential.helper=gitlink clone …
 *
 * Copies rather than symlinks, so each file still works when copied alone.
 * `npm run build:cli` runs this; tests call `buildCli(dir)` into a temp dir.
 */
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const CLI_ENTRIES = ['git-credential-gitlink', 'gitlink'] as const;

export async function buildCli(outdir = join(__dirname, 'dist')): Promise<Record<(typeof CLI_ENTRIES)[number], string>> {
  const out = {} as Record<(typeof CLI_ENTRIES)[number], string>;
  for (const name of CLI_ENTRIES) {
    const outfile = join(outdir, `${name}.js`);
    await build({
      entryPoints: [join(__dirname, `${name}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      // fetch and AbortSignal.timeout are global from Node 18.
      target: 'node18',
      format: 'cjs',
      banner: { js: '#!/usr/bin/env node' },
      logLevel: 'warning',
    });
    chmodSync(outfile, 0o755);
    const bare = join(outdir, name);
    copyFileSync(outfile, bare);
    chmodSync(bare, 0o755);
    out[name] = outfile;
  }
  return out;
}

if (require.main === module) {
  buildCli().then(
    (files) => process.stdout.write(`built ${Object.values(files).join(', ')}\n`),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
}
