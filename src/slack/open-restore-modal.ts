// Opens the restore form on a trigger_id and fills it in: the slash command and the App Home's "New restore" button
// both come here once they have acked. trigger_id dies 3 s after the click or command, so a loading modal opens at
// once and is filled in when the policy, the viewer's time zone and Atlas have answered.
import type { webApi } from '@slack/bolt';
import type { Services } from './services.js';
import { allowedClusters, applyPrefill, clusterByKey, loadSnapshotSection, modalState, type AllowedClusters, type Prefill } from './build-modal-state.js';
import { buildLoadingModal, buildRestoreModal } from './views/restore-modal.js';

export interface OpenRestoreModalInput {
  user: string;
  /** Where the request card will be posted. */
  channel: string;
  triggerId: string;
  prefill: Prefill;
  /** The clusters the user may use, when the caller has started asking already. */
  allowed?: Promise<AllowedClusters>;
}

export async function openRestoreModal(services: Services, client: webApi.WebClient, input: OpenRestoreModalInput): Promise<void> {
  const { user, channel, prefill } = input;
  const allowed = input.allowed ?? allowedClusters(services, user);
  const meta = { channel };
  const opened = client.views.open({ trigger_id: input.triggerId, view: buildLoadingModal(meta) });
  const timeZone = client.users
    .info({ user })
    .then((r) => r.user?.tz ?? 'UTC')
    .catch(() => 'UTC');
  let viewId: string;
  try {
    viewId = (await opened).view?.id ?? '';
  } catch (err) {
    services.logger.warn({ err, user }, 'could not open the restore modal');
    await services.messenger.tellUser(channel, user, 'The restore form could not be opened (Slack took too long). Try again.');
    return;
  }
  const { clusters, refusal } = await allowed;
  const zone = await timeZone;
  const inputs = { meta: { ...meta, timeZone: zone }, timeZone: zone, clusters };
  if (clusters.length === 0) {
    await services.store.audit({ type: 'refused', user, detail: refusal ?? 'not a requester of any cluster' }).catch(() => undefined);
    await client.views.update({ view_id: viewId, view: buildRestoreModal(modalState({ ...inputs, notice: refusal }, { status: 'loaded', snapshots: [] })) });
    return;
  }
  const picked = applyPrefill(services, clusters, prefill);
  const full = { ...inputs, ...picked, snapshotId: prefill.snapshotId };
  const state = modalState(full, { status: 'loading' });
  const snapshots = await loadSnapshotSection(services, viewId, clusterByKey(clusters, state.selectedSourceKey));
  if (prefill.snapshotId && snapshots.status === 'loaded' && !snapshots.snapshots.some((s) => s.id === prefill.snapshotId)) {
    full.notice = [picked.notice, `Snapshot \`${prefill.snapshotId}\` is not among the snapshots of this source, so none is pre-selected.`].filter(Boolean).join(' ');
    full.snapshotId = undefined;
  }
  try {
    await client.views.update({ view_id: viewId, view: buildRestoreModal(modalState(full, snapshots)) });
  } catch (err) {
    services.logger.warn({ err }, 'could not fill the restore modal');
  }
}
