/**
 * dynalite in-process: DynamoDB's own wire protocol, so the local stack drives
 * the real AWS adapter. On disk under the data dir (so `npm start` keeps its
 * data across restarts), or in memory for tests.
 */
import type { AddressInfo } from 'node:net';
// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }) => import('node:http').Server;

export async function startDynalite(path?: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
