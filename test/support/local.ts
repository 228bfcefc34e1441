/**
 * Starts the local server in-process for a test file (same route table, same
 * handlers, dynalite in memory, a fresh data dir), plus small HTTP helpers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type LocalOptions, type LocalStack } from '../../local/app';

export async function startTestStack(opts: Partial<LocalOptions> = {}): Promise<LocalStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return startLocal({ port: 0, dataDir: mkdtempSync(join(tmpdir(), 'gitlink-local-')), inMemory: true, ...opts });
}

/** A minimal browser cookie jar: remembers Set-Cookie by name, honours Max-Age=0. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name: string) {
    return this.cookies.get(name);
  }
  set(name: string, value: string) {
    this.cookies.set(name, value);
  }
  clear() {
    this.cookies.clear();
  }
}

/** What a browser needs of a running stack: the local one, or the deployed tier's (test/deployed/stack.ts). */
export interface StackUnderTest {
  url: string;
  issuer: { mint(sub: string, admin: boolean): Promise<string> };
}

/** A signed-in developer with a browser: bearer token + cookie jar. */
export class Browser {
  readonly jar = new CookieJar();
  constructor(
    readonly stack: StackUnderTest,
    readonly token: string,
  ) {}

  static async signIn(stack: StackUnderTest, sub: string, admin = false) {
    return new Browser(stack, await stack.issuer.mint(sub, admin));
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; res: Response }> {
    const res = await fetch(`${this.stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(this.jar.header() ? { cookie: this.jar.header() } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    this.jar.take(res);
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, res };
  }

  /** Follows redirects as a browser would, sending this jar's cookies to our origin only. Returns the final URL. */
  async navigate(url: string, maxHops = 10): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    for (let hop = 0; hop < maxHops; hop++) {
      const ours = current.startsWith(this.stack.url);
      const res = await fetch(current, { redirect: 'manual', headers: ours && this.jar.header() ? { cookie: this.jar.header() } : {} });
      if (ours) this.jar.take(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).toString();
        continue;
      }
      return { url: current, status: res.status, body: await res.text() };
    }
    throw new Error('too many redirects');
  }
}

/** Links through a sandbox provider's approve page (local/sandbox.ts), as a person pressing Approve would; answers the UI URL it lands on. */
export async function linkThroughPage(dev: Browser, providerId: string, username: string): Promise<string> {
  const { json } = await dev.api('POST', `/v1/links/${providerId}`);
  const page = await dev.navigate(json.authorizeUrl);
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)![1]!.replace(/&#38;/g, '&');
  const fields = new URLSearchParams({ decision: 'approve', username });
  for (const m of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1]!, m[2]!.replace(/&#38;/g, '&'));
  const res = await fetch(new URL(action, page.url), { method: 'POST', body: fields, redirect: 'manual' });
  return (await dev.navigate(new URL(res.headers.get('location')!, page.url).toString())).url;
}
