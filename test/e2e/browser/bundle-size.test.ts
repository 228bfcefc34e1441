/**
 * Issue 6 budget: the web UI's JavaScript stays under 100 KB gzipped, and the
 * page loads nothing from anywhere but its own /assets/ (no CDN, no web font).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb, type WebBuild } from '../../../web/build';

let out: WebBuild;
beforeAll(async () => {
  out = await buildWeb({ outdir: mkdtempSync(join(tmpdir(), 'gitlink-web-')) });
}, 60_000);
afterAll(() => rmSync(out.outdir, { recursive: true, force: true }));

describe('web UI budget', () => {
  test('total JavaScript is under 100 KB gzipped', () => {
    expect(out.jsGzipBytes).toBeGreaterThan(0);
    expect(out.jsGzipBytes).toBeLessThan(100 * 1024);
  });

  test('index.html references only hashed files under /assets/', () => {
    const html = readFileSync(join(out.outdir, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => r !== '#main')).toEqual(refs.filter((r) => /^\/assets\/[\w.-]+-[A-Z2-7]{8}\.(js|css|svg)$/.test(r)));
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script: the CSP forbids it
    expect(out.files).toContain('index.html');
  });

  test('the stylesheet pulls in nothing remote', () => {
    const css = out.files.filter((f) => f.endsWith('.css')).map((f) => readFileSync(join(out.outdir, f), 'utf8')).join('\n');
    expect(css).not.toMatch(/@import|url\(\s*['"]?https?:/);
  });
});
