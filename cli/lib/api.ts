/** Calls to gitlink with the environment token. */
import type { ErrorBody } from '@shared/contract/api';
import { errorMessage, isErrorCode, type ErrorCode } from '@shared/contract/errors';
import type { CliConfig } from './config';
import { CliError } from './config';

/**
 * An answer as it came over the wire: `T` (the contract's type for the route) says what a
 * well-behaved server sends, but every field is checked before use.
 */
export interface ApiAnswer<T = unknown> {
  status: number;
  json: (Partial<T> & Record<string, unknown>) | undefined;
}

/** The server spends at most ~20 s refreshing; leave room for the network. */
const TIMEOUT_MS = 40_000;

export async function call<T = unknown>(config: CliConfig, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> {
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
  let json: ApiAnswer<T>['json'];
  try {
    const v: unknown = text ? JSON.parse(text) : undefined;
    json = v && typeof v === 'object' ? (v as ApiAnswer<T>['json']) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/** An error answer's `error` as read off the wire: the contract's, every field possibly missing, a code possibly newer. */
export type ApiErrorBody = Partial<Pick<ErrorBody['error'], 'message' | 'linkUrl' | 'reason' | 'providerId'>> & { code?: ErrorCode | (string & {}) };

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
