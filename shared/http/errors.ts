/**
 * Typed errors with stable codes (after node-oidc-provider and middy's HttpError).
 * `message` is client-safe; `detail` goes to logs only; `cause` (an upstream response, say)
 * is non-enumerable so it never serializes into logs or answers.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  /** Extra client-safe fields for the JSON answer (e.g. `linkUrl`). */
  readonly extra?: Record<string, unknown>;
  get expose(): boolean {
    return this.status < 500;
  }

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { detail?: string; cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    if (opts.detail !== undefined) this.detail = opts.detail;
    if (opts.extra !== undefined) this.extra = opts.extra;
    if (opts.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: opts.cause, enumerable: false, writable: true });
    }
  }
}

export const badRequest = (code: string, message: string, extra?: Record<string, unknown>) =>
  new AppError(400, code, message, extra ? { extra } : {});
export const unauthorized = (message = 'Authentication is required.') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message);
export const notFound = (code: string, message: string, extra?: Record<string, unknown>) =>
  new AppError(404, code, message, extra ? { extra } : {});
export const conflict = (code: string, message: string, extra?: Record<string, unknown>) =>
  new AppError(409, code, message, extra ? { extra } : {});
export const notImplemented = () =>
  new AppError(501, 'not_implemented', 'This route is part of the design but is not built yet.');

export interface ErrorBody {
  error: { code: string; message: string; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * The one error mapper. An AppError's message is client-safe by construction, so
 * it is answered as is (5xx ones too, e.g. `502 provider_unavailable`); anything
 * else becomes `500 internal` with a generic message, and its details stay in the log.
 */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    // Extra client-safe fields (`linkUrl`, `reason`, `field`) sit in the error object, and are
    // repeated at the top level for clients that read them there.
    const extra = err.extra ?? {};
    return { status: err.status, body: { ...extra, error: { ...extra, code: err.code, message: err.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side.' } } };
}

/** A message safe to show a client: an AppError's own, else a generic one. */
export const safeMessage = (e: unknown): string => (e instanceof AppError ? e.message : 'Unexpected error.');
