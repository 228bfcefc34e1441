/**
 * One Lambda container of the concurrency bench, as its own process: loads the
 * git-credential function, says `ready`, waits for `go` on stdin, then sends
 * its share of credential requests with a fixed number in flight and prints
 * one JSON line: the answers and the AWS calls they made. Its environment (moto, keys, table) comes from the
 * parent (test/bench/world.ts).
 */
import { createInterface } from 'node:readline';
import { countCalls } from './aws-calls';
import { coldContainer, invoke } from './lambda';
import { credentialRequest } from './world';

export interface Job {
  jobs: Array<{ userId: string; token: string }>;
  inFlight: number;
  host: string;
}
export interface Answer {
  userId: string;
  status: number;
  code?: string;
  password?: string;
}

async function main() {
  const job = JSON.parse(process.env.BENCH_JOB!) as Job;
  const handler = coldContainer('git-credential');
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < job.jobs.length; i = next++) {
      const { userId, token } = job.jobs[i]!;
      const res = await invoke(handler, credentialRequest(token, job.host));
      const body = JSON.parse(res.body ?? '{}') as { password?: string; error?: { code?: string } };
      answers.push({ userId, status: res.statusCode ?? 0, ...(body.error?.code ? { code: body.error.code } : {}), ...(body.password ? { password: body.password } : {}) });
    }
  };
  const { calls } = await countCalls(() => Promise.all(Array.from({ length: job.inFlight }, worker)));
  process.stdout.write(`${JSON.stringify({ answers, calls })}\n`);
  process.exit(0);
}

void main();
