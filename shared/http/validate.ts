/**
 * Validation at the edge: every input is parsed by a zod
 * schema before use, and a failure is a 400 that names the field.
 */
import type * as z from '../zod';
import { badRequest } from '../errors';

export function parseInput<S extends z.ZodMiniType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // An unknown key is reported on the object; name the key itself.
  const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = [...issue.path.map(String), ...(unknown ? [unknown] : [])].join('.') || where;
  throw badRequest('invalid_request', `${field}: ${issue.message}`, { field });
}
