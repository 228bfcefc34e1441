/**
 * `gitlink ssh-key`: fetches the developer's key pair (`GET /v1/env/ssh-key`),
 * writes `~/.ssh/gitlink_ed25519` (0600) and its `.pub`, and adds an
 * `IdentityFile` line for each provider's SSH host to `~/.ssh/config`.
 * Running it again changes nothing unless the key changed (after a rotation).
 */
import type { EnvSshKeyAnswer } from '@shared/contract/api';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, describeFailure } from './api';
import { CliError, loadConfig } from './config';
import { say, type Io } from './io';
import { addIdentityFiles } from './ssh-config';

export const KEY_NAME = 'gitlink_ed25519';

/** Writes through a temp file and a rename, so a reader never sees half a key. */
function writeIfChanged(path: string, content: string, mode: number): boolean {
  const same = existsSync(path) && readFileSync(path, 'utf8') === content;
  if (same) {
    chmodSync(path, mode); // a key someone loosened is tightened again
    return false;
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
  return true;
}

export async function runSshKey(io: Io): Promise<number> {
  try {
    const config = loadConfig(io.env);
    const a = await call<EnvSshKeyAnswer>(config, 'GET', '/v1/env/ssh-key');
    const body = a.json ?? {};
    if (a.status !== 200 || typeof body.privateKey !== 'string' || typeof body.publicKey !== 'string') {
      throw new CliError(describeFailure(a));
    }
    const home = io.env.HOME || io.env.USERPROFILE;
    if (!home) throw new CliError('HOME is not set');
    const dir = join(home, '.ssh');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyPath = join(dir, KEY_NAME);
    const privateKey = body.privateKey.endsWith('\n') ? body.privateKey : `${body.privateKey}\n`;
    report(io, keyPath, writeIfChanged(keyPath, privateKey, 0o600));
    report(io, `${keyPath}.pub`, writeIfChanged(`${keyPath}.pub`, `${body.publicKey.trim()}\n`, 0o644));

    const hosts = Array.isArray(body.sshHosts) ? body.sshHosts.filter((h): h is string => typeof h === 'string') : [];
    const configPath = join(dir, 'config');
    const before = existsSync(configPath) ? readFileSync(configPath, 'utf8') : '';
    const edit = addIdentityFiles(before, hosts, keyPath, home);
    if (edit.added.length) {
      writeIfChanged(configPath, edit.text, 0o600);
      for (const h of edit.added) io.stdout(`added IdentityFile ${keyPath} for Host ${h} to ${configPath}\n`);
    } else {
      io.stdout(`unchanged ${configPath}${hosts.length ? '' : ' (no provider serves git over SSH)'}\n`);
    }
    if (typeof body.fingerprint === 'string') io.stdout(`key fingerprint ${body.fingerprint}\n`);
    return 0;
  } catch (e) {
    say(io, e instanceof CliError ? e.message : `failed: ${(e as Error).message}`);
    return 1;
  }
}

function report(io: Io, path: string, changed: boolean) {
  io.stdout(`${changed ? 'wrote' : 'unchanged'} ${path}\n`);
}
