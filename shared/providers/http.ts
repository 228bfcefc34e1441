/**
 * Every call gitlink makes to a provider goes through `providerFetch`: a
 * timeout (10 s by default), a cap on the answer's size, and errors classified
 * so callers can tell "try again later" from "this will never work".
 */
import { hostProblem } from '../net/address';
import { AppError, type ErrorCode } from '../errors';

/** Provider answers larger than this are refused: no provider answer we read is near it. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export type FailureKind = 'timeout' | 'network' | 'transient' | 'refused';

/** A provider call failed. `kind` says whether retrying can help; `status` is the HTTP status if any. */
export class ProviderError extends AppError {
  constructor(
    readonly kind: FailureKind,
    code: ErrorCode,
    message: string,
    opts: { detail?: string; cause?: unknown; providerStatus?: number; oauthError?: string; retryAfterMs?: number } = {},
  ) {
    super(code, message, { ...(opts.detail ? { detail: opts.detail } : {}), cause: opts.cause });
    this.providerStatus = opts.providerStatus;
    this.oauthError = opts.oauthError;
    this.retryAfterMs = opts.retryAfterMs;
  }
  readonly providerStatus: number | undefined;
  /** How long the provider asked us to wait (`Retry-After` on a 429 or 503), in ms. */
  readonly retryAfterMs: number | undefined;
  /** The RFC 6749 §5.2 `error` value, when the provider sent one. */
  readonly oauthError: string | undefined;
  get transient(): boolean {
    return this.kind !== 'refused';
  }
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined if the body is not JSON. */
  json: unknown;
}

/** How a provider may be reached: every call says both, so none can forget the host rule. */
export interface Reach {
  timeoutMs: number;
  /** Loopback hosts are providers only in local mode (`GITLINK_MODE=local`). */
  allowLoopback: boolean;
}

export interface FetchOptions extends Reach {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function providerFetch(url: string, opts: FetchOptions): Promise<ProviderResponse> {
  // Defence in depth for configs saved before admin input refused these hosts (shared/net/address.ts),
  // by the same rule. `refused`: no retry and no Retry-After, since only an admin's fix helps.
  const problem = hostProblem(new URL(url).hostname, opts.allowLoopback);
  if (problem) {
    throw new ProviderError('refused', 'provider_unreachable', 'The provider could not be reached.', { detail: `refused host ${new URL(url).host}: ${problem}` });
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers: { 'user-agent': 'gitlink', ...(opts.headers ?? {}) },
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (e) {
    const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
    throw new ProviderError(
      timeout ? 'timeout' : 'network',
      timeout ? 'provider_timeout' : 'provider_unreachable',
      timeout ? 'The provider did not answer in time.' : 'The provider could not be reached.',
      { detail: `${opts.method ?? 'GET'} ${new URL(url).origin}${new URL(url).pathname}: ${(e as Error).message}` },
    );
  }
  let text: string;
  try {
    text = await readCapped(res);
  } catch (e) {
    // The same timeout covers the body: a provider that stalls mid-answer timed out.
    const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
    throw new ProviderError(
      timeout ? 'timeout' : 'network',
      timeout ? 'provider_timeout' : 'provider_unreachable',
      timeout ? 'The provider did not answer in time.' : 'The provider answer could not be read.',
      { detail: (e as Error).message },
    );
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error('provider answer too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** 5xx and 429 can pass; other 4xx will not. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3: seconds, or an HTTP date) in ms, when the answer has one
 * that parses; `{ retryAfterMs }` to spread into a ProviderError's options.
 */
export function retryAfter(res: ProviderResponse, now = Date.now()): { retryAfterMs?: number } {
  const v = res.headers.get('retry-after')?.trim();
  if (!v) return {};
  // An HTTP date starts with its day name (IMF-fixdate, RFC 850, asctime); V8's Date.parse would read '1.5' as a date.
  const ms = /^\d{1,10}$/.test(v) ? Number(v) * 1000 : /^[A-Za-z]{3}/.test(v) ? Date.parse(v) - now : NaN;
  return Number.isFinite(ms) ? { retryAfterMs: Math.max(0, ms) } : {};
}

/** Turns an unexpected API status into a classified error (the body stays in `detail`, for logs only). */
export function apiFailure(what: string, res: ProviderResponse): ProviderError {
  return new ProviderError(
    isTransientStatus(res.status) ? 'transient' : 'refused',
    isTransientStatus(res.status) ? 'provider_unavailable' : 'provider_refused',
    `The provider refused to ${what} (HTTP ${res.status}).`,
    { providerStatus: res.status, detail: `${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`, ...retryAfter(res) },
  );
}
