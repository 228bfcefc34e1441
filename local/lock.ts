/**
 * One `npm start` per data dir. A second server on the same `.gitlink/` would rewrite
 * `origin` (so `npm run token` signs for the wrong port) and then crash on dynalite's
 * database lock. So the server takes `server.lock` (pid + origin) before it touches
 * any other file, and a second start stops with one line naming the running one.
 *
 * The lock is created atomically with its content (a temporary file hard-linked into
 * place: `link` fails when the name exists), so it is never seen half-written.
 * A lock whose pid is dead (a server killed with SIGKILL, a reboot) is stale and taken
 * over. A pid reused by an unrelated process looks alive: the message says which file
 * to delete then.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'server.lock';

interface LockContent {
  pid: number;
  /** Unknown while the holder is still starting. */
  origin?: string;
}

export class ServerRunning extends Error {}

export interface ServerLock {
  /** Records the origin once the server listens. */
  setOrigin(origin: string): void;
  /** Removes the lock if it is still ours. */
  release(): void;
}

function read(path: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    return Number.isInteger(parsed.pid) && parsed.pid! > 0 ? (parsed as LockContent) : undefined;
  } catch {
    return undefined; // missing or unreadable: no live holder can be named
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Writes `content` to `path` only if `path` does not exist; false if it does. */
function createExclusive(path: string, content: LockContent): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Takes the data dir's lock, or throws ServerRunning with the one line to print.
 * `dataDirLabel` is how the user named the folder (`.gitlink`), for that line.
 */
export function acquireServerLock(dataDir: string, dataDirLabel: string): ServerLock {
  const path = join(dataDir, LOCK_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    if (createExclusive(path, { pid: process.pid })) break;
    const holder = read(path);
    if (holder && alive(holder.pid)) {
      const where = holder.origin ? `at ${holder.origin}` : 'still starting';
      throw new ServerRunning(
        `a gitlink server already runs for ${dataDirLabel}/ ${where} (pid ${holder.pid}); stop it first (if it is not gitlink, delete ${join(dataDirLabel, LOCK_FILE)})`,
      );
    }
    if (attempt >= 2) throw new Error(`cannot take ${join(dataDirLabel, LOCK_FILE)}; delete it if no gitlink server runs`);
    // Stale: its server is gone. Remove it only if it is still the one just read.
    if (JSON.stringify(read(path)) === JSON.stringify(holder)) {
      try {
        unlinkSync(path);
      } catch {
        /* another starter removed it first: try again */
      }
    }
  }
  let released = false;
  return {
    setOrigin(origin) {
      // Replaced by rename, so a concurrent start never reads it half-written (and takes it for stale).
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ pid: process.pid, origin } satisfies LockContent)}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    },
    release() {
      if (released) return;
      released = true;
      if (read(path)?.pid === process.pid) unlinkSync(path);
    },
  };
}
