// Opens the restore form on a trigger_id and fills it in: the slash command and the App Home's "New restore" button
// both come here once they have acked. trigger_id dies 3 s after the click or command, so a loading modal opens at
// once and is filled in when the policy, the viewer's time zone and Atlas have answered.
import type { webApi } from '@slack/bolt';
import { clusterKey } from '../policy/policy.js';
import type { Services } from './services.js';
import { allowedClusters, applyPrefill, clusterByKey, prefilledChoices, type AllowedClusters, type ModalInputs, type Prefill } from './build-modal-state.js';
import { CHANNEL_ACCESS_BUDGET_MS, channelAccessProblem } from './channel-access.js';
import { loadSourceSection, type SourceSection } from './load-modal-sources.js';
import { updateModal } from './update-modal.js';
import { withDeadline } from './with-deadline.js';
import { renderRestoreModal } from './render-restore-modal.js';
import { buildLoadingModal } from './views/restore-modal.js';
import { windowText, zonedTime } from './views/restore-modal-from.js';
import { collectionsUnavailable, pointInTimeUnavailable, pointInTimeWindow } from './views/source-facts.js';

export interface OpenRestoreModalInput {
  user: string;
  /** Where the request card will be posted. */
  channel: string;
  triggerId: string;
  prefill: Prefill;
  /** The clusters the user may use, when the caller has started asking already. */
  allowed?: Promise<AllowedClusters>;
}

/** Why a pre-filled snapshot, list of namespaces or time was dropped or won't do; empty when all are fine. */
function prefillNotices(prefill: Prefill, sourceKey: string | undefined, source: SourceSection, timeZone: string, nowSeconds: number): string[] {
  const notices: string[] = [];
  const { snapshots, facts } = source;
  if (prefill.snapshotId && snapshots.status === 'loaded' && !snapshots.snapshots.some((s) => s.id === prefill.snapshotId)) {
    notices.push(`Snapshot \`${prefill.snapshotId}\` is not among the snapshots of this source, so none is pre-selected.`);
  }
  if (sourceKey !== undefined && facts.status === 'error' && (prefill.namespaces || prefill.pointInTime !== undefined)) {
    // Without Atlas's answer the form can only offer a whole-cluster restore from a snapshot: say what was left out.
    const what = [prefill.namespaces ? 'the namespaces' : undefined, prefill.pointInTime !== undefined ? 'the time' : undefined].filter(Boolean).join(' and ');
    notices.push(`Atlas didn't say what \`${sourceKey}\` can restore, so ${what} you gave could not be offered: choose the source again to retry.`);
  }
  if (sourceKey === undefined || facts.status !== 'loaded') return notices;
  const noNamespaces = prefill.namespaces ? collectionsUnavailable(sourceKey, facts) : undefined;
  if (noNamespaces) notices.push(`${noNamespaces} The namespaces you gave were dropped.`);
  if (prefill.pointInTime === undefined) return notices;
  const noTime = pointInTimeUnavailable(sourceKey, facts);
  const window = pointInTimeWindow(facts, nowSeconds);
  if (noTime) notices.push(`${noTime} The time you gave was dropped.`);
  else if (window && (prefill.pointInTime < window.fromUnixSeconds || prefill.pointInTime > window.toUnixSeconds)) {
    notices.push(`The time you gave, ${zonedTime(prefill.pointInTime, timeZone)}, is outside the restorable window of \`${sourceKey}\`: ${windowText(window, timeZone)}. Choose a time inside it.`);
  }
  return notices;
}

export async function openRestoreModal(services: Services, client: webApi.WebClient, input: OpenRestoreModalInput): Promise<void> {
  const { user, channel, prefill } = input;
  const allowed = input.allowed ?? allowedClusters(services, user);
  const meta = { channel };
  // The trigger lapses 3 s after the click: these two must not wait behind a rate limit another call ran into.
  const formClient = services.formClient ?? client;
  const opened = formClient.views.open({ trigger_id: input.triggerId, view: buildLoadingModal(meta) });
  const timeZone = formClient.users
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
  // Asked while the form loads (after views.open, which must not wait for it), so that the requester knows before
  // filling it in.
  const access = services.messenger.channelAccess(channel).catch(() => 'unknown' as const);
  const { clusters, refusal } = await allowed;
  const zone = await timeZone;
  const inputs: ModalInputs = { meta: { ...meta, timeZone: zone }, timeZone: zone, clusters };
  if (clusters.length === 0) {
    await services.store.audit({ type: 'refused', user, detail: refusal ?? 'not a requester of any cluster' }).catch(() => undefined);
    const view = await renderRestoreModal(services, { ...inputs, notice: refusal }, { snapshots: { status: 'loaded', snapshots: [] }, facts: { status: 'loading' } });
    await updateModal(services, client, { viewId, view }, { channel, user });
    return;
  }
  const picked = applyPrefill(services, clusters, prefill);
  const sourceKey = picked.sourceKey ?? clusterKey(clusters[0]!);
  const source = await loadSourceSection(services, viewId, clusterByKey(clusters, sourceKey));
  const channelProblem = channelAccessProblem(await withDeadline(access, CHANNEL_ACCESS_BUDGET_MS));
  const notices = [channelProblem, picked.notice, ...prefillNotices(prefill, sourceKey, source, zone, Math.floor(services.now().getTime() / 1000))].filter(Boolean);
  const snapshotListed = source.snapshots.status !== 'loaded' || source.snapshots.snapshots.some((s) => s.id === prefill.snapshotId);
  const full: ModalInputs = {
    ...inputs,
    ...picked,
    sourceKey,
    snapshotId: snapshotListed ? prefill.snapshotId : undefined,
    choices: prefilledChoices(prefill),
    notice: notices.length > 0 ? notices.join(' ') : undefined,
  };
  await updateModal(services, client, { viewId, view: await renderRestoreModal(services, full, source) }, { channel, user });
}
