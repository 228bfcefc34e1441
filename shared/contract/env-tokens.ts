/**
 * The lifetimes of environment tokens, as the server grants them (shared/env/manage.ts) and the
 * web UI offers them. Every token expires: there is no "never".
 */

/** Without `expiresInDays`: long enough for an environment image, short enough to age out. */
export const DEFAULT_TOKEN_DAYS = 90;
/** The longest lifetime the server grants; `expiresInDays` is a whole number from 1 to this. */
export const MAX_TOKEN_DAYS = 365;
/** The lifetimes the UI offers (the API takes any whole number of days up to the maximum). */
export const TOKEN_LIFETIME_CHOICES: ReadonlyArray<{ days: number; label: string }> = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: DEFAULT_TOKEN_DAYS, label: '90 days' },
  { days: MAX_TOKEN_DAYS, label: '1 year' },
];
/** Bounds what one account can pile up (each token is a row read on every fetch by its holder only). */
export const MAX_TOKENS_PER_USER = 50;
