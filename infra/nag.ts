/**
 * cdk-nag (AwsSolutions) setup. cdk-nag 3 is a CDK policy-validation plugin:
 * findings fail `cdk synth`, and each accepted finding is acknowledged with
 * `Validations.of(construct).acknowledge({ id, reason })` next to the construct
 * it concerns, or here when it spans the stack.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';

export function addNagChecks(app: Construct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * A resource as cdk-nag spells it in a finding id such as `AwsSolutions-IAM5[Resource::…]`:
 * the resolved CloudFormation value flattened, `Ref`/`GetAtt` written `<Name>`/`<Name.Attr>`
 * (the same rendering as cdk-nag's own flattenCfnReference, which it does not export).
 * Computed rather than typed out, because a stack with an explicit env resolves region and
 * account to literals while an environment-agnostic one keeps `<AWS::Region>`.
 */
export function nagResource(scope: Construct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(visit).join(sep);
    }
    if (o['Fn::GetAtt']) {
      const [res, attr] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(res)}.${visit(attr)}>`;
    }
    if (o.Ref !== undefined) return `<${visit(o.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
