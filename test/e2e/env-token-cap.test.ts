/**
 * The 50-token cap holds under parallel creates (issue 10 attack 7): 30 creates at once,
 * from 45 tokens, end at exactly 50, through the local server and dynalite.
 */
import type { LocalStack } from '../../local/app';
import { MAX_TOKENS_PER_USER } from '@shared/env/manage';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

const create = (b: Browser, i: number) => b.api('POST', '/v1/me/tokens', { name: `env-${i}` });
// Dozens of requests against one in-process server on a shared 2-core machine.
jest.setTimeout(120_000);

describe('environment token cap is atomic', () => {
  test('30 parallel creates at 45 existing tokens end at exactly 50', async () => {
    expect(MAX_TOKENS_PER_USER).toBe(50);
    const dev = await Browser.signIn(stack, 'cap-dev');
    const first = await Promise.all(Array.from({ length: 45 }, (_, i) => create(dev, i)));
    expect(first.filter((a) => a.status === 201).length).toBe(45);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => create(dev, 100 + i)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(25);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.json.error.code).toBe('too_many_tokens');
    expect((await dev.api('GET', '/v1/me/tokens')).json.tokens).toHaveLength(50);
  });

  test('a revoked token frees its place at once, and only one', async () => {
    const dev = await Browser.signIn(stack, 'cap-dev-2');
    const made = await Promise.all(Array.from({ length: 50 }, (_, i) => create(dev, i)));
    expect(made.filter((a) => a.status === 201).length).toBe(50);
    expect((await dev.api('DELETE', `/v1/me/tokens/${made[0]!.json.id}`)).status).toBe(204);
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => create(dev, 200 + i)));
    expect(again.filter((a) => a.status === 201).length).toBe(1);
    expect((await dev.api('GET', '/v1/me/tokens')).json.tokens).toHaveLength(50);
  });
});
