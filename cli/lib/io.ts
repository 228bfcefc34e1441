import { stripControls } from '@shared/contract/text';

/** What a command touches outside itself, passed in so each command is testable. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/**
 * A reader that went away (`gitlink setup | head`) makes the next write fail with
 * EPIPE, emitted on the stream: without a listener Node prints a stack trace and
 * exits mid-command. Node ignores SIGPIPE, so the shell's quiet death is ours to
 * provide. The command finishes its work (a half-done `setup` helps nobody); the
 * output nobody reads is dropped.
 */
const closed = new Set<NodeJS.WriteStream>();
function guard(stream: NodeJS.WriteStream) {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed.add(stream);
  });
}
const writeTo = (stream: NodeJS.WriteStream) => {
  guard(stream);
  return (text: string) => {
    if (!closed.has(stream)) stream.write(text);
  };
};

export const processIo = (): Io => ({
  env: process.env,
  stdout: writeTo(process.stdout),
  stderr: writeTo(process.stderr),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: Date.now,
});

/** Every message goes to stderr with one prefix, so it is clear who speaks in git's output. */
export const say = (io: Io, line: string) => io.stderr(`gitlink: ${stripControls(line)}\n`);

/**
 * Reads git's credential attributes from `input` (stdin): up to and including
 * the first blank line, or to end of input, whichever comes first. git-credential(1)
 * "INPUT/OUTPUT FORMAT": "The list of attributes is terminated by a blank line
 * or end-of-file." A caller may write `…\n\n` and keep its end of the pipe open
 * while it waits for our answer, so waiting for EOF alone would hang both sides.
 * Once the list is complete the stream is released (destroyed), so it no longer
 * keeps the process alive; whatever follows the blank line is not ours to read.
 */
export function readStdin(limit = 64 * 1024, input: NodeJS.ReadableStream & { destroy?(): void } = process.stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
      input.destroy?.();
      fn();
    };
    const text = () => Buffer.concat(chunks).toString('utf8');
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      size += b.length;
      chunks.push(b);
      const all = Buffer.concat(chunks);
      // A blank line: the input starts with one, or a line ends right after another.
      const end = all[0] === 0x0a ? 0 : all.indexOf('\n\n');
      if (end >= 0) {
        const list = all.subarray(0, end === 0 ? 0 : end + 2).toString('utf8');
        if (end > limit) return finish(() => reject(new Error('input too large')));
        return finish(() => resolve(list));
      }
      if (size > limit) finish(() => reject(new Error('input too large')));
    };
    const onEnd = () => finish(() => resolve(text()));
    const onError = (e: Error) => finish(() => reject(e));
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
  });
}

export function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
