/**
 * The one set of build settings for every Lambda. CDK's
 * NodejsFunction and test/infra/bundle.test.ts both read these, so the bundle
 * the test inspects is built like the one that ships.
 */
import type { BuildOptions } from 'esbuild';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The newest Node runtime this aws-cdk-lib knows; NODEJS_LATEST is avoided because it drifts between deploys. */
export const runtime = Runtime.NODEJS_24_X;
/** esbuild target matching `runtime`, so no syntax is down-levelled for an older Node. */
export const nodeTarget = 'node24';

const CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
/** Relative to the project root, where CDK runs esbuild (an alias resolves from the working directory). */
const LAMBDA_CREDENTIALS = 'shared/aws/lambda-credentials.ts';

export const bundling = {
  minify: true,
  sourceMap: true,
  // The map only has to turn minified stack traces into file:line (NODE_OPTIONS=--enable-source-maps);
  // embedding every source file in it would double the asset for nothing.
  sourcesContent: false,
  target: nodeTarget,
  format: OutputFormat.CJS,
  // Bundle the AWS SDK too (the default for Node 18+ would mark `@aws-sdk/*` external and
  // use the runtime's copy). Pinned by package-lock, the SDK that ships is the one the tests
  // ran against, and a runtime SDK update cannot change behaviour under us. Cost: a larger
  // bundle; only the three clients gitlink imports are included, so it stays small.
  externalModules: [] as string[],
  // ES modules first: the SDK's dist-cjs files are one pre-bundled file per package, which
  // esbuild cannot tree-shake (every command, error class and browser-only helper ships);
  // their dist-es files can. Measured by `npm run bench` (README, Performance).
  mainFields: ['module', 'main'],
  // Lambda gives the role's credentials in the environment; the SDK's default chain
  // (SSO, ini files, STS web identity, IMDS, …) never answers there (shared/aws/lambda-credentials.ts).
  esbuildArgs: { [`--alias:${CREDENTIAL_CHAIN}`]: `./${LAMBDA_CREDENTIALS}` },
  // There is no Docker here or in CI: esbuild from node_modules builds every asset.
  forceDockerBundling: false,
} satisfies BundlingOptions;

/** The same build for esbuild's JS API (used by the bundle test). `entry` is absolute or relative to `absWorkingDir`. */
export function esbuildOptions(entry: string, absWorkingDir: string): BuildOptions {
  return {
    absWorkingDir,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: 'cjs',
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    external: bundling.externalModules,
    mainFields: bundling.mainFields,
    alias: { [CREDENTIAL_CHAIN]: `./${LAMBDA_CREDENTIALS}` },
    outfile: 'index.js',
  };
}
