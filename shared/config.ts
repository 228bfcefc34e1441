/**
 * Every environment variable gitlink reads is read here, validated with zod at
 * cold start, and fails fast with a message naming the variable.
 */
import * as z from './zod';

const bool = z.pipe(
  z.optional(z.enum(['1', '0', 'true', 'false', ''])),
  z.transform((v) => v === '1' || v === 'true'),
);

const nonEmpty = () => z.string().check(z.minLength(1));

const schema = z.object({
  /** `aws` in Lambda; `local` under `npm start` and the tests. The dev issuer refuses anything but `local`. */
  GITLINK_MODE: z._default(z.enum(['aws', 'local']), 'aws'),
  TABLE_NAME: z._default(nonEmpty(), 'gitlink'),
  /** KMS key ids/ARNs (AWS backend). */
  TOKEN_KEY_ID: z.optional(nonEmpty()),
  SIGNING_KEY_ID: z.optional(nonEmpty()),
  /** `aws`: KMS and Secrets Manager. `embedded`: the key file and secrets file under GITLINK_DATA_DIR. */
  GITLINK_CRYPTO: z._default(z.enum(['aws', 'embedded']), 'aws'),
  GITLINK_DATA_DIR: z._default(z.string(), '.gitlink'),
  /** Overrides every AWS endpoint (LocalStack, moto, dynalite). The SDK also reads it itself. */
  AWS_ENDPOINT_URL: z.optional(z.url()),
  /** Overrides only DynamoDB's endpoint (dynalite under `npm start`). */
  AWS_ENDPOINT_URL_DYNAMODB: z.optional(z.url()),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** The public origin, e.g. `https://git.example.com`. Unset in AWS without a custom domain:
   *  then the origin is `https://{requestContext.domainName}` (ARCHITECTURE.md §6). */
  PUBLIC_URL: z.optional(z.url()),
  ADMIN_GROUP_CLAIM: z._default(nonEmpty(), 'cognito:groups'),
  ADMIN_GROUP: z._default(nonEmpty(), 'gitlink-admins'),
  /** OIDC settings the web UI needs to sign in (served to the browser; none is secret). */
  OIDC_ISSUER: z.optional(z.string()),
  OIDC_CLIENT_ID: z.optional(z.string()),
  /** Origins besides the issuer's that the browser calls while signing in (space-separated), for the
   *  UI's Content-Security-Policy. Cognito: the hosted UI domain, which serves the token endpoint. */
  OIDC_EXTRA_ORIGINS: z.optional(z.string().check(z.regex(/^\s*(https?:\/\/[^\s/]+\/?\s*)*$/, 'space-separated origins, e.g. https://login.example.com'))),
  /** The custom EventBridge bus for lifecycle events (docs/events.md). Unset: the in-process bus (local mode). */
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /** Provider HTTP timeout in ms (the issue asks for 10 s). */
  PROVIDER_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 10_000),
  /** One AWS SDK attempt (KMS, Secrets Manager, DynamoDB, EventBridge) is cut after this many ms
   *  without an answer; each call makes at most 3 attempts (shared/aws/policy.ts, docs/FAULTS.md). */
  AWS_REQUEST_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 3_000),
  /** Secrets cache TTL in ms. */
  SECRETS_CACHE_MS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 300_000),
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
export const logLevel = (env: NodeJS.ProcessEnv = process.env): Config['LOG_LEVEL'] => z.catch(schema.shape.LOG_LEVEL, 'INFO').parse(env.LOG_LEVEL);

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
