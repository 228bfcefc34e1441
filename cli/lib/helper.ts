/**
 * `git-credential-gitlink <operation>`: git's credential-helper protocol
 * (gitcredentials(7) "Custom helpers"; attributes as in git-credential(1)).
 *
 * - `get`: prints `username`, `password` and `password_expiry_utc` (git ≥ 2.41
 *   reads the expiry; older gits discard it, as they discard any unknown attribute).
 * - `store`, `erase` and unknown operations are ignored silently, as the docs ask
 *   of a helper that generates credentials rather than storing them.
 * - On any failure nothing goes to stdout, so git falls through to the next
 *   helper (or fails cleanly with GIT_TERMINAL_PROMPT=0); the reason goes to stderr.
 *   We do not send `quit=1`: another configured helper may still know an answer.
 * - Not linked yet: prints the link URL to stderr and polls until the developer
 *   has linked (GITLINK_WAIT_SECONDS, default 300; GITLINK_NO_WAIT=1 to skip).
 */
import type { CredentialAnswer, CredentialRequest } from '@shared/contract/api';
import { formatGitAttributes, parseGitAttributes } from '@shared/contract/git-attributes';
import { call, describeFailure, errorOf, type ApiAnswer } from './api';
import { CliError, loadConfig, type CliConfig } from './config';
import { humanDuration, say, seconds, type Io } from './io';

const DEFAULT_WAIT_SECONDS = 300;
const DEFAULT_POLL_SECONDS = 3;
/** How often the waiting helper says it is still waiting. */
const PROGRESS_EVERY_MS = 15_000;

export async function runHelper(operation: string | undefined, input: string, io: Io): Promise<number> {
  if (operation !== 'get') return 0; // store, erase, and operations added to git later
  let request: CredentialRequest;
  try {
    const attrs = parseGitAttributes(input);
    // Only http(s) credentials exist here; `cert` and others are not ours to answer.
    if (attrs.protocol !== 'https' && attrs.protocol !== 'http') return 0;
    if (!attrs.host) return 0;
    request = { protocol: attrs.protocol, host: attrs.host };
    if (attrs.path) request.path = attrs.path;
    if (attrs.username) request.username = attrs.username;
  } catch (e) {
    say(io, `could not read git's request: ${(e as Error).message}`);
    return 1;
  }
  try {
    const config = loadConfig(io.env);
    const answer = await fetchOrWait(config, request, io);
    if (!answer) return 1;
    io.stdout(formatGitAttributes({
      username: answer.username as string,
      password: answer.password as string,
      password_expiry_utc: answer.password_expiry_utc as number | undefined,
    }));
    return 0;
  } catch (e) {
    say(io, e instanceof CliError ? e.message : `failed: ${(e as Error).message}`);
    return 1;
  }
}

/** The credential, or `undefined` after telling the developer why not (on stderr). */
async function fetchOrWait(config: CliConfig, request: CredentialRequest, io: Io): Promise<Record<string, unknown> | undefined> {
  const noWait = io.env.GITLINK_NO_WAIT === '1' || io.env.GITLINK_NO_WAIT === 'true';
  const waitMs = noWait ? 0 : seconds(io.env.GITLINK_WAIT_SECONDS, DEFAULT_WAIT_SECONDS) * 1000;
  const pollMs = Math.max(100, seconds(io.env.GITLINK_POLL_SECONDS, DEFAULT_POLL_SECONDS) * 1000);
  const started = io.now();
  let told = false;
  let lastProgress = started;
  for (;;) {
    const a = await call<CredentialAnswer>(config, 'POST', '/v1/git/credential', request);
    if (a.status === 200 && typeof a.json?.password === 'string' && typeof a.json.username === 'string') {
      if (told) say(io, 'linked; continuing.');
      return a.json;
    }
    if (!isNotLinked(a)) return fail(a, request, io);
    const e = errorOf(a);
    if (!told) {
      say(io, `you have not linked ${e.providerId ?? request.host} yet. Open this URL to link it:`);
      io.stderr(`  ${e.linkUrl ?? config.url}\n`);
      if (waitMs > 0) say(io, `waiting up to ${humanDuration(waitMs)} for the link (Ctrl-C to stop; GITLINK_NO_WAIT=1 skips waiting)…`);
      told = true;
    }
    const left = started + waitMs - io.now();
    if (left <= 0) {
      if (waitMs > 0) say(io, `gave up waiting for the link after ${humanDuration(waitMs)}.`);
      return undefined;
    }
    if (io.now() - lastProgress >= PROGRESS_EVERY_MS) {
      say(io, `still waiting for the link (${humanDuration(left)} left)…`);
      lastProgress = io.now();
    }
    await io.sleep(Math.min(pollMs, left));
  }
}

const isNotLinked = (a: ApiAnswer) => a.status === 404 && errorOf(a).code === 'not_linked';

function fail(a: ApiAnswer, request: CredentialRequest, io: Io): undefined {
  const e = errorOf(a);
  // Not ours: stay quiet so git moves on to the next helper as if we were not configured.
  if (e.code === 'no_provider') {
    if (io.env.GITLINK_DEBUG) say(io, `no provider is configured for ${request.host}`);
    return undefined;
  }
  if (e.code === 'ssh_only') say(io, `${request.host} serves git over SSH only: use an SSH remote (run \`gitlink ssh-key\`).`);
  else say(io, describeFailure(a));
  return undefined;
}
