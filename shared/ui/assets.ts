/**
 * The built web UI (web/dist), read into memory once per container.
 *
 * Where it is:
 * - in the `ui` Lambda, `web/` beside the bundle's index.js (infra/functions.ts copies
 *   the build there in `afterBundling`);
 * - under `npm start` and the tests, `web/dist` in the repository (`npm run build:web`).
 * Locally the files are re-read when index.html changes, so a rebuild needs no restart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Asset {
  body: Buffer;
  contentType: string;
  /** Content-hashed file name (`main-AB12CD34.js`): safe to cache for a year. */
  immutable: boolean;
  /** Precompressed body, for clients that accept gzip (HTTP APIs do not compress). */
  gzip?: Buffer;
}

export interface WebAssets {
  dir: string;
  /** index.html as built, before the config is injected. */
  indexHtml: string;
  /** By path under /assets/, e.g. `main-AB12CD34.js`. */
  files: Map<string, Asset>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export const contentTypeFor = (name: string): string => TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

/** esbuild's `[name]-[hash]` names: 8 base32 characters before the extension. */
export const isHashedName = (name: string): boolean => /-[A-Z2-7]{8}\.[a-z0-9]+$/.test(name);

const COMPRESSIBLE = /^(text\/|image\/svg\+xml|application\/json)/;

/**
 * Directories the build may be in, nearest first. `here` is the handler's directory:
 * the bundle's in Lambda (`web/` beside index.js), `functions/` in the repository (`../web/dist`).
 */
export function candidateDirs(here: string): string[] {
  return [join(here, 'web'), join(here, '..', 'web', 'dist')];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

export function readAssets(dir: string): WebAssets {
  const indexHtml = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = new Map<string, Asset>();
  const assetsDir = join(dir, 'assets');
  for (const path of existsSync(assetsDir) ? walk(assetsDir) : []) {
    if (path.endsWith('.tmp')) continue; // a concurrent build's half-written file
    const name = relative(assetsDir, path).split(sep).join('/');
    const body = readFileSync(path);
    const contentType = contentTypeFor(name);
    const gzip = COMPRESSIBLE.test(contentType) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
    files.set(name, { body, contentType, immutable: isHashedName(name), ...(gzip ? { gzip } : {}) });
  }
  return { dir, indexHtml, files };
}

export interface AssetLoader {
  /** The assets, or undefined when the UI was never built. */
  get(): WebAssets | undefined;
}

/** `watch`: re-read when index.html changes (local mode); otherwise read once and keep. */
export function assetLoader(opts: { dirs: string[]; watch: boolean }): AssetLoader {
  let cached: { assets: WebAssets; mtime: number } | undefined;
  return {
    get() {
      if (cached && !opts.watch) return cached.assets;
      const dir = opts.dirs.find((d) => existsSync(join(d, 'index.html')));
      if (!dir) return undefined;
      const mtime = statSync(join(dir, 'index.html')).mtimeMs;
      if (!cached || cached.assets.dir !== dir || cached.mtime !== mtime) cached = { assets: readAssets(dir), mtime };
      return cached.assets;
    },
  };
}
