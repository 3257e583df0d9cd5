// The restore modal: reloading snapshots when the source changes, and the submission that creates the request.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isAtlasApiError } from '../atlas/errors.js';
import { findCluster, mayRequest, mayUseChannel, rulesFor } from '../policy/policy.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { allowedClusters, clusterByKey, loadSnapshotSection, modalState } from './build-modal-state.js';
import { createModalSnapshotCache } from './modal-snapshot-cache.js';
import { createRestoreRequest } from './create-restore-request.js';
import { buildRestoreModal, readModalSubmission, validateModalSubmission, type ModalSubmissionView } from './views/restore-modal.js';
import { formatInTimeZone } from './views/format.js';

/** Part of Slack's 3 s for the submission that a cache miss may spend asking Atlas about the snapshot. */
const SNAPSHOT_CHECK_BUDGET_MS = 1500;

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type ModalActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** The source select dispatches an action: rebuild the modal with the new source's snapshots. */
export function handleSourceChange(services: Services) {
  return async ({ ack, body, client }: ModalActionArgs): Promise<void> => {
    await ack();
    const view = body.view;
    if (!view) return;
    const sub = readModalSubmission(view as unknown as ModalSubmissionView);
    const timeZone = sub.meta.timeZone ?? 'UTC';
    const { clusters } = await allowedClusters(services, body.user.id);
    const inputs = { meta: sub.meta, timeZone, clusters, sourceKey: sub.sourceKey };
    // Show "loading" first (hash guards against a newer update), then the snapshots.
    const loading = await client.views.update({ view_id: view.id, hash: view.hash, view: buildRestoreModal(modalState(inputs, { status: 'loading' })) }).catch(() => undefined);
    if (!loading) return; // someone changed it again meanwhile: that newer action will fill it in
    const snapshots = await loadSnapshotSection(services, view.id, clusterByKey(clusters, sub.sourceKey));
    await client.views
      .update({ view_id: view.id, hash: loading.view?.hash, view: buildRestoreModal(modalState(inputs, snapshots)) })
      .catch((err: unknown) => services.logger.debug({ err }, 'modal changed while snapshots loaded'));
  };
}

/**
 * The policy may leave a cluster's type to detection; the client has usually detected it already (listing the
 * snapshots), so asking is a cache hit. Stored with the request, it tells the card whether Atlas can cancel the job.
 */
async function withKnownType(services: Services, ref: ClusterRef): Promise<ClusterRef> {
  if (ref.type) return ref;
  const detect = services.atlas.detectClusterType({ groupId: ref.groupId, clusterName: ref.cluster }).catch(() => undefined);
  const type = await withDeadline(detect, 300);
  return type ? { ...ref, type } : ref;
}

async function describeLockHolder(services: Services, target: ClusterRef, holder: string, since: string, timeZone: string): Promise<string> {
  const held = await services.store.get(holder).catch(() => null);
  const who = held ? `<@${held.requester}>` : 'another request';
  return `\`${target.project}/${target.cluster}\` already has a restore in progress: ${holder} by ${who} since ${formatInTimeZone(since, timeZone)}. Wait for it to end, or pick another target.`;
}

export function handleModalSubmission(services: Services) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const user = body.user.id;
    let sub;
    try {
      sub = readModalSubmission(view as unknown as ModalSubmissionView);
    } catch {
      return ack({ response_action: 'errors', errors: {} as Record<string, string> });
    }
    const timeZone = sub.meta.timeZone ?? 'UTC';
    const source = sub.sourceKey ? findCluster(services.policy, sub.sourceKey) : undefined;
    const target = sub.targetKey ? findCluster(services.policy, sub.targetKey) : undefined;
    let sourceError = source && !source.ok ? source.message : undefined;
    let targetError = target && !target.ok ? target.message : undefined;
    if (source?.ok && target?.ok) {
      // Re-check the allow-list: the modal's contents are the user's, not ours.
      const decision = await mayRequest(services.policy, services.resolver, user, source.cluster, source.cluster);
      if (!decision.allowed) sourceError = decision.message;
      const targetDecision = await mayRequest(services.policy, services.resolver, user, target.cluster, target.cluster);
      if (!targetDecision.allowed) targetError = targetDecision.message;
      if (decision.allowed && !targetDecision.allowed) {
        await services.store.audit({ type: 'refused', user, detail: `modal submit: ${targetDecision.message}` }).catch(() => undefined);
      }
    }
    let snapshot;
    if (source?.ok && sub.snapshotId && !sourceError) {
      snapshot = await createModalSnapshotCache(services.redis, services.prefix).lookup(view.id, sub.sourceKey!, sub.snapshotId);
      if (snapshot === undefined) {
        // Not in the cache (modal opened long ago): ask Atlas, but within the 3 s Slack gives us. Unanswered means
        // unchecked here; the approval re-checks the snapshot before anything is sent.
        const lookup = services.atlas
          .getSnapshot({ groupId: source.cluster.groupId, clusterName: source.cluster.cluster, type: source.cluster.type }, sub.snapshotId)
          .catch((err: unknown) => (isAtlasApiError(err) && err.status === 404 ? null : undefined));
        snapshot = await withDeadline(lookup, SNAPSHOT_CHECK_BUDGET_MS);
      }
    }
    const channel = mayUseChannel(services.policy, sub.meta.channel);
    if (!channel.allowed) sourceError ??= channel.message;
    const checked = validateModalSubmission(sub, { sourceError, targetError, snapshot });
    if (checked.ok && snapshot === undefined && !sourceError) {
      // Atlas didn't answer in time: refuse rather than guess (the card must show the snapshot's real time).
      const field = sub.blockIds.snapshot ?? 'restore_source';
      return ack({ response_action: 'errors', errors: { [field]: "Atlas didn't answer in time to confirm this snapshot. Submit again in a moment." } });
    }
    if (!checked.ok || !source?.ok || !target?.ok) {
      if (sourceError) await services.store.audit({ type: 'refused', user, detail: `modal submit: ${sourceError}` }).catch(() => undefined);
      return ack(checked.ok ? { response_action: 'errors', errors: {} } : checked.response);
    }
    // Slack may deliver the same submission twice: one view, one request.
    if (!(await services.store.claimOnce(`submit:${view.id}`, 3600))) return ack();

    const rules = rulesFor(services.policy, target.cluster);
    const created = await createRestoreRequest(services, {
      requester: user,
      source: await withKnownType(services, source.cluster),
      target: await withKnownType(services, target.cluster),
      snapshot: { id: checked.value.snapshotId, createdAt: snapshot!.createdAt },
      reason: checked.value.reason,
      channel: sub.meta.channel,
      rules,
    });
    if (!created.ok) {
      const message = await describeLockHolder(services, target.cluster, created.holder, created.since, timeZone);
      await services.store.audit({ type: 'refused', user, detail: message }).catch(() => undefined);
      // Let the user submit again later: the claim was for this attempt only.
      await services.store.releaseClaim(`submit:${view.id}`);
      return ack({ response_action: 'errors', errors: { [sub.blockIds.target ?? 'restore_source']: message } });
    }
    await ack();
    await created.publish();
  };
}
