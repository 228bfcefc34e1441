/** What every answer under a fault must be: a clean 502/503 of the contract with a Retry-After, nothing of the fault's own words. */
import { isErrorCode } from '@shared/contract/errors';
import { errorBody } from '../../security/support/fuzz';

/** Words only the fault layer or the SDK would say: none may reach a client. */
export const FAULT_WORDS = ['injected by the fault layer', 'Rate exceeded', 'ThrottlingException', 'ProvisionedThroughput', 'TimeoutError', 'ECONNRESET', 'socket hang up', 'fake provider'];

/** `Retry-After` when the dependency gave none (docs/FAULTS.md), written here, not read from the code. */
export const DEFAULT_RETRY_AFTER = '2';

/** `expected.retryAfter`: the header the answer must carry; by default the documented constant. */
export function expectCleanFailure(
  a: { status: number; text: string; contentType: string | null; retryAfter: string | null },
  expected: { status: 502 | 503; code: string; retryAfter?: string },
): void {
  expect(a.retryAfter).toBe(expected.retryAfter ?? DEFAULT_RETRY_AFTER);
  expect(a.contentType ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(a.text);
  expect(errorBody.safeParse(body).success).toBe(true);
  expect({ status: a.status, code: body.error.code }).toEqual({ status: expected.status, code: expected.code });
  expect(isErrorCode(body.error.code)).toBe(true);
  for (const w of FAULT_WORDS) expect(a.text).not.toContain(w);
}
