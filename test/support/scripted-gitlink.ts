/**
 * A gitlink server whose answers a test writes, for the sh CLI's edge cases that the real
 * server never gives (control characters in names, no HTTPS provider at all, an answer that
 * never comes). Each `METHOD path` (path with its query) gets the answer set for it, else a
 * 404 `not_found`. A string body is sent as it is; anything else as JSON, through `encode`
 * when given. `'hang'` never answers. Every request is logged with its arrival time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export type ScriptedAnswer = { status: number; body: unknown; contentType?: string } | 'hang';

export interface ScriptedGitlink {
  url: string;
  answers: Map<string, ScriptedAnswer>;
  /** `METHOD path` of every request, with `performance.now()` at its arrival. */
  log: Array<{ key: string; at: number }>;
  close(): Promise<void>;
}

export async function startScriptedGitlink(opts: { encode?: (body: unknown) => string } = {}): Promise<ScriptedGitlink> {
  const answers = new Map<string, ScriptedAnswer>();
  const log: ScriptedGitlink['log'] = [];
  const encode = opts.encode ?? ((body: unknown) => JSON.stringify(body));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = `${req.method} ${req.url}`;
      log.push({ key, at: performance.now() });
      const a = answers.get(key) ?? { status: 404, body: { error: { code: 'not_found', message: 'no answer set' } } };
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : encode(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    log,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
