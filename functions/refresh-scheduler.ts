/**
 * `refresh-scheduler`: the proactive refresh, run by an EventBridge rule every 6 hours
 * (infra/operations.ts), never by a route. Its time budget is the invocation's remaining
 * time less a margin, so it stops starting refreshes before Lambda stops it; what it does
 * not reach is still due at the next run.
 */
import type { Context } from 'aws-lambda';
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { runScheduledRefresh } from '@shared/refresh/scheduler';

const deps = createDeps(config(), eventBusFor(config()));
/** Room for the refreshes in flight when the budget runs out (each is bounded by its own 20 s budget). */
const MARGIN_MS = 30_000;

export const handler = async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // The stack passes the API's URL: OAuth 2.0 refreshes of GitLab and Bitbucket DC send the callback URL.
  const origin = deps.config.PUBLIC_URL?.replace(/\/+$/, '');
  if (!origin) throw new Error('gitlink configuration is invalid: PUBLIC_URL is required by the scheduled refresh');
  return runScheduledRefresh(deps, { origin, budgetMs: Math.max(0, context.getRemainingTimeInMillis() - MARGIN_MS) });
};
