/**
 * `npm run bench`: speed and size targets, measured, printed as a table.
 * Tests never assert wall-clock times; this is where they are looked at.
 *
 * - Lambda bundle sizes (minified, and gzipped as uploaded), per function.
 * - Handler cold import time (what a cold start pays before the first request).
 * - Link round trip (POST /v1/links + provider + callback) through the local stack.
 * - Extra cases from test/bench/cases/*.ts (e.g. the credential hot path).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { entryFor } from '../../infra/functions';
import { functionNames } from '@shared/routes';
import { setLogSink } from '@shared/log';

export interface Row {
  case: string;
  value: string;
  target?: string;
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
export const ms = (n: number) => `${n.toFixed(1)} ms`;

async function bundleRows(): Promise<Row[]> {
  const root = join(__dirname, '..', '..');
  const rows: Row[] = [];
  for (const name of functionNames) {
    const out = await build({ ...esbuildOptions(entryFor(name), root), write: false, logLevel: 'silent' });
    const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!;
    rows.push({ case: `bundle ${name}`, value: `${(js.contents.length / 1024).toFixed(0)} KiB (${(gzipSync(js.contents).length / 1024).toFixed(0)} KiB gz)`, target: '< 1 MiB' });
  }
  return rows;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  setLogSink(() => undefined); // the bench measures; it does not log
  const rows: Row[] = [...(await bundleRows())];
  const caseDir = join(__dirname, 'cases');
  // Each case runs in its own process: handler modules build their deps once per process
  // (as in a Lambda container), so two local stacks cannot share one.
  for (const file of readdirSync(caseDir).filter((f) => f.endsWith('.ts')).sort()) {
    const t0 = performance.now();
    const out = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--case', join(caseDir, file)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (out.status !== 0) throw new Error(`bench case ${file} failed:\n${out.stderr}`);
    rows.push(...(JSON.parse(out.stdout.trim().split('\n').pop()!) as Row[]));
    process.stderr.write(`bench ${file}: ${ms(performance.now() - t0)}\n`);
  }
  const w = [Math.max(...rows.map((r) => r.case.length), 4), Math.max(...rows.map((r) => r.value.length), 5), Math.max(...rows.map((r) => (r.target ?? '').length), 6)];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w[0]!)} | ${b.padEnd(w[1]!)} | ${c.padEnd(w[2]!)} |`;
  process.stdout.write([line('case', 'value', 'target'), line('-'.repeat(w[0]!), '-'.repeat(w[1]!), '-'.repeat(w[2]!)), ...rows.map((r) => line(r.case, r.value, r.target ?? ''))].join('\n') + '\n');
  process.exit(0);
}

async function runCase(file: string) {
  setLogSink(() => undefined);
  const mod = (await import(file)) as { run: () => Promise<Row[]> };
  process.stdout.write(`${JSON.stringify(await mod.run())}\n`);
  process.exit(0);
}

if (require.main === module) {
  const i = process.argv.indexOf('--case');
  void (i > 0 ? runCase(process.argv[i + 1]!) : main());
}
