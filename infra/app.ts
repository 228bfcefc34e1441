/** The CDK app: `npx cdk synth|deploy` (cdk.json). Context keys are described in infra/context.ts. */
import { App } from 'aws-cdk-lib';
import { ContextError } from './context';
import { addNagChecks } from './nag';
import { GitlinkStack } from './stack';

const app = new App();
try {
  new GitlinkStack(app, 'Gitlink', {
    // Region and account from the CLI's profile; nothing in the stack needs them at synth time.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'gitlink: links Git provider accounts to remote development environments',
  });
} catch (e) {
  // A wrong -c value is the admin's to fix: one line naming the key, not a stack trace.
  if (!(e instanceof ContextError)) throw e;
  process.stderr.write(`gitlink: ${e.message}\n`);
  process.exit(1);
}
addNagChecks(app);
