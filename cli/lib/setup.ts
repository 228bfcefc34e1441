/**
 * `gitlink setup`: makes git use git-credential-gitlink for every provider
 * host that serves git over HTTP(S), in the global git config:
 *
 *   [credential "https://gitlab.example.com"]
 *       helper =
 *       helper = /path/to/git-credential-gitlink.js
 *
 * The empty value first resets the helper list for that URL (gitcredentials(7)),
 * so a storing helper configured globally cannot answer with a stale token.
 * The hosts come from `GET /v1/env/ssh-key?hostsOnly=true` (`httpsHosts`),
 * which needs the environment token but never returns the private key.
 */
import type { EnvSshKeyAnswer } from '@shared/contract/api';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { call, describeFailure } from './api';
import { CliError, loadConfig } from './config';
import { say, type Io } from './io';

/**
 * The helper to configure: GITLINK_HELPER, else the one shipped beside this
 * file (`cli/dist/git-credential-gitlink.js`, or a copy renamed without `.js`),
 * else `git-credential-gitlink` on PATH. Always an absolute path, so git does
 * not depend on the PATH of whoever runs it later.
 */
export function helperCommand(env: NodeJS.ProcessEnv, dir: string): string {
  const candidates = env.GITLINK_HELPER
    ? [env.GITLINK_HELPER]
    : [
        join(dir, 'git-credential-gitlink.js'),
        join(dir, 'git-credential-gitlink'),
        ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'git-credential-gitlink')),
      ];
  const path = candidates.find((p) => isAbsolute(p) && existsSync(p));
  if (!path) throw new CliError(`cannot find git-credential-gitlink (looked in ${dir} and PATH; set GITLINK_HELPER to its absolute path)`);
  // git runs helper commands through the shell (gitcredentials(7)): quote what the shell would split.
  // A quoted value must be a shell snippet, `!` first: git runs a value as it is only when it
  // starts with `/`, and puts `git credential-` in front of anything else.
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `!'${path.replace(/'/g, `'\\''`)}'`;
}

function git(args: string[], env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { env, encoding: 'utf8' });
  if (r.error) throw new CliError(`cannot run git: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export async function runSetup(io: Io, dir: string): Promise<number> {
  try {
    const config = loadConfig(io.env);
    const helper = helperCommand(io.env, dir);
    const a = await call<EnvSshKeyAnswer>(config, 'GET', '/v1/env/ssh-key?hostsOnly=true');
    const hosts = a.json?.httpsHosts;
    if (a.status !== 200 || !Array.isArray(hosts)) throw new CliError(describeFailure(a));
    if (!hosts.length) io.stdout('unchanged git config (no provider serves git over HTTPS)\n');
    for (const origin of hosts.filter((h): h is string => typeof h === 'string')) {
      const key = `credential.${origin}.helper`;
      const now = git(['config', '--global', '--get-all', key], io.env);
      const wanted = ['', helper];
      if (now.status === 0 && now.stdout.split('\n').slice(0, -1).join('\n') === wanted.join('\n')) {
        io.stdout(`unchanged ${key}\n`);
        continue;
      }
      git(['config', '--global', '--unset-all', key], io.env); // exit 5 = nothing to unset
      for (const value of wanted) {
        const r = git(['config', '--global', '--add', key, value], io.env);
        if (r.status !== 0) throw new CliError(`git config failed: ${r.stderr.trim()}`);
      }
      io.stdout(`set ${key} = ${helper}\n`);
    }
    return 0;
  } catch (e) {
    say(io, e instanceof CliError ? e.message : `failed: ${(e as Error).message}`);
    return 1;
  }
}
