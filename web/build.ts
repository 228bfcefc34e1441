/**
 * Builds the web UI into web/dist (or `--outdir DIR`) with esbuild:
 *
 *   index.html                      the page; the ui function injects the OIDC config and serves it no-store
 *   assets/app-<hash>.js, .css      hashed, so the ui function serves them with a year-long immutable cache
 *   assets/<icon>-<hash>.svg        provider icons and the logo (our own SVG files, no third-party requests)
 *
 * `npm run build:web` runs it; `npm start` runs it first; the browser tests and the
 * ui Lambda's bundling (infra/functions.ts, afterBundling) call it too.
 *
 * Safe to run concurrently into the same directory (two jest workers): every file is
 * written to a temporary name and renamed into place, index.html last, and identical
 * sources give identical hashed names. Files of older builds are removed afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const webRoot = __dirname;
export const defaultOutdir = join(webRoot, 'dist');

export interface WebBuild {
  outdir: string;
  /** Paths relative to outdir, `/`-separated: `index.html`, `assets/app-XXXX.js`, … */
  files: string[];
  /** Gzipped bytes of all JavaScript (the budget: under 100 KB). */
  jsGzipBytes: number;
  jsBytes: number;
}

function writeAtomic(path: string, data: string | Uint8Array) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 8)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function listFiles(dir: string, base = dir): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split('\\').join('/')]));
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export async function buildWeb(opts: { outdir?: string } = {}): Promise<WebBuild> {
  const outdir = resolve(opts.outdir ?? defaultOutdir);
  const result = await build({
    absWorkingDir: webRoot,
    entryPoints: ['src/main.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Evergreen browsers: <dialog>, optional chaining, top-level await are all native.
    target: ['chrome111', 'firefox115', 'safari16.4'],
    minify: true,
    // No source maps shipped: the UI is small and its source is public in the repository.
    sourcemap: false,
    legalComments: 'none',
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    publicPath: '/assets',
    loader: { '.svg': 'file' },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });

  const files: string[] = [];
  let js = '';
  let css = '';
  let favicon = '';
  let jsBytes = 0;
  let jsGzipBytes = 0;
  for (const f of result.outputFiles) {
    const rel = relative(outdir, f.path).split('\\').join('/');
    writeAtomic(f.path, f.contents);
    files.push(rel);
    if (rel.endsWith('.js')) {
      jsBytes += f.contents.length;
      jsGzipBytes += gzipSync(f.contents, { level: 9 }).length;
      if (/^assets\/main-/.test(rel)) js = `/${rel}`;
    }
    if (rel.endsWith('.css')) css = `/${rel}`;
    if (/^assets\/gitlink-[A-Z0-9]+\.svg$/.test(rel)) favicon = `/${rel}`;
  }
  if (!js || !css || !favicon) throw new Error(`web build: missing an output (js=${js} css=${css} favicon=${favicon})`);

  const template = readFileSync(join(webRoot, 'index.html'), 'utf8');
  const html = template
    .replace('<!--gitlink:head-->', [
      `<link rel="icon" type="image/svg+xml" href="${escapeAttr(favicon)}">`,
      `<link rel="stylesheet" href="${escapeAttr(css)}">`,
      `<script type="module" src="${escapeAttr(js)}"></script>`,
    ].join('\n  '));
  if (html === template) throw new Error('web build: index.html has no <!--gitlink:head--> marker');
  writeAtomic(join(outdir, 'index.html'), html);
  files.push('index.html');

  // Drop what older builds left behind (other hashes); never what this build wrote.
  const keep = new Set(files);
  for (const rel of listFiles(outdir)) {
    if (!keep.has(rel) && !rel.endsWith('.tmp')) rmSync(join(outdir, rel), { force: true });
  }
  return { outdir, files: files.sort(), jsBytes, jsGzipBytes };
}

if (require.main === module) {
  const i = process.argv.indexOf('--outdir');
  const outdir = i > 0 ? process.argv[i + 1] : undefined;
  buildWeb(outdir ? { outdir } : {})
    .then((b) => {
      process.stdout.write(`web: ${b.files.length} files in ${relative(process.cwd(), b.outdir) || '.'} (JS ${(b.jsBytes / 1024).toFixed(1)} KB, ${(b.jsGzipBytes / 1024).toFixed(1)} KB gzipped)\n`);
    })
    .catch((e: Error) => {
      process.stderr.write(`web build failed: ${e.message}\n`);
      process.exit(1);
    });
}
