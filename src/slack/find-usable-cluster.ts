// A cluster named in a command or a form, found in the policy; when it isn't, the answer names only clusters the
// user may use. The policy's own answer lists every project and cluster of the file: that is not for everyone.
import { clusterKey, findCluster } from '../policy/policy.js';
import type { Policy } from '../policy/policy-schema.js';
import type { ClusterRef } from '../restore/types.js';

const LIST_LIMIT = 15;

function describeKeys(refs: readonly ClusterRef[]): string {
  const keys = refs.map((r) => `\`${clusterKey(r)}\``);
  return keys.length > LIST_LIMIT ? `${keys.slice(0, LIST_LIMIT).join(', ')} and ${keys.length - LIST_LIMIT} more` : keys.join(', ');
}

/**
 * `usable`: the clusters this user may use, when known (undefined: not known in time, so none is listed).
 * Pure apart from reading the policy.
 */
export function findUsableCluster(policy: Policy, text: string, usable: readonly ClusterRef[] | undefined): { ok: true; cluster: ClusterRef } | { ok: false; message: string } {
  const found = findCluster(policy, text);
  if (found.ok) return found;
  const wanted = text.trim();
  if (wanted === '') return found;
  const mine = usable ?? [];
  // A bare name in several projects: say which of them this user can name.
  const sameName = wanted.includes('/') ? [] : mine.filter((r) => r.cluster.toLowerCase() === wanted.toLowerCase());
  if (sameName.length > 0) return { ok: false, message: `\`${wanted}\` exists in more than one project; say which one: ${describeKeys(sameName)}.` };
  const list = mine.length > 0 ? ` Clusters you can name: ${describeKeys(mine)}.` : '';
  return { ok: false, message: `There is no cluster \`${wanted}\` you can use in the restore policy.${list}` };
}
