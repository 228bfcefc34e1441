/**
 * Typed errors with stable codes (after node-oidc-provider and middy's HttpError).
 * `message` is client-safe; `detail` goes to logs only; `cause` (an upstream response, say)
 * is non-enumerable so it never serializes into logs or answers.
 */
import { unavailable } from './aws/policy';
import { errorCodes, errorMessage, type CodeWithStatus, type ErrorCode } from './contract/errors';

export type { ErrorCode } from './contract/errors';

export class AppError extends Error {
  /** From the contract's list (shared/contract/errors.ts): a code has one status everywhere. */
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  /** Extra client-safe fields for the JSON answer (e.g. `linkUrl`). */
  readonly extra?: Record<string, unknown>;
  get expose(): boolean {
    return this.status < 500;
  }

  /** `message` defaults to the list's human message for `code`. */
  constructor(code: ErrorCode, message?: string, opts: { detail?: string; cause?: unknown; extra?: Record<string, unknown> } = {}) {
    super(message ?? errorMessage(code));
    this.name = 'AppError';
    this.status = errorCodes[code].status;
    this.code = code;
    if (opts.detail !== undefined) this.detail = opts.detail;
    if (opts.extra !== undefined) this.extra = opts.extra;
    if (opts.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: opts.cause, enumerable: false, writable: true });
    }
  }
}

const withExtra = (extra?: Record<string, unknown>) => (extra ? { extra } : {});
export const badRequest = (code: CodeWithStatus<400>, message?: string, extra?: Record<string, unknown>) => new AppError(code, message, withExtra(extra));
export const unauthorized = (message?: string) => new AppError('unauthorized', message);
export const forbidden = (message?: string) => new AppError('forbidden', message);
export const notFound = (code: CodeWithStatus<404>, message?: string, extra?: Record<string, unknown>) => new AppError(code, message, withExtra(extra));
export const conflict = (code: CodeWithStatus<409>, message?: string, extra?: Record<string, unknown>) => new AppError(code, message, withExtra(extra));
export const notImplemented = () => new AppError('not_implemented');

export interface ErrorBody {
  error: { code: string; message: string; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * Any failure as an AppError: itself; an AWS call that stayed throttled or timed out
 * through its retries (shared/aws/policy.ts) as `503 backend_unavailable`; anything else
 * as `500 internal`. The SDK's own message never reaches a client.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const name = (err as { name?: unknown } | undefined)?.name;
  if (unavailable(err)) return new AppError('backend_unavailable', undefined, { detail: `AWS: ${String(name)}`, cause: err });
  return new AppError('internal', undefined, { cause: err });
}

/**
 * The one error mapper. An AppError's message is client-safe by construction, so
 * it is answered as is (5xx ones too, e.g. `502 provider_unavailable`); anything
 * else is mapped by `toAppError`, and its details stay in the log.
 */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  const e = toAppError(err);
  // Extra client-safe fields (`linkUrl`, `reason`, `field`) sit in the error object, and are
  // repeated at the top level for clients that read them there.
  const extra = e.extra ?? {};
  return { status: e.status, body: { ...extra, error: { ...extra, code: e.code, message: e.message } } };
}

/** A message safe to show a client: an AppError's own, the 503 one for an unavailable AWS, else a generic one. */
export const safeMessage = (e: unknown): string => (e instanceof AppError ? e.message : unavailable(e) ? toAppError(e).message : 'Unexpected error.');
