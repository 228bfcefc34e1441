/**
 * Starting `moto_server` (KMS, Secrets Manager and DynamoDB on one port, LocalStack-style)
 * on a free port: used by jest's global setup and by `npm run bench`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitUp(url: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`moto_server did not come up at ${url}`);
}

export const hasMotoServer = () => spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

export interface Moto {
  endpoint: string;
  child: ChildProcess;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: false });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUp(`${endpoint}/moto-api/`, 20_000);
  return { endpoint, child };
}
