/**
 * Where the CLI finds gitlink: `GITLINK_URL` and `GITLINK_TOKEN`, else the
 * config file `$XDG_CONFIG_HOME/gitlink/config.json` (default
 * `~/.config/gitlink/config.json`) holding `{"url": …, "token": …}`.
 *
 * The file holds a credential, so, like ssh with a private key, the CLI
 * refuses one that group or others can read.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CliConfig {
  url: string;
  token: string;
}

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function configPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || env.USERPROFILE || '.', '.config');
  return join(base, 'gitlink', 'config.json');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The token must not cross a network in clear text: https, or http to this machine only. */
function checkUrl(raw: string, where: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not echoed: a swapped GITLINK_URL/GITLINK_TOKEN would print the token into git and CI logs.
    throw new CliError(`${where} is not a URL`);
  }
  // Refused, not dropped: a token beside a password in the URL is a configuration to fix (as the sh CLI says).
  if (url.username || url.password) throw new CliError(`${where} must not hold credentials`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new CliError(`${where} must use https (http only for localhost)`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function readFile(path: string): Partial<CliConfig> {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return {};
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CliError(
      `refusing to read ${path}: it holds your environment token but is readable by others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}). Run: chmod 600 ${path}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError(`${path} is not valid JSON`);
  }
  const o = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  return {
    ...(typeof o.url === 'string' ? { url: o.url } : {}),
    ...(typeof o.token === 'string' ? { token: o.token } : {}),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv): CliConfig {
  const path = configPath(env);
  const fromEnv = { url: env.GITLINK_URL || undefined, token: env.GITLINK_TOKEN || undefined };
  // The file is read (and its mode checked) only when the environment does not say everything.
  const file = fromEnv.url && fromEnv.token ? {} : readFile(path);
  const url = fromEnv.url ?? file.url;
  const token = fromEnv.token ?? file.token;
  if (!url || !token) throw new CliError(`not configured: set GITLINK_URL and GITLINK_TOKEN, or write {"url","token"} to ${path} (mode 0600)`);
  return { url: checkUrl(url, fromEnv.url ? 'GITLINK_URL' : path), token };
}
