/**
 * The Node the functions run on (infra/bundling.ts: Node.js 24), for measuring
 * cold init with the runtime's own V8. It comes from the npm registry as the
 * official `node-<platform>-<arch>` package, installed on first use into a
 * cache folder rather than as a devDependency: those packages refuse to install
 * on any other platform, which would break `npm ci` on other machines.
 * `BENCH_NODE=/path/to/node` uses another binary.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

/** Pinned, so two runs of the bench compare the same V8. Same major as `runtime` in infra/bundling.ts. */
export const LAMBDA_NODE_VERSION = '24.22.3';

export function lambdaNode(): string {
  if (process.env.BENCH_NODE) return process.env.BENCH_NODE;
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gitlink', `node-${LAMBDA_NODE_VERSION}`);
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`bench: installing ${pkg}@${LAMBDA_NODE_VERSION} into ${dir} (once)\n`);
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `${pkg}@${LAMBDA_NODE_VERSION}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (v !== `v${LAMBDA_NODE_VERSION}`) throw new Error(`${bin} is ${v}, expected v${LAMBDA_NODE_VERSION}`);
  return bin;
}
