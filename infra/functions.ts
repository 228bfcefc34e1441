/**
 * Functions: one NodejsFunction per name in `functionNames` (shared/routes.ts),
 * all built from one settings object, each with its own role holding only the
 * grants of its `functionNeeds` row.
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionNames, functionNeeds, type FunctionName } from '@shared/routes';
import { bundling, runtime } from './bundling';
import type { GitlinkContext } from './context';
import { grantNeeds } from './grants';
import type { Identity } from './identity';

const projectRoot = path.join(__dirname, '..');

/** `functions/<name>.ts`: the handler file of a function (ARCHITECTURE.md §7). */
export const entryFor = (name: FunctionName): string => path.join(projectRoot, 'functions', `${name}.ts`);

/**
 * The `ui` function ships the web UI beside its handler. After esbuild has bundled
 * functions/ui.ts, the web build (web/build.ts) writes index.html and the hashed
 * assets into the asset's `web/` folder, where shared/ui/assets.ts looks first.
 * Building here, rather than copying a web/dist that may be stale or missing, makes
 * `cdk synth`/`cdk deploy` work from a fresh clone, offline, and ships the UI of the
 * same commit as the handler. The asset hash covers the output, so a UI change deploys.
 * The environment installer's scripts (cli/sh, served at GET /install.sh) go to `sh/`.
 */
export const uiBundling: BundlingOptions = {
  ...bundling,
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `"${inputDir}/node_modules/.bin/tsx" "${inputDir}/web/build.ts" --outdir "${outputDir}/web"`,
      `mkdir -p "${outputDir}/sh" && cp -R "${inputDir}/cli/sh/." "${outputDir}/sh/"`,
    ],
  },
};

export interface FunctionsProps {
  ctx: GitlinkContext;
  table: ITable;
  tokenKey: IKey;
  signingKey: IKey;
  bus: IEventBus;
  identity: Identity;
  /** The public origin with a trailing slash (the API's URL). Only the scheduled refresh gets it:
   *  it is behind no route, so the API does not depend on it and there is no cycle. */
  publicUrl: string;
}

export class Functions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { ctx, identity } = props;

    // Never the API's own URL: the API depends on the functions, so that would be a
    // CloudFormation cycle. Without a domain, functions use requestContext.domainName (ARCHITECTURE.md §6).
    const environment: Record<string, string> = {
      TABLE_NAME: props.table.tableName,
      TOKEN_KEY_ID: props.tokenKey.keyArn,
      SIGNING_KEY_ID: props.signingKey.keyArn,
      EVENT_BUS_NAME: props.bus.eventBusName,
      GITLINK_MODE: 'aws',
      GITLINK_CRYPTO: 'aws',
      ADMIN_GROUP_CLAIM: ctx.adminGroupClaim,
      ADMIN_GROUP: ctx.adminGroup,
      OIDC_ISSUER: identity.issuer,
      OIDC_CLIENT_ID: identity.clientId,
      ...(ctx.domain ? { PUBLIC_URL: ctx.domain } : {}),
      NODE_OPTIONS: '--enable-source-maps',
    };

    // Origins the UI's CSP allows besides the issuer's: Cognito's token endpoint is on its hosted-UI
    // domain, not on the issuer; an external issuer's may be elsewhere too (context oidcExtraOrigins).
    const extraOrigins = [...(identity.domain ? [identity.domain.baseUrl()] : []), ...props.ctx.oidcExtraOrigins];
    const byName = {} as Record<FunctionName, NodejsFunction>;
    for (const name of functionNames) {
      // An own role per function instead of the shared AWSLambdaBasicExecutionRole
      // managed policy: it may write to its own log group only.
      const role = new Role(this, `${name}-role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `gitlink ${name} function`,
      });
      const logGroup = new LogGroup(this, `${name}-logs`, { retention: RetentionDays.ONE_MONTH });
      logGroup.grantWrite(role);

      const ui = name === 'ui';
      const scheduled = name === 'refresh-scheduler';
      const fn = new NodejsFunction(this, name, {
        entry: entryFor(name),
        handler: 'handler',
        description: `gitlink ${name}`,
        runtime,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        // Below the HTTP API's 30 s integration limit, so the function's own error wins the race.
        // The scheduled refresh answers no request: it works in batches for up to 5 minutes.
        timeout: scheduled ? Duration.minutes(5) : Duration.seconds(29),
        role,
        logGroup,
        environment: ui && extraOrigins.length
          ? { ...environment, OIDC_EXTRA_ORIGINS: extraOrigins.join(' ') }
          : scheduled && !ctx.domain
            ? { ...environment, PUBLIC_URL: props.publicUrl }
            : environment,
        bundling: ui ? uiBundling : bundling,
        projectRoot,
        depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      });
      grantNeeds(role, functionNeeds[name], props);
      byName[name] = fn;
    }
    this.byName = byName;
  }
}
