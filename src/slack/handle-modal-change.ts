// The restore modal rebuilt from its own state when a dispatching element changes: the source (its snapshots and what
// it supports are loaded again), or a choice (what, write strategy, from, target) that changes which blocks show.
// Each views.update carries the view's hash: a newer change wins, and this one's late update is dropped.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Services } from './services.js';
import { allowedClusters, clusterByKey, type ModalInputs } from './build-modal-state.js';
import { cachedSourceSection, LOADING_SOURCE, loadSourceSection } from './load-modal-sources.js';
import { renderRestoreModal } from './render-restore-modal.js';
import { readModalSubmission, type ModalSubmission, type ModalSubmissionView } from './views/restore-modal.js';

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

/** The source select dispatches an action: rebuild with the new source's snapshots and facts (loading, then loaded). */
export function handleSourceChange(services: Services) {
  return async ({ ack, body, client }: ModalActionArgs): Promise<void> => {
    await ack();
    const opened = await openedModal(services, body);
    if (!opened) return;
    const { view, sub, clusters } = opened;
    // The target and snapshot blocks carry the source in their ids: they start afresh, the target on the new source.
    const inputs: ModalInputs = { meta: sub.meta, timeZone: sub.meta.timeZone ?? 'UTC', clusters, sourceKey: sub.sourceKey, choices: sub.choices };
    const loading = await client.views.update({ view_id: view.id, hash: view.hash, view: await renderRestoreModal(services, inputs, LOADING_SOURCE) }).catch(() => undefined);
    if (!loading) return; // someone changed it again meanwhile: that newer action will fill it in
    const source = await loadSourceSection(services, view.id, clusterByKey(clusters, sub.sourceKey));
    await client.views
      .update({ view_id: view.id, hash: loading.view?.hash, view: await renderRestoreModal(services, inputs, source) })
      .catch((err: unknown) => services.logger.debug({ err }, 'modal changed while the source loaded'));
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
    await client.views
      .update({ view_id: view.id, hash: view.hash, view: await renderRestoreModal(services, inputs, source) })
      .catch((err: unknown) => services.logger.debug({ err }, 'modal changed again before this choice was shown'));
  };
}
