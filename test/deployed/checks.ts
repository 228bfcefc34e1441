/**
 * The tier's findings, each naming the function and the action, variable or file:
 * - denied: a call the function's role did not allow (it needs a permission it lacks);
 * - unused: a permission no flow used (least privilege the other way round);
 * - env: a variable the code read that neither the template, the Lambda runtime nor the
 *   harness sets, and that is not on the list of optional ones below;
 * - files: a file the function loaded from outside its asset, or looked for in it and missed;
 * - unchecked: statements whose Resource or Condition the emulator cannot evaluate
 *   (action-level proof only), with the test that checks them instead.
 */
import { relative, sep } from 'node:path';
import type { DeployedStack } from './stack';
import { arr } from './template';

export interface Finding {
  fn: string;
  what: string;
}

/** Calls the Lambda service makes with the role, not the function's code. */
const LAMBDA_SERVICE_ACTIONS = new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:CreateLogGroup']);

export function denied(stack: DeployedStack): Finding[] {
  return stack.calls.filter((c) => c.error === 'AccessDeniedException' || c.status === 403).map((c) => ({ fn: c.fn, what: `${c.action} was denied: ${c.message ?? c.error}` }));
}

/**
 * Granted calls that the flows here do not drive, each with the path that needs it. A grant
 * missing from both the flows and this list is a finding: remove it from functionNeeds.
 */
export const notDrivenByFlows: Record<string, string> = {
  'git-credential dynamodb:GetItem': 'a caller that lost the refresh lease rereads the link, and a provider missing from the cached list is read by id (shared/env/service.ts, refresh.ts); test/integration/refresh-single-flight.test.ts drives them',
  'provider-config dynamodb:UpdateItem': "a provider's move retires its links (relink_required); test/e2e/provider-move.test.ts drives it",
  // Offboarding unlinks as `links` does: an expiring token is refreshed first and saved (the tier's offboarding finds none expiring).
  'admin-users dynamodb:UpdateItem': "the refresh lease and the refreshed tokens before unlinking an expiring link (the same unlink as links, whose flow drives it)",
  'admin-users kms:Encrypt': 'encrypts the tokens refreshed before unlinking an expiring link (as links does in the tier)',
  // The tier runs the schedule once, with nothing due yet (links are due 30 days after a refresh):
  // its due-date catch-up reads and writes its bookmark (GetItem, PutItem), but the refresh it makes
  // when something is due is the credential path's own, driven by test/integration/refresh-scheduler.test.ts.
  'refresh-scheduler dynamodb:UpdateItem': 'takes the refresh lease and saves the refreshed tokens (test/integration/refresh-scheduler.test.ts)',
  'refresh-scheduler kms:Decrypt': 'decrypts the refresh token it sends (test/integration/refresh-scheduler.test.ts)',
  'refresh-scheduler kms:Encrypt': 'encrypts the refreshed tokens (test/integration/refresh-scheduler.test.ts)',
  'refresh-scheduler secretsmanager:GetSecretValue': 'the client secret of an OAuth 2.0 refresh (test/integration/refresh-scheduler.test.ts)',
  'refresh-scheduler events:PutEvents': 'publishes token.refreshed (test/integration/refresh-scheduler.test.ts)',
};

export function unused(stack: DeployedStack): Finding[] {
  const out: Finding[] = [];
  for (const s of stack.specs) {
    const used = new Set(stack.calls.filter((c) => c.fn === s.name).map((c) => c.action));
    const granted = new Set((stack.created.statements.get(s.roleLogicalId) ?? []).flatMap((st) => arr(st.Action)));
    for (const a of granted) {
      if (LAMBDA_SERVICE_ACTIONS.has(a) || used.has(a) || `${s.name} ${a}` in notDrivenByFlows) continue;
      out.push({ fn: s.name, what: `${a} is granted but no flow called it` });
    }
  }
  return out;
}

/**
 * Variables the code reads that may be unset in this template, and why. The prefixes are
 * the AWS SDK's, Powertools' and Node's own optional settings.
 */
export const optionalEnv: Record<string, string> = {
  PUBLIC_URL: 'set only with a custom domain; otherwise the origin is requestContext.domainName',
  OIDC_EXTRA_ORIGINS: 'set on the ui function only with Cognito (its hosted-UI domain)',
  AWS_ENDPOINT_URL_DYNAMODB: 'local stack only (dynalite)',
  GITLINK_DATA_DIR: 'embedded crypto only (npm start)',
  ALLOW_HTTP_LOOPBACK: 'local mode only',
  LOG_LEVEL: 'defaults to INFO',
  PROVIDER_TIMEOUT_MS: 'defaults to 10 s',
  SECRETS_CACHE_MS: 'defaults to 5 minutes',
};
const optionalPrefixes = ['AWS_', 'POWERTOOLS_', '_X_AMZN_', 'NODE_', 'OTEL_', 'UNDICI_'];
/** Probes by libraries and Node itself: the SDK's home-directory lookup, Powertools' ENVIRONMENT, colour detection, the module loader's watch mode. */
const libraryProbes = new Set(['HOME', 'HOMEDRIVE', 'HOMEPATH', 'USERPROFILE', 'ENVIRONMENT', 'FORCE_COLOR', 'NO_COLOR', 'TERM', 'JEST_WORKER_ID', 'WATCH_REPORT_DEPENDENCIES']);

export function env(stack: DeployedStack): Finding[] {
  const out: Finding[] = [];
  for (const [name, fn] of stack.fns) {
    for (const k of fn.observed.envReads) {
      if (k in fn.env || k in optionalEnv || libraryProbes.has(k) || optionalPrefixes.some((p) => k.startsWith(p))) continue;
      out.push({ fn: name, what: `reads ${k}, which the template does not set` });
    }
  }
  return out;
}

export function files(stack: DeployedStack): Finding[] {
  const out: Finding[] = [];
  for (const [name, fn] of stack.fns) {
    for (const [path, existed] of fn.observed.files) {
      const inside = !relative(fn.taskRoot, path).startsWith(`..${sep}`) && relative(fn.taskRoot, path) !== '..';
      if (inside && !existed) out.push({ fn: name, what: `looked for ${relative(fn.taskRoot, path)} in its asset and it is missing` });
      if (!inside && existed) out.push({ fn: name, what: `loaded ${path}, outside its asset` });
    }
  }
  return out;
}

export function unchecked(stack: DeployedStack): Finding[] {
  const out: Finding[] = [];
  for (const s of stack.specs) {
    for (const st of stack.created.statements.get(s.roleLogicalId) ?? []) {
      const parts = [
        ...(arr(st.Resource).some((r) => r !== '*') ? ['resource'] : []),
        ...(st.Condition ? [`condition ${JSON.stringify(st.Condition)}`] : []),
      ];
      if (parts.length) out.push({ fn: s.name, what: `${arr(st.Action).join(', ')}: ${parts.join(' and ')} not checked by the emulator (test/infra/iam-grants.test.ts checks it)` });
    }
  }
  return out;
}

export const print = (title: string, findings: Finding[], empty = 'none') =>
  process.stdout.write(`\n${title}\n${findings.length ? findings.map((f) => `  ${f.fn}: ${f.what}`).join('\n') : `  ${empty}`}\n`);
