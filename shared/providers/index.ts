/** The provider registry: type → implementation. The only place that lists them. */
import { bitbucketCloud } from './bitbucket-cloud';
import { bitbucketDc } from './bitbucket-dc';
import { bitbucketServer } from './bitbucket-server';
import { github } from './github';
import { gitlab } from './gitlab';
import type { Provider, ProviderType } from './types';

const registry: Partial<Record<ProviderType, Provider>> = {
  github,
  gitlab,
  'bitbucket-server': bitbucketServer,
  'bitbucket-dc': bitbucketDc,
  'bitbucket-cloud': bitbucketCloud,
};

/** Types whose implementation has landed; the admin API refuses the others. */
export const supportedTypes = (): ProviderType[] => Object.keys(registry) as ProviderType[];

export function providerFor(type: ProviderType): Provider {
  const p = registry[type];
  if (!p) throw new Error(`provider type ${type} is not implemented`);
  return p;
}
