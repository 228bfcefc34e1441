/** Calls to gitlink with the environment token. */
import { errorMessage, isErrorCode, type ErrorCode } from '@shared/contract/errors';
import type { CliConfig } from './config';
import { CliError } from './config';

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
}

/** The server spends at most ~20 s refreshing; leave room for the network. */
const TIMEOUT_MS = 40_000;

export async function call(config: CliConfig, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(`${config.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${config.token}`,
        accept: 'application/json',
        'user-agent': 'gitlink-cli',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${config.url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const v: unknown = text ? JSON.parse(text) : undefined;
    json = v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

export interface ApiErrorBody {
  /** A contract code (shared/contract/errors.ts), or an unknown one from a newer server. */
  code?: ErrorCode | (string & {});
  message?: string;
  linkUrl?: string;
  reason?: string;
  [k: string]: unknown;
}

export const errorOf = (a: ApiAnswer): ApiErrorBody => ((a.json?.error ?? {}) as ApiErrorBody);

/** One line for stderr that says what to do, for the failures every command shares. */
export function describeFailure(a: ApiAnswer): string {
  const e = errorOf(a);
  if (a.status === 401) return 'the environment token was refused (revoked, expired or mistyped). Create a new one in the gitlink web UI.';
  if (e.code === 'relink_required') return `your link needs renewing (${e.reason ?? 'refused'}). Link again at ${e.linkUrl ?? 'the gitlink web UI'}`;
  if (a.status >= 500) return `gitlink could not answer (${e.code ?? `HTTP ${a.status}`}); try again shortly.`;
  // The server's own message is the most specific; else the contract's message for the code.
  return e.message ?? (isErrorCode(e.code) ? errorMessage(e.code) : `unexpected answer (HTTP ${a.status})`);
}
