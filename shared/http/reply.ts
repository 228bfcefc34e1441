/** What an action answers; the handler turns it into an API Gateway v2 result. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** `Set-Cookie` values (HTTP API v2 `cookies`). */
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export const json = (status: number, body: unknown, extra: Omit<Reply, 'status' | 'body'> = {}): Reply => ({
  ...extra,
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...(extra.headers ?? {}) },
  body: JSON.stringify(body),
});

export const redirect = (location: string, extra: Omit<Reply, 'status' | 'body'> = {}): Reply => ({
  ...extra,
  status: 302,
  headers: { location, ...(extra.headers ?? {}) },
});

export const noContent = (): Reply => ({ status: 204 });
