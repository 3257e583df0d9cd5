// Everything the restore form's submission must pass before a request exists, within Slack's 3 seconds:
// the allow-list (again: the form's contents are the user's, not ours), the channel, and the snapshot.
import { isAtlasApiError } from '../atlas/errors.js';
import { isRestorable } from '../atlas/types.js';
import { findCluster, mayRequest, mayUseChannel } from '../policy/policy.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { createModalSnapshotCache, type CachedSnapshot } from './modal-snapshot-cache.js';
import { withDeadline } from './with-deadline.js';
import { validateModalSubmission, type ModalSubmission } from './views/restore-modal.js';

/** Part of Slack's 3 s that a cache miss may spend asking Atlas about the snapshot. */
const SNAPSHOT_CHECK_BUDGET_MS = 1500;

export type CheckedSubmission =
  | { ok: false; response: { response_action: 'errors'; errors: Record<string, string> } }
  | { ok: true; source: ClusterRef; target: ClusterRef; snapshot: CachedSnapshot & { createdAt: string }; reason: string };

export async function checkModalSubmission(services: Services, user: string, viewId: string, sub: ModalSubmission): Promise<CheckedSubmission> {
  const refuse = (detail: string) => services.store.audit({ type: 'refused', user, detail: `modal submit: ${detail}` }).catch(() => undefined);
  const source = sub.sourceKey ? findCluster(services.policy, sub.sourceKey) : undefined;
  const target = sub.targetKey ? findCluster(services.policy, sub.targetKey) : undefined;
  let sourceError = source && !source.ok ? source.message : undefined;
  let targetError = target && !target.ok ? target.message : undefined;
  if (source?.ok && target?.ok) {
    const sourceDecision = await mayRequest(services.policy, services.resolver, user, source.cluster, source.cluster);
    if (!sourceDecision.allowed) sourceError = sourceDecision.message;
    const targetDecision = await mayRequest(services.policy, services.resolver, user, target.cluster, target.cluster);
    if (!targetDecision.allowed) targetError = targetDecision.message;
  }
  const channel = mayUseChannel(services.policy, sub.meta.channel);
  if (!channel.allowed) sourceError ??= channel.message;

  let snapshot: CachedSnapshot | null | undefined;
  if (source?.ok && sub.snapshotId && !sourceError) {
    snapshot = await createModalSnapshotCache(services.redis, services.prefix).lookup(viewId, sub.sourceKey!, sub.snapshotId);
    if (snapshot === undefined) {
      // Not in the cache (the form was opened long ago): ask Atlas, within the budget.
      const lookup = services.atlas
        .getSnapshot({ groupId: source.cluster.groupId, clusterName: source.cluster.cluster, type: source.cluster.type }, sub.snapshotId)
        .catch((err: unknown) => (isAtlasApiError(err) && err.status === 404 ? null : undefined));
      snapshot = await withDeadline(lookup, SNAPSHOT_CHECK_BUDGET_MS);
    }
  }

  const checked = validateModalSubmission(sub, { sourceError, targetError, snapshot });
  if (sourceError) await refuse(sourceError);
  else if (targetError) await refuse(targetError);
  if (!checked.ok) return checked;
  // validateModalSubmission refused a snapshot that is not restorable; isRestorable here only narrows the type.
  if (!source?.ok || !target?.ok || !snapshot || !isRestorable(snapshot)) {
    // Atlas didn't answer in time: refuse rather than guess (the card must show the snapshot's real time).
    const field = sub.blockIds.snapshot ?? 'restore_source';
    return { ok: false, response: { response_action: 'errors', errors: { [field]: "Atlas didn't answer in time to confirm this snapshot. Submit again in a moment." } } };
  }
  return { ok: true, source: source.cluster, target: target.cluster, snapshot, reason: checked.value.reason };
}
