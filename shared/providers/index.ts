/** The provider registry: type → implementation. The only place that lists them. */
import { github } from './github';
import { gitlab } from './gitlab';
import type { Provider, ProviderType } from './types';

const registry: Partial<Record<ProviderType, Provider>> = { github, gitlab };

/** Types whose implementation has landed; the admin API refuses the others. */
export const supportedTypes = (): ProviderType[] => Object.keys(registry) as ProviderType[];

export function providerFor(type: ProviderType): Provider {
  const p = registry[type];
  if (!p) throw new Error(`provider type ${type} is not implemented`);
  return p;
}
