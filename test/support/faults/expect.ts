/** What every answer under a fault must be: a clean 502/503 of the contract, nothing of the fault's own words. */
import { isErrorCode } from '@shared/contract/errors';
import { errorBody } from '../../security/support/fuzz';

/** Words only the fault layer or the SDK would say: none may reach a client. */
export const FAULT_WORDS = ['injected by the fault layer', 'Rate exceeded', 'ThrottlingException', 'ProvisionedThroughput', 'TimeoutError', 'ECONNRESET', 'socket hang up', 'fake provider'];

export function expectCleanFailure(a: { status: number; text: string; contentType: string | null }, expected: { status: 502 | 503; code: string }): void {
  expect(a.contentType ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(a.text);
  expect(errorBody.safeParse(body).success).toBe(true);
  expect({ status: a.status, code: body.error.code }).toEqual(expected);
  expect(isErrorCode(body.error.code)).toBe(true);
  for (const w of FAULT_WORDS) expect(a.text).not.toContain(w);
}
