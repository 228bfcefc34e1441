/**
 * The gitlink API, same origin. Every call carries the access token as a bearer
 * token; cookies go only where the API sets them (the link binding cookie), with
 * `credentials: 'same-origin'`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input field a validation error is about (`400 invalid_request`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type TokenSource = () => Promise<string | undefined>;

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

export function createApi(token: TokenSource, onUnauthorized: () => void): Api {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const bearer = await token();
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'network', 'gitlink could not be reached. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      if (res.status === 401) onUnauthorized();
      throw new ApiError(
        res.status,
        err?.code ?? `http_${res.status}`,
        err?.message ?? `The request failed (HTTP ${res.status}).`,
        typeof err?.field === 'string' ? err.field : undefined,
      );
    }
    return json as T;
  }
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    put: (p, b) => call('PUT', p, b),
    del: (p) => call('DELETE', p),
  };
}

export const enc = encodeURIComponent;

/** The answers the UI reads: the contract's types, the same the server produces. */
export type {
  AdminProvider,
  Answers,
  EnvToken,
  LinkStart,
  LinkSummary,
  NewEnvToken,
  ProviderDeleted,
  ProviderSummary,
  RotationReport,
  SshKey,
  StepResult,
  UnlinkReport,
} from '@shared/contract/api';
