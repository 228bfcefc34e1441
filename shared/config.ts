/**
 * Every environment variable gitlink reads is read here, validated with zod at
 * cold start, and fails fast with a message naming the variable.
 */
import * as z from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const schema = z.object({
  /** `aws` in Lambda; `local` under `npm start` and the tests. The dev issuer refuses anything but `local`. */
  GITLINK_MODE: z.enum(['aws', 'local']).default('aws'),
  TABLE_NAME: z.string().min(1).default('gitlink'),
  /** KMS key ids/ARNs (AWS backend). */
  TOKEN_KEY_ID: z.string().min(1).optional(),
  SIGNING_KEY_ID: z.string().min(1).optional(),
  /** `aws`: KMS and Secrets Manager. `embedded`: the key file and secrets file under GITLINK_DATA_DIR. */
  GITLINK_CRYPTO: z.enum(['aws', 'embedded']).default('aws'),
  GITLINK_DATA_DIR: z.string().default('.gitlink'),
  /** Overrides every AWS endpoint (LocalStack, moto, dynalite). The SDK also reads it itself. */
  AWS_ENDPOINT_URL: z.url().optional(),
  /** Overrides only DynamoDB's endpoint (dynalite under `npm start`). */
  AWS_ENDPOINT_URL_DYNAMODB: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** The public origin, e.g. `https://git.example.com`. Unset in AWS without a custom domain:
   *  then the origin is `https://{requestContext.domainName}` (ARCHITECTURE.md §6). */
  PUBLIC_URL: z.url().optional(),
  ADMIN_GROUP_CLAIM: z.string().min(1).default('cognito:groups'),
  ADMIN_GROUP: z.string().min(1).default('gitlink-admins'),
  /** OIDC settings the web UI needs to sign in (served to the browser; none is secret). */
  OIDC_ISSUER: z.string().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  /** Origins besides the issuer's that the browser calls while signing in (space-separated), for the
   *  UI's Content-Security-Policy. Cognito: the hosted UI domain, which serves the token endpoint. */
  OIDC_EXTRA_ORIGINS: z.string().regex(/^\s*(https?:\/\/[^\s/]+\/?\s*)*$/, 'space-separated origins, e.g. https://login.example.com').optional(),
  /** The custom EventBridge bus for lifecycle events (docs/events.md). Unset: the in-process bus (local mode). */
  EVENT_BUS_NAME: z.string().min(1).max(256).optional(),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  /** Provider HTTP timeout in ms (the issue asks for 10 s). */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** One AWS SDK attempt (KMS, Secrets Manager, DynamoDB, EventBridge) is cut after this many ms
   *  without an answer; each call makes at most 3 attempts (shared/aws/policy.ts, docs/FAULTS.md). */
  AWS_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /** Secrets cache TTL in ms. */
  SECRETS_CACHE_MS: z.coerce.number().int().nonnegative().default(300_000),
  /** Allow http:// provider base URLs on loopback hosts (local mode only). */
  ALLOW_HTTP_LOOPBACK: bool,
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`gitlink configuration is invalid: ${problems}`);
  }
  const c = parsed.data;
  if (c.GITLINK_CRYPTO === 'aws' && (!c.TOKEN_KEY_ID || !c.SIGNING_KEY_ID)) {
    throw new Error('gitlink configuration is invalid: TOKEN_KEY_ID and SIGNING_KEY_ID are required when GITLINK_CRYPTO=aws');
  }
  if (c.ALLOW_HTTP_LOOPBACK && c.GITLINK_MODE !== 'local') {
    throw new Error('gitlink configuration is invalid: ALLOW_HTTP_LOOPBACK is only allowed with GITLINK_MODE=local');
  }
  return c;
}

/**
 * `LOG_LEVEL` alone, for the logger, which starts at import and must log even when the rest
 * of the configuration is invalid (that is what it reports). An invalid value logs at INFO
 * here and still fails `loadConfig`.
 */
export const logLevel = (env: NodeJS.ProcessEnv = process.env): Config['LOG_LEVEL'] => schema.shape.LOG_LEVEL.catch('INFO').parse(env.LOG_LEVEL);

/** Inside Lambda (the runtime sets the function name): for writers that must stay silent elsewhere, config valid or not. */
export const inLambda = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.AWS_LAMBDA_FUNCTION_NAME;

let cached: Config | undefined;
/** The process config, parsed once. */
export function config(): Config {
  return (cached ??= loadConfig());
}
/** For tests that change the environment between cases. */
export function resetConfig(): void {
  cached = undefined;
}
