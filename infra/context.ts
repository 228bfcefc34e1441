/**
 * CDK context, read and validated once (the CDK twin of shared/config.ts).
 * `-c key=value` on the CLI always arrives as a string, so booleans and lists
 * are parsed from strings too; an empty string means "unset".
 */
import type { Node } from 'constructs';

export interface GitlinkContext {
  /** Public origin with a custom domain, e.g. `https://git.example.com`. Becomes PUBLIC_URL. */
  domain?: string;
  /** ACM certificate (in the stack's region) for `domain`; required with it: the stack maps the domain to the API. */
  certificateArn?: string;
  /** External OIDC issuer; when unset the stack creates a Cognito user pool. */
  issuer?: string;
  /** Accepted `aud`/`client_id` values for `issuer` (comma-separated or a JSON list in cdk.json). */
  audience?: string[];
  adminGroupClaim: string;
  adminGroup: string;
  deletionProtection: boolean;
  /**
   * Origins the UI's CSP must also allow (connect-src, form-action) besides the issuer's:
   * an external issuer's token or logout endpoint on another origin. Cognito's hosted-UI
   * domain is added by the stack itself.
   */
  oidcExtraOrigins: string[];
  /** Where the alarms send mail (an SNS topic with this address subscribed); unset: no topic. */
  alarmEmail?: string;
}

/** A context value the stack cannot use; infra/app.ts prints its message alone, as one line. */
export class ContextError extends Error {}

const str = (node: Node, key: string): string | undefined => {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ContextError(`CDK context "${key}" must be a string`);
  return v.trim();
};

const list = (node: Node, key: string): string[] | undefined => {
  const v: unknown = node.tryGetContext(key);
  if (Array.isArray(v)) return v.map(String).filter(Boolean);
  const s = str(node, key);
  return s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean);
};

const bool = (node: Node, key: string, fallback: boolean): boolean => {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ContextError(`CDK context "${key}" must be true or false, got ${JSON.stringify(v)}`);
};

/** An https origin without a path: PUBLIC_URL and the OAuth callback are built from it. */
function origin(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ContextError(`CDK context "${key}" must be an https origin like https://git.example.com, got ${value}`);
  }
  if (u.protocol !== 'https:' || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw new ContextError(`CDK context "${key}" must be an https origin like https://git.example.com, got ${value}`);
  }
  return u.origin;
}

/** Kept verbatim: the authorizer compares it byte for byte with the token's `iss` (trailing slash included). */
function issuerUrl(value: string | undefined): string | undefined {
  if (value !== undefined && !URL.canParse(value)) throw new ContextError(`CDK context "issuer" must be an https URL, got ${value}`);
  if (value !== undefined && new URL(value).protocol !== 'https:') {
    throw new ContextError(`CDK context "issuer" must be an https URL, got ${value}`);
  }
  return value;
}

function email(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new ContextError(`CDK context "alarmEmail" must be an e-mail address, got ${value}`);
  }
  return value;
}

export function readContext(node: Node): GitlinkContext {
  const ctx: GitlinkContext = {
    domain: origin('domain', str(node, 'domain')),
    certificateArn: str(node, 'certificateArn'),
    issuer: issuerUrl(str(node, 'issuer')),
    audience: list(node, 'audience'),
    adminGroupClaim: str(node, 'adminGroupClaim') ?? 'cognito:groups',
    adminGroup: str(node, 'adminGroup') ?? 'gitlink-admins',
    deletionProtection: bool(node, 'deletionProtection', true),
    alarmEmail: email(str(node, 'alarmEmail')),
    oidcExtraOrigins: (list(node, 'oidcExtraOrigins') ?? []).map((o) => origin('oidcExtraOrigins', o)!),
  };
  // An external issuer without an audience would make the authorizer accept any of its tokens.
  if (ctx.issuer && !ctx.audience?.length) throw new ContextError('CDK context "audience" is required when "issuer" is set');
  if (!ctx.issuer && ctx.audience) throw new ContextError('CDK context "audience" is only used with "issuer"');
  if (ctx.certificateArn && !ctx.domain) throw new ContextError('CDK context "certificateArn" needs "domain"');
  // Without the certificate nothing maps the domain to the API: its URLs (and the OAuth callback) would not resolve.
  if (ctx.domain && !ctx.certificateArn) {
    throw new ContextError(`CDK context "domain" needs "certificateArn": an ACM certificate for ${new URL(ctx.domain).hostname} in the stack's region (docs/DEPLOY.md "Custom domain")`);
  }
  return ctx;
}
