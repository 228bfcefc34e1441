/**
 * For the tests of the sh installer and helper (cli/sh): the shells they must
 * run under, child processes in a clean environment, and the installer run the
 * way the README says (`curl -fsSL "$GITLINK_URL/install.sh" | sh`).
 *
 * The scripts start `#!/usr/bin/env sh`, so the `sh` first on PATH runs them,
 * also when git or the installer starts them. `shellPath` makes a directory
 * whose `sh` is dash, bash (which, called `sh`, runs in POSIX mode, as where
 * /bin/sh is bash) or BusyBox (its `sh` applet, as on Alpine).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const SHELLS = ['dash', 'bash', 'busybox'] as const;
export type Shell = (typeof SHELLS)[number];

/** PATH with `sh` = `shell` first (and the Node that runs the tests, for `npm`-free setups). */
export function shellPath(tmp: string, shell: Shell): string {
  const dir = join(tmp, 'shells', shell);
  if (!existsSync(join(dir, 'sh'))) {
    mkdirSync(dir, { recursive: true });
    symlinkSync(`/usr/bin/${shell}`, join(dir, 'sh'));
  }
  return `${dir}:${process.env.PATH}`;
}

/** A PATH holding every command of `base` but `omit` (curl, to see the wget fallback). */
export function pathWithout(tmp: string, omit: string, base = process.env.PATH ?? ''): string {
  const dir = join(tmp, `without-${omit}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (const d of base.split(':').filter((p) => p && existsSync(p))) {
      for (const name of readdirSync(d)) {
        if (name !== omit && !existsSync(join(dir, name))) symlinkSync(join(d, name), join(dir, name));
      }
    }
  }
  return dir;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True if the hang guard had to kill it. */
  killed: boolean;
}

export interface Proc {
  done: Promise<Run>;
  /** The process's id: with `ownGroup`, also its process group's, as a terminal's Ctrl-C signals it. */
  pid: number;
  /** Resolves once stderr contains `text`. */
  stderrHas(text: string): Promise<void>;
}

/**
 * Runs `cmd` with only the environment given (plus a prompt-free, config-free git).
 * `exit`, not `close`: a credential-cache daemon git started may keep the pipes open.
 * `keepStdinOpen`: stdin is never ended, as a person at a terminal leaves it; `ownGroup`: the
 * command leads a process group of its own, as a shell's foreground job does.
 */
export function start(
  cmd: string,
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; stdin?: string; keepStdinOpen?: boolean; ownGroup?: boolean },
): Proc {
  const child = spawn(cmd, args, {
    detached: opts.ownGroup ?? false,
    cwd: opts.cwd ?? opts.env.HOME,
    env: {
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Coder', GIT_AUTHOR_EMAIL: 'coder@example.test',
      GIT_COMMITTER_NAME: 'Coder', GIT_COMMITTER_EMAIL: 'coder@example.test',
      ...opts.env,
    },
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c;
    for (const w of waiters.filter((x) => stderr.includes(x.text))) w.resolve();
  });
  child.stdin.on('error', () => undefined); // a child that exits before reading its input
  if (opts.keepStdinOpen) child.stdin.write(opts.stdin ?? '');
  else child.stdin.end(opts.stdin ?? '');
  const guard = setTimeout(() => child.kill('SIGKILL'), 25_000); // a hang guard, not a timing assertion
  const done = new Promise<Run>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      child.stdin.destroy();
      // Let the last output events arrive before reporting.
      setImmediate(() => resolve({ code, stdout, stderr, killed: signal === 'SIGKILL' }));
    }),
  );
  return {
    done,
    pid: child.pid!,
    stderrHas: (text) => (stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

export const run = (cmd: string, args: string[], opts: Parameters<typeof start>[2]) => start(cmd, args, opts).done;

export const ok = (r: Run): Run => {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
};

/** The README's one-liner, under the `sh` first on `env.PATH`. */
export const install = (env: Record<string, string>) => run('sh', ['-c', 'curl -fsSL "$GITLINK_URL/install.sh" | sh'], { env });

/** Stops the credential-cache daemon git started for this HOME (if any). */
export const stopCredentialCache = (env: Record<string, string>) => run('git', ['credential-cache', 'exit'], { env });

/** Where `install` puts the helper. */
export const installedHelper = (home: string) => join(home, '.local', 'bin', 'git-credential-gitlink');
export const installedCli = (home: string) => join(home, '.local', 'bin', 'gitlink');
