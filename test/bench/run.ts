/**
 * `npm run bench`: every figure of the performance issue measured against its
 * floor, printed as a markdown table (each target beside its figure) and
 * written to bench/results.json. Tests never assert wall-clock times; this is
 * where they are looked at.
 *
 * Each file in test/bench/cases/ runs in its own Node process (handler modules
 * build their clients and caches once per process, as in a Lambda container)
 * and answers rows, or `{ rows, results }` (test/bench/report.ts). A new case
 * is a new file there; `BENCH_CASES=credential,link npm run bench` runs some.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { markdownTable, ms, type CaseOutput, type Row } from './report';

export { ms, pct, type Row } from './report';

const root = join(__dirname, '..', '..');
const caseDir = join(__dirname, 'cases');
/** The order of the result shape; a case may add keys of its own after these. */
const ORDER = ['bundles', 'coldInit', 'credentialFetch', 'awsCalls', 'linkCallback', 'concurrency'];

function main() {
  const only = process.env.BENCH_CASES?.split(',').filter(Boolean);
  const files = readdirSync(caseDir)
    .filter((f) => f.endsWith('.ts') && (!only || only.includes(f.replace(/\.ts$/, ''))))
    .sort();
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const t0 = performance.now();
  for (const file of files) {
    const t = performance.now();
    const out = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--case', join(caseDir, file)], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LOG_LEVEL: 'SILENT' },
    });
    if (out.status !== 0) throw new Error(`bench case ${file} failed (exit ${out.status})`);
    const answer = JSON.parse(out.stdout.trim().split('\n').pop()!) as CaseOutput | Row[];
    const { rows: r, results: res } = Array.isArray(answer) ? { rows: answer, results: undefined } : answer;
    rows.push(...r);
    Object.assign(results, res ?? {});
    process.stderr.write(`bench ${file}: ${ms(performance.now() - t)}\n`);
  }
  const ordered = Object.fromEntries([...ORDER.filter((k) => k in results).map((k) => [k, results[k]]), ...Object.entries(results).filter(([k]) => !ORDER.includes(k))]);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
  if (!only) {
    mkdirSync(join(root, 'bench'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify({ ...ordered, machine }, null, 2)}\n`);
  }
  process.stdout.write(`${markdownTable(rows)}\n\n${only ? 'partial run: bench/results.json not written' : 'written: bench/results.json'} (${ms(performance.now() - t0)}; ${machine.cpus}× ${machine.cpuModel})\n`);
}

async function runCase(file: string) {
  const mod = (await import(file)) as { run: () => Promise<CaseOutput | Row[]> };
  const out = await mod.run();
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
  process.exit(0);
}

if (require.main === module) {
  const i = process.argv.indexOf('--case');
  if (i > 0) {
    runCase(process.argv[i + 1]!).catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
  } else main();
}
