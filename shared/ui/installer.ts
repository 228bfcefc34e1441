/**
 * `GET /install.sh` (docs/ARCHITECTURE.md §3b): the POSIX sh installer for
 * environments without Node. The scripts are real files, `cli/sh/install.sh`
 * and `cli/sh/gitlink`, checked by shellcheck; the answer is the installer with
 * the gitlink script embedded in its here-document, so one download installs
 * everything and the two can never be of different versions.
 *
 * Where the files are: in the `ui` Lambda, `sh/` beside the bundle's index.js
 * (infra/functions.ts copies them there in `afterBundling`); in the repository,
 * `cli/sh`. The answer is public and the same for everyone: cacheable, with an
 * ETag so a client that has it gets a 304.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { header, type Ctx } from '../http/handler';
import { AppError } from '../errors';
import type { Reply } from '../http/reply';
import { version } from '../../package.json';

export const INSTALLER_FILES = ['install.sh', 'gitlink'] as const;

const SCRIPT_PLACEHOLDER = '@@GITLINK_SH@@';
const VERSION_PLACEHOLDER = "GITLINK_VERSION='@@VERSION@@'";
/** The installer's here-document ends at this line; the embedded script must not contain it. */
const HEREDOC_END = 'GITLINK_SCRIPT_END';

export interface Installer {
  body: string;
  etag: string;
}

/** Directories the scripts may be in, nearest first (`here`: the handler's directory). */
export const installerDirs = (here: string): string[] => [join(here, 'sh'), join(here, '..', 'cli', 'sh')];

/** The installer as served: install.sh with the gitlink script (and the version) filled in. */
export function buildInstaller(dir: string): Installer {
  const [install, gitlink] = INSTALLER_FILES.map((f) => readFileSync(join(dir, f), 'utf8')) as [string, string];
  const script = gitlink.replace(VERSION_PLACEHOLDER, `GITLINK_VERSION='${version}'`).replace(/\n$/, '');
  if (!script.includes(`GITLINK_VERSION='${version}'`)) throw new Error('cli/sh/gitlink has no version line');
  if (script.split('\n').includes(HEREDOC_END)) throw new Error(`cli/sh/gitlink must not contain a line ${HEREDOC_END}`);
  const lines = install.split('\n');
  const at = lines.indexOf(SCRIPT_PLACEHOLDER);
  if (at < 0 || lines[at + 1] !== HEREDOC_END) throw new Error('cli/sh/install.sh has no script placeholder');
  lines[at] = script;
  const body = lines.join('\n');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** `watch` (local mode): build on every request, so an edited script is served at once. */
export function installerLoader(opts: { dirs: string[]; watch: boolean }): () => Installer | undefined {
  let cached: Installer | undefined;
  return () => {
    if (cached && !opts.watch) return cached;
    const dir = opts.dirs.find((d) => INSTALLER_FILES.every((f) => existsSync(join(d, f))));
    cached = dir ? buildInstaller(dir) : undefined;
    return cached;
  };
}

export function installerAction(load: () => Installer | undefined) {
  return async (ctx: Ctx): Promise<Reply> => {
    const installer = load();
    if (!installer) throw new AppError('installer_missing');
    const headers = {
      // text/plain, so a browser shows the script for reading before anyone pipes it to sh.
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'public, max-age=300',
      etag: installer.etag,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
    };
    // RFC 9110 §13.1.2: a weak comparison; `*` matches any current representation.
    const ifNoneMatch = header(ctx.event, 'if-none-match');
    const tags = (ifNoneMatch ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (tags.includes(installer.etag) || tags.includes('*')) return { status: 304, headers };
    return { status: 200, headers, body: installer.body };
  };
}
