/**
 * Builds the stack the way `cdk synth` does (cdk.json context and feature flags)
 * but skips asset bundling, so a synth takes a second: test/infra/bundle.test.ts
 * covers the bundles themselves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { GitlinkStack } from '../../infra/stack';

export const projectRoot = path.join(__dirname, '..', '..');

const cdkJson = JSON.parse(fs.readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** `env` as infra/app.ts passes it when the CLI knows the account/region; omitted, the stack is environment-agnostic. */
export function synth(context: Record<string, unknown> = {}, env?: Environment) {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new GitlinkStack(app, 'Gitlink', env ? { env } : {});
  // Lazy: Template.fromStack synthesizes the app, after which the tree must not change.
  return {
    app,
    stack,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

export const logicalId = (stack: GitlinkStack, c: IConstruct): string => stack.getLogicalId(c.node.defaultChild as CfnElement);
