/**
 * Bundles and cold init, each against its floor (test/bench/floor.ts).
 * - bundles: every function built exactly as CDK builds it (infra/bundling.ts),
 *   sizes and the packages that weigh most, from esbuild's metafile;
 * - coldInit: a cold `require` of the bundle until `handler` exists, in a fresh
 *   process of the Node the functions target, with the Lambda's environment;
 *   bundle and floor alternate, same run.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions, nodeTarget } from '../../../infra/bundling';
import { entryFor } from '../../../infra/functions';
import { functionNames, functionNeeds, type FunctionName } from '@shared/routes';
import { floorClients, floorSource } from '../floor';
import { lambdaNode } from '../node-lambda';
import { kb, ms, pct, ratio, type CaseOutput, type Row } from '../report';

const root = join(__dirname, '..', '..', '..');
/** Cold starts per function (and as many of its floor); BENCH_RUNS overrides. */
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

/** Bytes in the output by package (`gitlink` for the project's own files), largest first. */
export function topPackages(meta: Metafile, n = 5): Array<[string, number]> {
  const out = Object.values(meta.outputs).find((o) => o.entryPoint)!;
  const by = new Map<string, number>();
  for (const [path, input] of Object.entries(out.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'gitlink';
    by.set(pkg, (by.get(pkg) ?? 0) + input.bytesInOutput);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, n);
}

async function buildTo(outfile: string, entry: { file: string } | { source: string; name: string }) {
  const { entryPoints: _e, ...opts } = esbuildOptions('x', root);
  const result = await build({
    ...opts,
    ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.source, resolveDir: root, loader: 'ts', sourcefile: entry.name } }),
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const js = readFileSync(outfile);
  return { path: outfile, bytes: js.length, gzipBytes: gzipSync(js).length, meta: result.metafile };
}

/** The environment a deployed function sees (infra/functions.ts), with placeholder ids; nothing is called at import. */
const lambdaEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  TABLE_NAME: 'gitlink',
  TOKEN_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000001',
  SIGNING_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000002',
  GITLINK_MODE: 'aws',
  GITLINK_CRYPTO: 'aws',
  OIDC_ISSUER: 'https://issuer.example.com',
  OIDC_CLIENT_ID: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
};

const REQUIRE_TIME = `const t = performance.now(); const m = require(process.argv[1]); if (typeof m.handler !== 'function') process.exit(3); process.stdout.write(String(performance.now() - t));`;

function coldRequire(node: string, file: string): number {
  const out = spawnSync(node, ['-e', REQUIRE_TIME, file], { env: lambdaEnv, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`cold require of ${file} failed (${out.status}): ${out.stderr}`);
  return Number(out.stdout);
}

export async function run(): Promise<CaseOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'gitlink-bench-'));
  const node = lambdaNode();
  const bundles: Record<string, unknown> = {};
  const coldInit: Record<string, unknown> = {};
  const rows: Row[] = [];
  const floors = new Map<string, Awaited<ReturnType<typeof buildTo>>>();
  for (const name of functionNames as readonly FunctionName[]) {
    const clients = floorClients(functionNeeds[name]);
    const key = clients.join('+') || 'none';
    if (!floors.has(key)) floors.set(key, await buildTo(join(dir, `floor-${key}`, 'index.js'), { source: floorSource(clients), name: `floor-${key}.ts` }));
    const floor = floors.get(key)!;
    const fn = await buildTo(join(dir, name, 'index.js'), { file: entryFor(name) });
    if (name === 'ui') cpSync(join(root, 'web', 'dist'), join(dir, name, 'web'), { recursive: true }); // as uiBundling's afterBundling does
    const sizeRatio = ratio(fn.bytes, floor.bytes);
    bundles[name] = { minifiedBytes: fn.bytes, gzipBytes: fn.gzipBytes, floorBytes: floor.bytes, ratio: sizeRatio, floorClients: clients, top: topPackages(fn.meta) };
    const judged = clients.length > 0; // an empty floor makes any ratio meaningless
    rows.push({
      case: `bundle ${name} / floor (${key})`,
      value: `${kb(fn.bytes)} (${kb(fn.gzipBytes)} gz) / ${kb(floor.bytes)} = ${sizeRatio}×`,
      ...(judged ? { target: '≤ 1.15×', met: sizeRatio <= 1.15 } : { target: 'no SDK floor', met: !fn.meta.inputs || !Object.keys(fn.meta.inputs).some((p) => p.includes('/@aws-sdk/')) }),
    });

    const times: number[] = [];
    const floorTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      times.push(coldRequire(node, fn.path));
      floorTimes.push(coldRequire(node, floor.path));
    }
    const c = { medianMs: pct(times, 50), p90Ms: pct(times, 90), floorMedianMs: pct(floorTimes, 50) };
    const initRatio = ratio(c.medianMs, c.floorMedianMs);
    coldInit[name] = { ...c, ratio: initRatio };
    rows.push({
      case: `cold init ${name} median / floor`,
      value: `${ms(c.medianMs)} / ${ms(c.floorMedianMs)} = ${initRatio}× (p90 ${ms(c.p90Ms)})`,
      ...(judged ? { target: '≤ 1.10×', met: initRatio <= 1.1 } : {}),
    });
  }
  rmSync(dir, { recursive: true, force: true });
  rows.push({ case: 'cold init measured with', value: `node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()} (esbuild target ${nodeTarget}), ${RUNS} runs each` });
  return { results: { bundles, coldInit }, rows };
}
