// The restore modal rebuilt from its own state when a dispatching element changes: the source (its snapshots and what
// it supports are loaded again), or a choice (what, write strategy, from, target) that changes which blocks show.
// Each views.update carries the view's hash: a newer change wins, and this one's late update is dropped.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Services } from './services.js';
import { allowedClusters, clusterByKey, type ModalInputs } from './build-modal-state.js';
import { cachedSourceSection, LOADING_SOURCE, loadSourceSection } from './load-modal-sources.js';
import { renderRestoreModal } from './render-restore-modal.js';
import { updateModal } from './update-modal.js';
import { readModalSubmission, type ModalSubmission, type ModalSubmissionView } from './views/restore-modal.js';
import { TARGET_BLOCK_ID_PREFIX } from './views/ids.js';
import type { ClusterRef } from '../restore/types.js';

type ModalActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

function readView(services: Services, view: ModalSubmissionView): ModalSubmission | undefined {
  try {
    return readModalSubmission(view);
  } catch (err) {
    services.logger.debug({ err }, 'block action on a view that is not ours');
    return undefined;
  }
}

/** The modal an action came from, read back, with the clusters the user may use now (the policy may have changed). */
async function openedModal(services: Services, body: ModalActionArgs['body']) {
  const view = body.view;
  const sub = view && readView(services, view as unknown as ModalSubmissionView);
  if (!view || !sub) return undefined;
  const { clusters } = await allowedClusters(services, body.user.id);
  return { view, sub, clusters };
}

/**
 * The target to show once the source changed: the one chosen before, while the user may still use it. A target that
 * was the previous source is the default, not a choice, and follows the source as it did when the form opened.
 */
export function targetAfterSourceChange(sub: ModalSubmission, clusters: readonly ClusterRef[]): string | undefined {
  const previousSource = sub.blockIds.target?.slice(TARGET_BLOCK_ID_PREFIX.length + 1);
  if (!sub.targetKey || sub.targetKey === previousSource) return undefined;
  return clusterByKey(clusters, sub.targetKey) ? sub.targetKey : undefined;
}

/** The source select dispatches an action: rebuild with the new source's snapshots and facts (loading, then loaded). */
export function handleSourceChange(services: Services) {
  return async ({ ack, body, client }: ModalActionArgs): Promise<void> => {
    await ack();
    const opened = await openedModal(services, body);
    if (!opened) return;
    const { view, sub, clusters } = opened;
    // The target and snapshot blocks carry the source in their ids, so Slack forgets them: the snapshot starts afresh,
    // the target is carried over (a restore into staging must not turn into one into the new source).
    const targetKey = targetAfterSourceChange(sub, clusters);
    const inputs: ModalInputs = { meta: sub.meta, timeZone: sub.meta.timeZone ?? 'UTC', clusters, sourceKey: sub.sourceKey, targetKey, choices: sub.choices };
    const who = { channel: sub.meta.channel, user: body.user.id };
    const loading = await updateModal(services, client, { viewId: view.id, hash: view.hash, view: await renderRestoreModal(services, inputs, LOADING_SOURCE) }, who);
    if (!loading) return; // changed again meanwhile (that newer action fills it in), or the user was told
    const source = await loadSourceSection(services, view.id, clusterByKey(clusters, sub.sourceKey));
    await updateModal(services, client, { viewId: view.id, hash: loading.view?.hash, view: await renderRestoreModal(services, inputs, source) }, who);
  };
}

/** What, write strategy, from and target dispatch too: one rebuild, from what this view already loaded. */
export function handleChoiceChange(services: Services) {
  return async ({ ack, body, client }: ModalActionArgs): Promise<void> => {
    await ack();
    const opened = await openedModal(services, body);
    if (!opened) return;
    const { view, sub, clusters } = opened;
    const inputs: ModalInputs = {
      meta: sub.meta,
      timeZone: sub.meta.timeZone ?? 'UTC',
      clusters,
      sourceKey: sub.sourceKey,
      targetKey: sub.targetKey,
      snapshotId: sub.snapshotId,
      choices: sub.choices,
    };
    const source = await cachedSourceSection(services, view.id, clusterByKey(clusters, sub.sourceKey));
    await updateModal(services, client, { viewId: view.id, hash: view.hash, view: await renderRestoreModal(services, inputs, source) }, { channel: sub.meta.channel, user: body.user.id });
  };
}
