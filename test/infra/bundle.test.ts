/**
 * What ships: each function bundled exactly as CDK bundles it (infra/bundling.ts)
 * builds, and carries no sandbox or test code: no local/ or test/ module, no
 * devDependency, and not the marker string sandbox code carries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { entryFor } from '../../infra/functions';
import { functionNames } from '@shared/routes';
import { projectRoot } from './synth';

const MARKER = 'SANDBOX_MARKER_DO_NOT_SHIP';
const devDependencies = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> })
    .devDependencies ?? {},
);

describe.each([...functionNames])('bundle of %s', (name) => {
  let bundle: { js: string; inputs: string[]; shipped: string[] };

  beforeAll(async () => {
    const result = await build({ ...esbuildOptions(entryFor(name), projectRoot), write: false, metafile: true, logLevel: 'silent' });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    // Metafile input keys are relative to absWorkingDir (the project root); a leading `/`
    // lets one pattern match a top-level `test/…` as well as a nested `…/test/…`.
    // `shipped`: inputs that left bytes in the output (tree-shaken files are still listed as inputs).
    const out = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    const shipped = Object.entries(out?.inputs ?? {}).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => `/${p}`);
    bundle = { js: js?.text ?? '', inputs: Object.keys(result.metafile.inputs).map((p) => `/${p}`), shipped };
  }, 60_000);

  test('builds from its own entry', () => {
    expect(bundle.js.length).toBeGreaterThan(0);
    expect(bundle.inputs).toContain(`/functions/${name}.ts`);
  });

  test(`contains no ${MARKER}`, () => {
    expect(bundle.js).not.toContain(MARKER);
  });

  test('imports nothing from test/ or local/', () => {
    expect(bundle.inputs.filter((p) => p.includes('/test/') || p.includes('/local/'))).toEqual([]);
  });

  // `import { z } from 'zod'` pulls every zod locale (~250 KiB) into each Lambda;
  // `import * as z from 'zod'` lets esbuild drop all but the default one.
  test('ships no zod locale but the default (import zod as a namespace)', () => {
    expect(bundle.shipped.length).toBeGreaterThan(10);
    expect(bundle.shipped.filter((p) => p.includes('/zod/') && p.includes('/locales/') && !/\/locales\/(en|index)\.js$/.test(p))).toEqual([]);
  });

  test('includes no devDependency (dynalite, fast-check, aws-cdk-lib, …)', () => {
    const shipped = bundle.inputs.filter((p) => devDependencies.some((d) => p.includes(`/node_modules/${d}/`)));
    expect(shipped).toEqual([]);
  });
});
