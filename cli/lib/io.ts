/** What a command touches outside itself, passed in so each command is testable. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export const processIo = (): Io => ({
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: Date.now,
});

/** Every message goes to stderr with one prefix, so it is clear who speaks in git's output. */
export const say = (io: Io, line: string) => io.stderr(`gitlink: ${line}\n`);

export function readStdin(limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    process.stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('input too large'));
      else chunks.push(c);
    });
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
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
