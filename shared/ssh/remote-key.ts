/**
 * gitlink's key at a provider, by id when the link stored one, else found by its
 * key material through the provider's list-keys API (issue 10, attack 5): when the
 * upload's answer is lost (timeout, reset, a killed function), the provider has
 * the key but the link has no id, and unlink or rotation would otherwise leave it there.
 */
import type { ProviderApi } from '../providers/types';
import type { LinkRecord } from '../store/links';

export async function remoteKeyId(api: ProviderApi, link: Pick<LinkRecord, 'sshKeyId'>, publicKey: string | undefined): Promise<string | undefined> {
  if (link.sshKeyId) return link.sshKeyId;
  return publicKey ? (await api.findSshKey(publicKey))?.id : undefined;
}
