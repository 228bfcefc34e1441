/** Provider icons, keyed by type (presentation only: every other fact about a type is in the catalog). */
import type { ProviderType } from '@shared/contract/provider-types';
import bitbucketIcon from '../icons/bitbucket.svg';
import gitIcon from '../icons/git.svg';
import githubIcon from '../icons/github.svg';
import gitlabIcon from '../icons/gitlab.svg';

const icons: Record<ProviderType, string> = {
  github: githubIcon,
  gitlab: gitlabIcon,
  'bitbucket-server': bitbucketIcon,
  'bitbucket-dc': bitbucketIcon,
  'bitbucket-cloud': bitbucketIcon,
};

/** A type this UI does not know gets the plain git icon. */
export const iconFor = (type: string): string => (Object.hasOwn(icons, type) ? icons[type as ProviderType] : gitIcon);
