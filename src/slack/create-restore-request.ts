// A valid modal submission becomes a stored request (with the target's lock) and then a card in the channel.
import { rulesFor, type ClusterRules } from '../policy/policy.js';
import { REQUEST_STATES, type ClusterRef, type RestoreRequest, type SnapshotRef } from '../restore/types.js';
import { CHANNEL_FIXES } from './channel-access.js';
import type { Services } from './services.js';
import { requestPostedMessage } from './views/thread-messages.js';
import { plainState } from './views/request-card.js';
import { restoreFromText } from '../restore/restore-from-text.js';

export interface NewRequest {
  requester: string;
  source: ClusterRef;
  target: ClusterRef;
  snapshot: SnapshotRef;
  reason: string;
  channel: string;
  rules: ClusterRules;
  /** A point-in-time restore to this second; `snapshot` is then its base snapshot. */
  pointInTime?: RestoreRequest['pointInTime'];
  /** A collection-level restore of these namespaces, written as `writeStrategy` says. */
  namespaces?: RestoreRequest['namespaces'];
  writeStrategy?: RestoreRequest['writeStrategy'];
  indexStrategy?: RestoreRequest['indexStrategy'];
  /** Present when a safety snapshot of the target will be taken after the last approval. */
  safetySnapshot?: RestoreRequest['safetySnapshot'];
}

export type CreateResult =
  | { ok: true; request: RestoreRequest; publish: () => Promise<void> }
  | { ok: false; holder: string; since: string };

export async function createRestoreRequest(services: Services, input: NewRequest): Promise<CreateResult> {
  const { store, now } = services;
  const at = now();
  const expiresAt = new Date(at.getTime() + input.rules.approval.expiresAfterMinutes * 60_000);
  const request: RestoreRequest = {
    id: store.newRequestId(),
    requester: input.requester,
    source: input.source,
    target: input.target,
    snapshot: input.snapshot,
    reason: input.reason,
    state: 'pending_approval',
    approvalsRequired: input.rules.approval.required,
    approvals: [],
    dryRun: services.dryRun,
    channel: input.channel,
    createdAt: at.toISOString(),
    approvalExpiresAt: expiresAt.toISOString(),
    updatedAt: at.toISOString(),
    // Only what the request is: a whole-cluster restore from a snapshot stores none of these.
    ...(input.pointInTime ? { pointInTime: input.pointInTime } : {}),
    ...(input.namespaces ? { namespaces: input.namespaces, writeStrategy: input.writeStrategy ?? 'CREATE_NEW', indexStrategy: input.indexStrategy ?? 'ALL' } : {}),
    ...(input.safetySnapshot ? { safetySnapshot: { retentionInDays: input.safetySnapshot.retentionInDays } } : {}),
  };
  // One restore at a time per target, held from the request on; the lock outlives the approval window a little.
  const lockTtl = input.rules.approval.expiresAfterMinutes * 60 + 600;
  const lock = await store.acquireTargetLock(input.target, request.id, lockTtl);
  if (!lock.ok) return { ok: false, holder: lock.holder, since: lock.since };
  try {
    await store.create(request);
  } catch (err) {
    await store.releaseTargetLock(input.target, request.id).catch(() => undefined);
    throw err;
  }
  return { ok: true, request, publish: () => publishRequest(services, request) };
}

async function publishRequest(services: Services, request: RestoreRequest): Promise<void> {
  const { store, messenger, logger } = services;
  const posted = await messenger.postCard(request);
  if (!posted.ok) {
    const cancelled = await store.transition(request.id, ['pending_approval'], 'cancelled', { failureReason: `The request card could not be posted: ${posted.error}` });
    if (!cancelled.ok) {
      // Decided meanwhile (the App Home shows a request, with Approve and Reject, before its card exists). It stands as
      // decided: an approved one goes ahead and keeps its target. It was requested, so the audit says so; only the
      // requester can be told, as its thread can't be posted either.
      logger.warn({ requestId: request.id, state: cancelled.request?.state, slackError: posted.error }, 'request card could not be posted after the request was decided');
      await auditRequested(services, request);
      await messenger.directMessage(request.requester, decidedWithoutCardText(request, posted.error, cancelled.request));
      return;
    }
    await store.releaseTargetLock(request.target, request.id);
    const fix = CHANNEL_FIXES[posted.error] ?? `Slack answered \`${posted.error}\`. Try again in a moment.`;
    await store.audit({ type: 'refused', requestId: request.id, user: request.requester, detail: `card not posted in ${request.channel}: ${posted.error}` });
    logger.warn({ requestId: request.id, channel: request.channel, slackError: posted.error }, 'request card could not be posted');
    await messenger.directMessage(request.requester, `I couldn't post your restore request ${request.id} in <#${request.channel}>: nothing was requested. ${fix}`);
    return;
  }
  // Whatever happened meanwhile (App Home shows the request, with its Approve button, before the card exists): every
  // later card update and thread message needs the ts.
  const saved = await store.update(request.id, REQUEST_STATES, { cardTs: posted.ts });
  const current = saved.request ?? { ...request, cardTs: posted.ts };
  await auditRequested(services, request);
  logger.info({ requestId: request.id, requester: request.requester, source: request.source.cluster, target: request.target.cluster, dryRun: request.dryRun }, 'restore requested');
  await services.tracker.scheduleApprovalExpiry(request.id, new Date(request.approvalExpiresAt));
  // Called to the card: the target's approvers, less the requester where they may not approve their own request.
  const rules = rulesFor(services.policy, request.target);
  const approvers = rules.approval.allowSelfApproval ? rules.approvers : rules.approvers.filter((id) => id !== request.requester);
  await messenger.postInThread(current, requestPostedMessage(current, approvers));
}

async function auditRequested(services: Services, request: RestoreRequest): Promise<void> {
  await services.store.audit({
    type: 'requested',
    requestId: request.id,
    user: request.requester,
    detail: `${auditWhat(request)} → ${request.target.project}/${request.target.cluster}${auditHow(request)}: ${request.reason}`,
  });
}

/** The requester's DM when the card couldn't be posted but the request had been decided: what stands now. */
function decidedWithoutCardText(request: RestoreRequest, slackError: string, now: RestoreRequest | null | undefined): string {
  const head = `I couldn't post your restore request ${request.id} in <#${request.channel}> (${slackError}), but it was decided meanwhile`;
  const status = `\`/atlas-restore status ${request.id}\` shows where it stands.`;
  if (!now) return `${head}. ${status}`;
  if (now.state === 'rejected' || now.state === 'approval_expired' || (now.state === 'cancelled' && !now.atlasJobId)) {
    return `${head} (${plainState(now)}): nothing will be restored.`;
  }
  const inFlight = now.state === 'approved' || now.state === 'submitting' || now.state === 'running';
  return `${head} (${plainState(now)})${inFlight ? ': it goes ahead' : ''}. ${status}`;
}

/** "shop/ledger snapshot 6748…" or "shop/ledger at 2026-12-01T14:05:00Z (base snapshot 6748…) only sales.orders". */
function auditWhat(req: RestoreRequest): string {
  const from = restoreFromText(req);
  const only = req.namespaces ? ` only ${req.namespaces.map((n) => n.sourceNamespace).join(',')}` : '';
  return `${req.source.project}/${req.source.cluster} ${from}${only}`;
}

function auditHow(req: RestoreRequest): string {
  const parts = [req.namespaces ? `${req.writeStrategy}, indexes ${req.indexStrategy}` : undefined, req.safetySnapshot ? `safety snapshot kept ${req.safetySnapshot.retentionInDays} d` : undefined];
  const shown = parts.filter(Boolean);
  return shown.length > 0 ? ` (${shown.join('; ')})` : '';
}
