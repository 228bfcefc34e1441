/**
 * Counts AWS calls with an SDK middleware on every client. Every SDK v3 client
 * (and lib-dynamodb's document client, which shares its client's stack) sends
 * through `Client.prototype.send` of `@smithy/core/client`; the first send of a
 * client adds one `initialize`-step middleware to its stack, so each logical
 * call is counted once, retries included once, whoever built the client.
 */
import { Client } from '@smithy/core/client';

export type Service = 'dynamodb' | 'kms' | 'secretsmanager';
export type Calls = Record<Service, number>;
export const noCalls = (): Calls => ({ dynamodb: 0, kms: 0, secretsmanager: 0 });

const serviceOf = (clientName: string): Service | undefined =>
  /dynamodb/i.test(clientName) ? 'dynamodb' : /kms/i.test(clientName) ? 'kms' : /secrets/i.test(clientName) ? 'secretsmanager' : undefined;

let current: Calls | undefined;
/** Every call seen, by `Service.Command`, whether recorded or not (a guard that the counter is wired). */
export const seen = new Map<string, number>();

const withCounter = new WeakSet<object>();
type Stack = { add: (mw: unknown, opts: { step: string; name: string }) => void };
const proto = Client.prototype as unknown as { send: (...args: unknown[]) => unknown; middlewareStack: Stack };
const send = proto.send;
proto.send = function (this: { middlewareStack: Stack }, ...args: unknown[]) {
  if (!withCounter.has(this.middlewareStack)) {
    withCounter.add(this.middlewareStack);
    this.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (a: unknown) => {
        const service = serviceOf(String(context.clientName));
        seen.set(`${service}.${context.commandName}`, (seen.get(`${service}.${context.commandName}`) ?? 0) + 1);
        if (service && current) current[service] += 1;
        return next(a);
      },
      { step: 'initialize', name: 'benchCountAwsCalls' },
    );
  }
  return send.apply(this, args);
};

/** Runs `fn` and returns the AWS calls made while it ran (calls must not overlap with other work). */
export async function countCalls<T>(fn: () => Promise<T>): Promise<{ value: T; calls: Calls }> {
  const calls = noCalls();
  current = calls;
  try {
    return { value: await fn(), calls };
  } finally {
    current = undefined;
  }
}

export const totalCalls = (c: Calls) => c.dynamodb + c.kms + c.secretsmanager;
