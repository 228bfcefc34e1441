/**
 * The fault layer (issue 10, "Fault injection"): an HTTP proxy on the wire between the
 * service and one upstream (moto_server, or a fake provider). It forwards every request
 * unchanged until a test injects a rule; a rule that matches a request answers it with a
 * fault instead: a status and body (a throttling error, a 500, a 429 with Retry-After),
 * a delay, a connection reset, a hang, or "forward, then reset" (the upstream acts on the
 * request, the caller never learns the answer).
 *
 * Every request is recorded with the rule that took it, so a test counts the attempts
 * that reached the fault layer. Nothing in the product knows this exists.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { forward, type Forwarded } from '../forward';

export type Fault =
  | { kind: 'answer'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'forward-then-reset' };

export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `kms:Decrypt`, `dynamodb:UpdateItem`, … for AWS requests (SigV4 scope + X-Amz-Target). */
  action?: string;
  at: number;
  /** The rule that took it; absent when forwarded untouched. */
  rule?: string;
}

export interface Rule {
  name: string;
  match: (r: Seen) => boolean;
  fault: Fault;
  /** How many matching requests the rule takes before it stops matching. Default: all. */
  times?: number;
}

/** `Credential=AKID/20260101/us-east-1/kms/aws4_request` + `X-Amz-Target: TrentService.Decrypt` → `kms:Decrypt`. */
function awsAction(h: IncomingHttpHeaders): string | undefined {
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(h.authorization ?? ''))?.[1];
  const target = h['x-amz-target'];
  if (!service || typeof target !== 'string') return undefined;
  return `${service}:${target.split('.').pop()}`;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class FaultProxy {
  readonly seen: Seen[] = [];
  private rules: Array<Rule & { left: number }> = [];
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.serve(req, res).catch(() => res.destroy()));
  private readonly upstream: URL;
  url = '';

  private constructor(upstream: string) {
    this.upstream = new URL(upstream);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(upstream: string): Promise<FaultProxy> {
    const p = new FaultProxy(upstream);
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', () => resolve()));
    p.url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  /** Adds a rule (first added, first matched); returns a counter of the requests it took. */
  inject(rule: Rule): { hits: () => number } {
    this.rules.push({ ...rule, left: rule.times ?? Infinity });
    return { hits: () => this.seen.filter((s) => s.rule === rule.name).length };
  }

  /** Removes every rule: the proxy forwards everything again. */
  clear(): void {
    this.rules = [];
  }

  /** Requests seen (faulted or forwarded) that match. */
  count(match: (r: Seen) => boolean): number {
    return this.seen.filter(match).length;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const seen: Seen = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body: body.toString('utf8'), at: Date.now() };
    const action = awsAction(req.headers);
    if (action) seen.action = action;
    const rule = this.rules.find((r) => r.left > 0 && r.match(seen));
    this.seen.push(seen);
    if (!rule) return this.forward(req, res, body);
    rule.left -= 1;
    seen.rule = rule.name;
    const f = rule.fault;
    switch (f.kind) {
      case 'answer':
        res.writeHead(f.status, { 'content-type': 'application/json', ...(f.headers ?? {}) });
        res.end(f.body ?? '');
        return;
      case 'delay':
        await new Promise((r) => setTimeout(r, f.ms));
        return this.forward(req, res, body);
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // never answered; close() cuts it
      case 'forward-then-reset':
        await this.send(req, body);
        req.socket.destroy();
        return;
    }
  }

  private send(req: IncomingMessage, body: Buffer): Promise<Forwarded> {
    return forward(this.upstream, req.method ?? 'GET', req.url ?? '/', req.headers, body);
  }

  private async forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const r = await this.send(req, body);
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  }
}
