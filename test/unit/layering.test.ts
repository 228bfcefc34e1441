/**
 * Layering, from the imports in the source: `web/` and `cli/` reach `shared/` only through
 * `shared/contract/` (pure data that crosses the server/browser/CLI boundary), and the
 * folders of `shared/` import each other without cycles (so each can be read, and tested,
 * from the bottom up).
 */
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { readSource, repoRoot, sourceFiles } from '../support/sources';

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
    // A relative import into shared/, as web/src files could write one.
    const relativeSpec = ['..', '..', 'shared', 'links', 'start'].join('/');
    expect(importsOf('web/src/x.ts', `import type { B } from '${relativeSpec}';`)).toEqual(['shared/links/start']);
  });
});

/** Re-exports kept so old import paths still compile: an edge to one is an edge to its target. */
const aliases: Record<string, string> = { 'shared/http/errors': 'shared/errors' };

/** The module a resolved import names: `x.ts`, or `x/index.ts` for a folder. */
function moduleOf(target: string): string {
  const t = aliases[target] ?? target;
  return existsSync(join(repoRoot, `${t}.ts`)) ? t : `${t}/index`;
}

/** `shared/env/hosts` → `env`; a file directly in shared/ is its own node (`config.ts` → `config.ts`). */
const folderOf = (module: string): string => {
  const parts = module.split('/');
  return parts.length > 2 ? parts[1]! : `${parts[1]}.ts`;
};

/** Folder → the folders it imports, with one example import per edge (for the failure message). */
export function folderGraph(files: Array<{ file: string; text: string }>): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const { file, text } of files) {
    const from = folderOf(file.replace(/\.ts$/, ''));
    for (const target of importsOf(file, text).filter((t) => t.startsWith('shared/'))) {
      const to = folderOf(moduleOf(target));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, `${file} → ${target}`);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan): each is an import cycle. */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('no import cycles between shared/ folders', () => {
  const shared = sourceFiles(['shared']).map((file) => ({ file, text: readSource(file) }));
  const graph = folderGraph(shared);

  test('the graph sees the folders and their imports (it is not vacuous)', () => {
    expect(graph.get('http')?.has('auth')).toBe(true);
    expect(graph.get('env')?.has('credentials')).toBe(true);
    expect(graph.get('links')?.has('providers')).toBe(true);
  });

  test('the folder graph has no cycle', () => {
    // On failure: each cycle with one import per edge, to see which import to move.
    const found = cycles(graph).map((scc) => scc.flatMap((a) => scc.filter((b) => graph.get(a)?.has(b)).map((b) => graph.get(a)!.get(b)!)));
    expect(found).toEqual([]);
  });

  test('a new back-edge is caught', () => {
    const withBackEdge = [...shared, { file: 'shared/credentials/zz-back-edge.ts', text: "import { unlink } from '../links/unlink';" }];
    expect(cycles(folderGraph(withBackEdge))).toContainEqual(expect.arrayContaining(['credentials', 'links']));
  });
});
