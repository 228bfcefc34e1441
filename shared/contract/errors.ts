/**
 * The one closed list of error codes gitlink answers (pure data: the server, the web UI and
 * the CLI all read it). Each code has its HTTP status, a human message, and whether a browser
 * route (the OAuth callback) may send it back as `?error=`.
 *
 * Adding a code is one line here. `AppError` takes its status from this list, its `code` is a
 * key of it (an unknown code does not compile), and test/unit/contract.test.ts scans the
 * source for codes used outside TypeScript's reach.
 *
 * `{provider}` in a message stands for the provider's display name (see `errorMessage`).
 */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  /** May end a browser route as a redirect to the UI with `?error=code`. */
  readonly redirect?: true;
}

export const errorCodes = {
  // 400: the request itself is wrong
  invalid_request: { status: 400, message: 'The request was incomplete or not valid. Start again from this page.', redirect: true },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  insecure_protocol: { status: 400, message: 'gitlink answers for this host over another protocol only.' },
  invalid_state: { status: 400, message: 'This link attempt expired or was already used. Start the link again from this page.', redirect: true },
  invalid_callback: { status: 400, message: 'The provider sent back a callback that belongs to another link attempt.' },
  no_signing_key: { status: 400, message: 'This provider does not use a signing key.' },
  // 401 / 403: who is asking
  unauthorized: { status: 401, message: 'Authentication is required.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  access_denied: { status: 403, message: 'You declined the request at {provider}, so nothing was linked.', redirect: true },
  browser_mismatch: {
    status: 403,
    message: 'This link attempt was started in another browser or session, so gitlink refused it for your safety. Start the link again from this page.',
    redirect: true,
  },
  // 404: nothing there
  not_found: { status: 404, message: 'No such route.' },
  unknown_provider: { status: 404, message: 'That provider is not configured in gitlink. Ask an admin to add it.', redirect: true },
  no_provider: { status: 404, message: 'No provider is configured for this host.' },
  not_linked: { status: 404, message: 'You have not linked {provider} yet. Open the link URL to link it.' },
  token_not_found: { status: 404, message: 'No such environment token.' },
  // 409: the state of things refuses it
  provider_exists: { status: 409, message: 'A provider with this id exists already.' },
  no_pending_key: { status: 409, message: 'This provider has no rotated key waiting for confirmation.' },
  rotation_conflict: { status: 409, message: 'Another rotation finished first; try again.' },
  too_many_tokens: { status: 409, message: 'You have too many environment tokens; revoke one first.' },
  relink_required: { status: 409, message: 'Your link to {provider} no longer works. Link it again.' },
  ssh_only: { status: 409, message: '{provider} serves git over SSH only: use SSH (run `gitlink ssh-key`).' },
  client_secret_missing: { status: 409, message: 'This provider has no client secret yet; an admin must set one.' },
  client_secret_required: { status: 409, message: 'Moving this provider to another host needs the client secret registered there, in the same request.' },
  signing_key_missing: { status: 409, message: 'This provider has no signing key; an admin must rotate one in.' },
  ssh_key_unreadable: { status: 409, message: 'Your SSH key can no longer be read. Rotate it (Rotate in the web UI), then run `gitlink ssh-key` again.' },
  ssh_key_in_use: { status: 409, message: 'This SSH key is registered to another account at {provider}.' },
  account_mismatch: {
    status: 409,
    message: 'You are already linked to a different {provider} account. Unlink it first if you want to link this one instead.',
    redirect: true,
  },
  link_conflict: { status: 409, message: 'Your link changed while this attempt was finishing (another tab?). Reload the page to see where it stands.', redirect: true },
  // The edge
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json (or text/plain, or application/x-www-form-urlencoded where a route accepts it).' },
  misdirected_request: { status: 421, message: 'This local server answers only on localhost, 127.0.0.1 and [::1].' },
  // 5xx: ours, or the provider's
  internal: { status: 500, message: 'Something went wrong on our side. Try again in a moment.', redirect: true },
  // The local server only: a request that arrived while start-up failed, or after it began stopping.
  service_unavailable: { status: 503, message: 'gitlink is not ready to answer. Try again in a moment.' },
  // AWS (DynamoDB, KMS, Secrets Manager) throttled or timed out after the bounded retries (docs/FAULTS.md).
  backend_unavailable: { status: 503, message: 'gitlink is overloaded or one of its own services did not answer. Try again in a moment.', redirect: true },
  not_implemented: { status: 501, message: 'This route is part of the design but is not built yet.' },
  provider_unavailable: { status: 502, message: '{provider} is temporarily unavailable. Try again later.', redirect: true },
  provider_unreachable: { status: 502, message: 'gitlink could not reach {provider}. Try again later, or ask an admin to check its address.', redirect: true },
  provider_timeout: { status: 502, message: '{provider} did not answer in time. Try again in a moment.', redirect: true },
  provider_refused: { status: 502, message: '{provider} refused the request.' },
  provider_error: { status: 502, message: '{provider} reported an error while linking. Try again; if it keeps failing, ask an admin.', redirect: true },
  oauth_error: { status: 502, message: '{provider} refused the authorization.' },
  exchange_failed: {
    status: 502,
    message: "{provider} did not accept the authorization. Try again; if it keeps failing, ask an admin to check the provider's client ID and secret.",
    redirect: true,
  },
  identity_failed: { status: 502, message: 'gitlink could not read your account details from {provider}. Try again.', redirect: true },
  ui_not_built: { status: 503, message: 'The web UI is not built. Run `npm run build:web` (npm start does it for you).' },
  installer_missing: { status: 503, message: 'The installer is not part of this deployment.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;
type Specs = typeof errorCodes;

/** The codes answered with HTTP status `S` (so `badRequest` only takes 400 codes). */
export type CodeWithStatus<S extends number> = { [K in ErrorCode]: Specs[K]['status'] extends S ? K : never }[ErrorCode];
/** The codes a browser route may redirect with (`?error=`). */
export type RedirectCode = { [K in ErrorCode]: Specs[K] extends { redirect: true } ? K : never }[ErrorCode];

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(errorCodes, code);

export const statusOf = (code: ErrorCode): number => errorCodes[code].status;

/** The human message for a code, `{provider}` filled in ("the provider" when unknown), as a sentence. */
export function errorMessage(code: ErrorCode, provider?: string): string {
  const text = errorCodes[code].message.replaceAll('{provider}', provider ?? 'the provider');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Warnings a completed link may carry back to the UI (`?linked=id&warning=code`). */
export const linkWarnings = {
  ssh_key_failed:
    'Your SSH key could not be registered with {provider}, so git over SSH will not work there yet. Rotate your SSH key below to try again.',
} as const;
export type LinkWarning = keyof typeof linkWarnings;

export const linkWarningMessage = (code: string, provider: string): string | undefined =>
  Object.hasOwn(linkWarnings, code) ? linkWarnings[code as LinkWarning].replaceAll('{provider}', provider) : undefined;
