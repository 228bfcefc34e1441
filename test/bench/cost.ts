/**
 * `npx tsx test/bench/cost.ts`: the monthly cost model of docs/COST.md, from the
 * figures `npm run bench` measured (bench/results.json) and published AWS list
 * prices. Prints the markdown tables COST.md holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** us-east-1 list prices (USD), as published on the AWS pricing pages; see docs/COST.md for the date. */
export const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  httpApiRequest: 1.0 / 1e6, // first 300 million a month
  httpApiRequestAbove300M: 0.9 / 1e6,
  dynamoReadUnit: 0.125 / 1e6, // on-demand read request unit (one strongly consistent read of ≤ 4 KB)
  dynamoWriteUnit: 0.625 / 1e6,
  kmsKeyMonth: 1,
  kmsRequest: 0.03 / 1e4,
  secretMonth: 0.4,
  secretsRequest: 0.05 / 1e4,
  logsIngestGb: 0.5,
};

/** The usage the issue asks for: per developer, 5 environments, each running 200 git operations a day. */
export const USAGE = { environments: 5, opsPerEnvironmentPerDay: 200, days: 30, providers: 3 };
/** What the model assumes beyond the bench (docs/COST.md says why). */
export const ASSUMED = {
  memoryGb: 0.5, // infra/functions.ts memorySize
  logBytesPerRequest: 350, // Lambda's START/END/REPORT lines; a successful fetch logs nothing else
  lastUsedWritesPerFetch: 0.2, // at most one conditional write per token per 5 minutes
  coldStartsPerFetch: 0.001,
};

interface Results {
  credentialFetch: { warm: { p50Ms: number }; cold: { p50Ms: number } };
  coldInit: Record<string, { medianMs: number }>;
  concurrency: { cacheHitRate: number };
  awsCalls: Record<string, { warm: Record<string, number>; cold: Record<string, number> }>;
}

export function monthly(r: Results, developers: number) {
  const fetches = developers * USAGE.environments * USAGE.opsPerEnvironmentPerDay * USAGE.days;
  const hit = r.concurrency.cacheHitRate;
  const warm = r.awsCalls['POST /v1/git/credential']!.warm;
  const cold = ASSUMED.coldStartsPerFetch;
  const seconds = r.credentialFetch.warm.p50Ms / 1000 + cold * (r.coldInit['git-credential']!.medianMs + r.credentialFetch.cold.p50Ms) / 1000;
  const apiRequests = Math.min(fetches, 300e6) * PRICES.httpApiRequest + Math.max(0, fetches - 300e6) * PRICES.httpApiRequestAbove300M;
  const lines: Array<[string, number]> = [
    ['HTTP API requests', apiRequests],
    ['Lambda requests', fetches * PRICES.lambdaRequest],
    ['Lambda duration (arm64, 512 MB)', fetches * seconds * ASSUMED.memoryGb * PRICES.lambdaArmGbSecond],
    // A BatchGetItem of the token record and the link: 2 read units (strongly consistent, each ≤ 4 KB).
    ['DynamoDB reads', fetches * (warm.dynamodb! * 2) * PRICES.dynamoReadUnit],
    ['DynamoDB writes (lastUsedAt)', fetches * ASSUMED.lastUsedWritesPerFetch * PRICES.dynamoWriteUnit],
    ['KMS Decrypt (cache misses) + 2 keys', fetches * (1 - hit) * PRICES.kmsRequest + 2 * PRICES.kmsKeyMonth],
    ['Secrets Manager (one secret per provider)', USAGE.providers * PRICES.secretMonth],
    ['CloudWatch Logs ingestion', (fetches * ASSUMED.logBytesPerRequest / 1e9) * PRICES.logsIngestGb],
  ];
  return { fetches, lines, total: lines.reduce((s, [, v]) => s + v, 0) };
}

if (require.main === module) {
  const r = JSON.parse(readFileSync(join(__dirname, '..', '..', 'bench', 'results.json'), 'utf8')) as Results;
  const cols = [100, 1_000, 100_000].map((d) => ({ d, m: monthly(r, d) }));
  const usd = (n: number) => (n >= 100 ? `$${Math.round(n).toLocaleString('en-US')}` : `$${n.toFixed(2)}`);
  const head = `| monthly (USD) | ${cols.map((c) => `${c.d.toLocaleString('en-US')} developers`).join(' | ')} |`;
  const rows = cols[0]!.m.lines.map(([name], i) => `| ${name} | ${cols.map((c) => usd(c.m.lines[i]![1])).join(' | ')} |`);
  console.log([head, `|---|${cols.map(() => '---:').join('|')}|`, `| credential fetches | ${cols.map((c) => c.m.fetches.toLocaleString('en-US')).join(' | ')} |`, ...rows, `| **total** | ${cols.map((c) => `**${usd(c.m.total)}**`).join(' | ')} |`].join('\n'));
  console.log(`\ninputs: warm p50 ${r.credentialFetch.warm.p50Ms} ms, cache hit rate ${r.concurrency.cacheHitRate}`);
}
