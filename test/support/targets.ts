/**
 * The adapters each contract suite runs against. Embedded targets always run;
 * moto targets run when global setup started moto_server (else they are
 * reported skipped, with the reason in the test name); an `AWS_ENDPOINT_URL`
 * given to `npm test` (LocalStack, say) adds a target of its own.
 */
export interface AwsTarget {
  name: string;
  endpoint: string;
}

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const region = 'us-east-1';

export function awsTargets(): { run: AwsTarget[]; skipped: Array<{ name: string; reason: string }> } {
  const run: AwsTarget[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  if (process.env.MOTO_ENDPOINT) run.push({ name: 'moto_server', endpoint: process.env.MOTO_ENDPOINT });
  else skipped.push({ name: 'moto_server', reason: process.env.MOTO_SKIP_REASON ?? 'moto_server was not started' });
  if (process.env.AWS_ENDPOINT_URL) run.push({ name: `AWS_ENDPOINT_URL (${process.env.AWS_ENDPOINT_URL})`, endpoint: process.env.AWS_ENDPOINT_URL });
  return { run, skipped };
}

/** Declares a skipped test whose name carries the reason, so the report says why. */
export function reportSkipped(skipped: Array<{ name: string; reason: string }>) {
  for (const s of skipped) test.skip(`${s.name} [skipped: ${s.reason}]`, () => undefined);
}

export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
