/**
 * The scheduled refresh under `npm start`: what the EventBridge rule and `refresh-scheduler`
 * do in the stack (shared/refresh/scheduler.ts, with its catch-up), on a timer in this
 * process, plus `POST /dev/refresh-due` to run it at once (an admin's dev token).
 *
 * - The timer is off unless asked for (`LocalOptions.refreshSchedule`): local/server.ts turns
 *   it on (scheduleFromEnv: every 6 hours, the first run a minute after start); tests leave it
 *   off or shorten it.
 * - Runs never overlap: one asked for while another runs gets that run's report.
 * - The origin is the server's own (`http://localhost:{port}`), the one links are made
 *   through: OAuth 2.0 refreshes send its callback URL, as the stack sends PUBLIC_URL's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { requireAdmin, userFromClaims } from '@shared/auth/user';
import { unauthorized } from '@shared/errors';
import { errorResult } from '@shared/http/handler';
import { runScheduledRefresh, type ScheduleReport } from '@shared/refresh/scheduler';
import { log } from '@shared/log';
import { bearerClaims, writeResult } from './apigw';
import type { DevIssuer } from './dev-issuer';

export interface RefreshScheduleOptions {
  /** Between two runs. */
  everyMs: number;
  /** From start to the first run. */
  firstAfterMs: number;
}

/** The longest interval setInterval keeps (2^31-1 ms), in minutes. */
const MAX_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/**
 * `npm start`'s timer from GITLINK_REFRESH_EVERY_MINUTES: the stack's 6 hours by default,
 * `0` for none; the first run a minute after start, so a day's restarts still refresh.
 */
export function scheduleFromEnv(env: NodeJS.ProcessEnv): RefreshScheduleOptions | undefined {
  const raw = env.GITLINK_REFRESH_EVERY_MINUTES ?? '360';
  const minutes = Number(raw);
  // setInterval turns a delay above 2^31-1 ms (about 24.8 days) into 1 ms: a back-to-back loop.
  if (!/^\d{1,6}$/.test(raw) || !Number.isInteger(minutes) || minutes > MAX_MINUTES) {
    throw new Error(`GITLINK_REFRESH_EVERY_MINUTES must be a whole number of minutes from 0 (off) to ${MAX_MINUTES}, got ${raw}`);
  }
  return minutes === 0 ? undefined : { everyMs: minutes * 60_000, firstAfterMs: Math.min(60_000, minutes * 60_000) };
}

/** The Lambda's budget: its 5-minute timeout less its 30 s margin. */
const BUDGET_MS = 270_000;

export interface LocalRefreshSchedule {
  /** Runs the scheduled refresh now (or joins the run in progress). */
  runNow(): Promise<ScheduleReport>;
  stop(): void;
}

export function startRefreshSchedule(origin: string, opts: RefreshScheduleOptions | undefined): LocalRefreshSchedule {
  let running: Promise<ScheduleReport> | undefined;
  const runNow = () => {
    running ??= runScheduledRefresh(createDeps(config()), { origin, budgetMs: BUDGET_MS }).finally(() => {
      running = undefined;
    });
    return running;
  };
  // A failed timed run is logged and tried again at the next tick, as the next rule invocation would.
  const tick = () => void runNow().catch((e: unknown) => log.error('scheduled refresh failed', { error: e }));
  const timers: NodeJS.Timeout[] = [];
  if (opts) {
    timers.push(setTimeout(() => {
      tick();
      timers.push(setInterval(tick, opts.everyMs).unref());
    }, opts.firstAfterMs).unref());
  }
  // A run in progress at stop is cut off with the database: its links keep their due date for the next start.
  return { runNow, stop: () => timers.forEach((t) => clearTimeout(t)) };
}

/** `POST /dev/refresh-due` with an admin's bearer token: runs it and answers its report. */
export async function handleRefreshRoute(req: IncomingMessage, res: ServerResponse, issuer: DevIssuer, schedule: LocalRefreshSchedule): Promise<void> {
  try {
    const claims = await bearerClaims(req.headers.authorization, issuer);
    if (!claims) throw unauthorized('An admin bearer token is required (npm run -s token -- alice --admin).');
    const c = config();
    requireAdmin(userFromClaims(claims, { adminGroupClaim: c.ADMIN_GROUP_CLAIM, adminGroup: c.ADMIN_GROUP }));
    writeResult(res, { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(await schedule.runNow()) });
  } catch (e) {
    writeResult(res, errorResult(e));
  }
}
