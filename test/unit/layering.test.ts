/**
 * Layering, from the imports in the source: `web/` and `cli/` reach `shared/` only through
 * `shared/contract/` (pure data that crosses the server/browser/CLI boundary).
 */
import { dirname, join, normalize } from 'node:path';
import { readSource, sourceFiles } from '../support/sources';

/** Repo-relative paths (without extension) of the modules a file imports from inside the repo. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  // `import … from 'x'`, `export … from 'x'`, `import('x')`, `require('x')`, side-effect `import 'x'`.
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1]!;
    if (spec.startsWith('@shared/')) out.push(`shared/${spec.slice('@shared/'.length)}`);
    else if (spec.startsWith('.')) out.push(normalize(join(dirname(file), spec)).split('\\').join('/'));
  }
  return out;
}

const clientFiles = sourceFiles(['web', 'cli']);

describe('web/ and cli/ import shared/ only through shared/contract/', () => {
  test('the scan sees the clients importing the contract (it is not vacuous)', () => {
    const targets = clientFiles.flatMap((f) => importsOf(f, readSource(f)));
    expect(targets).toContain('shared/contract/errors');
    expect(targets).toContain('shared/contract/api');
  });

  test('no other shared/ module is imported from web/ or cli/', () => {
    const offending = clientFiles.flatMap((file) =>
      importsOf(file, readSource(file))
        .filter((t) => t.startsWith('shared/') && !t.startsWith('shared/contract/'))
        .map((target) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  test('the rule catches both import spellings', () => {
    expect(importsOf('cli/lib/x.ts', "import { a } from '@shared/env/hosts';")).toEqual(['shared/env/hosts']);
    expect(importsOf('web/src/x.ts', "import type { B } from '../../shared/links/start';")).toEqual(['shared/links/start']);
  });
});
