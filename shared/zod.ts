/**
 * The one zod import of gitlink: zod/mini, zod's functional API
 * (`z.optional(z.string().check(z.maxLength(64)))`). Its schemas carry no methods,
 * so esbuild keeps only the validators a function uses: about a quarter of
 * classic zod's bytes in each Lambda (README, Performance). Import it as a
 * namespace (`import * as z from '../zod'`) so the locales stay out of bundles.
 *
 * zod/mini loads no locale, and its messages would all be "Invalid input";
 * the English one is loaded here, as classic zod does, so a 400 still says what
 * was wrong ("Too big: expected string to have <=64 characters").
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
