/**
 * Reading the synthesized CloudFormation template: resources by type, the functions with
 * their asset, handler, runtime, environment and role, and the intrinsic functions the
 * template uses, resolved against what the emulator created. Everything the tier runs is
 * taken from here, so a new function, route or grant is picked up without a change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Resource {
  Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, any>;
  DependsOn?: string | string[];
}
export interface Template {
  Resources: Record<string, Resource>;
  [k: string]: unknown;
}
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
}

export const loadTemplate = (cdkOut: string, stack = 'Gitlink'): Template =>
  JSON.parse(readFileSync(join(cdkOut, `${stack}.template.json`), 'utf8')) as Template;

export const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const ofType = (t: Template, type: string): Array<[string, Resource]> =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

export interface FunctionSpec {
  logicalId: string;
  /** The function's name in the route table: the construct id under `Functions/`. */
  name: string;
  assetDir: string;
  handler: string;
  runtime: string;
  architectures: string[];
  timeoutSeconds: number;
  memoryMb: number;
  env: Record<string, unknown>;
  roleLogicalId: string;
}

export function functionsOf(t: Template, cdkOut: string): FunctionSpec[] {
  return ofType(t, 'AWS::Lambda::Function').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const path = String(r.Metadata?.['aws:cdk:path'] ?? logicalId).split('/');
    const asset = r.Metadata?.['aws:asset:path'];
    if (!asset) throw new Error(`function ${logicalId}: no aws:asset:path metadata, so its code cannot be found in cdk.out`);
    const role = p.Role?.['Fn::GetAtt']?.[0];
    if (!role) throw new Error(`function ${logicalId}: Role is not a Fn::GetAtt of a role in this template`);
    return {
      logicalId,
      name: path.length >= 2 ? path[path.length - 2]! : logicalId,
      assetDir: join(cdkOut, String(asset)),
      handler: String(p.Handler),
      runtime: String(p.Runtime),
      architectures: arr(p.Architectures as string[]),
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      env: (p.Environment?.Variables ?? {}) as Record<string, unknown>,
      roleLogicalId: role as string,
    };
  });
}

/** Every statement of every AWS::IAM::Policy attached to the role. */
export function statementsOfRole(t: Template, roleLogicalId: string): Statement[] {
  return ofType(t, 'AWS::IAM::Policy')
    .filter(([, r]) => arr(r.Properties?.Roles).some((x: any) => x?.Ref === roleLogicalId))
    .flatMap(([, r]) => arr(r.Properties?.PolicyDocument?.Statement as Statement[]));
}

/** What the emulator made of each resource: its `Ref` value and its attributes. */
export interface Physical {
  ref: string;
  attrs: Record<string, string>;
}

export interface Pseudo {
  accountId: string;
  region: string;
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split; anything else fails by name. */
export function resolve(value: unknown, physical: Map<string, Physical>, pseudo: Pseudo): any {
  const pseudoRef: Record<string, string> = {
    'AWS::AccountId': pseudo.accountId,
    'AWS::Region': pseudo.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Gitlink',
  };
  const ref = (id: string): string => {
    if (id in pseudoRef) return pseudoRef[id]!;
    const p = physical.get(id);
    if (!p) throw new Error(`Ref ${id}: the emulator has no such resource (yet)`);
    return p.ref;
  };
  const go = (v: unknown): any => {
    if (Array.isArray(v)) return v.map(go);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      const [k] = keys as [string];
      const a = o[k] as any;
      switch (k) {
        case 'Ref':
          return ref(a);
        case 'Fn::GetAtt': {
          const [id, attr] = typeof a === 'string' ? a.split('.') : a;
          const got = physical.get(id)?.attrs[attr];
          if (got === undefined) throw new Error(`Fn::GetAtt ${id}.${attr}: the emulator has no such attribute`);
          return got;
        }
        case 'Fn::Join':
          return (go(a[1]) as unknown[]).join(a[0]);
        case 'Fn::Select':
          return go(a[1])[Number(go(a[0]))];
        case 'Fn::Split':
          return String(go(a[1])).split(a[0]);
        case 'Fn::Sub': {
          const [text, vars] = typeof a === 'string' ? [a, {}] : [a[0], go(a[1])];
          return String(text).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (name in vars) return String(vars[name]);
            const [id, attr] = name.split('.');
            return attr ? go({ 'Fn::GetAtt': [id, attr] }) : ref(name);
          });
        }
        default:
          throw new Error(`intrinsic ${k} is not supported by the deployed tier's resolver`);
      }
    }
    return Object.fromEntries(Object.entries(o).map(([kk, vv]) => [kk, go(vv)]));
  };
  return go(value);
}
