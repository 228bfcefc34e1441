/**
 * The repository documents itself: no tracked file may point at documents a
 * clone does not have (design notes kept beside the repository, or any path
 * that climbs out of it), and every ARCHITECTURE.md section a comment cites exists.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f && !/\.(png|jpg|gz|ico|woff2?)$/.test(f) && f !== 'package-lock.json');
const text = (f: string) => {
  try {
    return readFileSync(join(ROOT, f), 'utf8');
  } catch {
    return ''; // listed but absent (a deletion not committed yet)
  }
};

/** The stems of the markdown documents the repository has (README, SECURITY, ARCHITECTURE, …). */
const docs = new Set(tracked.filter((f) => f.endsWith('.md')).map((f) => f.slice(f.lastIndexOf('/') + 1, -'.md'.length)));

test('every document a tracked file names (an upper-case name before .md or a section sign) is one the repository has', () => {
  const hits: string[] = [];
  for (const f of tracked) {
    for (const m of text(f).matchAll(/\b([A-Z][A-Z_-]{3,})(?:\.md\b|\s§)/g)) if (!docs.has(m[1]!)) hits.push(`${f}: ${m[0]}`);
  }
  expect(hits).toEqual([]);
});

test('no relative path in a tracked file climbs out of the repository to a shared folder', () => {
  const hits: string[] = [];
  for (const f of tracked) {
    for (const m of text(f).matchAll(/((?:\.\.\/)+)shared\b/g)) {
      const target = resolve(ROOT, dirname(f), m[1]!, 'shared');
      if (relative(ROOT, target).startsWith('..')) hits.push(`${f}: ${m[0]}`);
    }
  }
  expect(hits).toEqual([]);
});

test('every ARCHITECTURE.md section a file cites exists in docs/ARCHITECTURE.md', () => {
  const sections = new Set([...text('docs/ARCHITECTURE.md').matchAll(/^## (§\w+)/gm)].map((m) => m[1]));
  const cited = new Set(tracked.flatMap((f) => [...text(f).matchAll(/ARCHITECTURE\.md (§\w+)/g)].map((m) => m[1])));
  expect(cited.size).toBeGreaterThan(5);
  expect([...cited].filter((s) => !sections.has(s))).toEqual([]);
});

test('the README links the architecture and the deploy guide, and both exist', () => {
  const readme = text('README.md');
  for (const doc of ['docs/ARCHITECTURE.md', 'docs/DEPLOY.md']) {
    expect(readme).toContain(`](${doc})`);
    expect(tracked).toContain(doc);
  }
});
