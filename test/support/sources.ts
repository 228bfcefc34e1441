/** The repository's own TypeScript sources, read from disk, for tests that check the code's shape. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

/** Every `.ts` file under `dirs` (repo-relative, `/`-separated), skipping build output and dependencies. */
export function sourceFiles(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(repoRoot, p).split(sep).join('/'));
    }
  };
  for (const d of dirs) walk(join(repoRoot, d));
  return out.sort();
}

export const readSource = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');
