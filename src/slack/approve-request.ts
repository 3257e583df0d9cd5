// An Approve click, after the policy said yes: count it, and when it is the last one needed, re-validate and submit.
import { isAtlasApiError } from '../atlas/errors.js';
import { mayRequest } from '../policy/policy.js';
import { submitRestore, type SubmitDeps, type SubmitOutcome } from '../restore/submit-restore.js';
import type { RestoreRequest } from '../restore/types.js';
import type { Services } from './services.js';
import { recordFinished } from '../http/instrument.js';
import { approvalRecordedMessage, refusedMessage, submitFailedMessage, submittedMessage } from './views/thread-messages.js';

export async function approveRequest(services: Services, request: RestoreRequest, user: string): Promise<void> {
  const { store, messenger, now } = services;
  const added = await store.addApproval(request.id, user, now().toISOString());
  if (added.outcome !== 'added' || !added.request) {
    const why = added.outcome === 'already_approved' ? `You've already approved ${request.id}.` : `${request.id} is no longer waiting for approval.`;
    await messenger.tellUser(request.channel, user, why, request.cardTs);
    return;
  }
  await store.audit({ type: 'approved', requestId: request.id, user, detail: `${added.request.approvals.length} of ${added.request.approvalsRequired}` });
  services.logger.info({ requestId: request.id, approver: user, approvals: added.request.approvals.length }, 'restore approved');
  await messenger.updateCard(added.request);
  await messenger.postInThread(added.request, approvalRecordedMessage(added.request, user));
  // Exactly one click completes the approval (atomic in the store); only that one goes on.
  if (added.complete) await submitApproved(services, added.request);
}

/** Re-reads what may have changed since the request was made, before anything is sent to Atlas. */
async function revalidate(services: Services, req: RestoreRequest): Promise<string | undefined> {
  const requester = await mayRequest(services.policy, services.resolver, req.requester, req.source, req.target);
  if (!requester.allowed) return `the requester is no longer allowed: ${requester.message}`;
  try {
    const snapshot = await services.atlas.getSnapshot({ groupId: req.source.groupId, clusterName: req.source.cluster, type: req.source.type }, req.snapshot.id);
    if (snapshot.status !== 'completed') return `snapshot \`${req.snapshot.id}\` is ${snapshot.status}, not completed`;
  } catch (err) {
    if (isAtlasApiError(err) && err.status === 404) return `snapshot \`${req.snapshot.id}\` no longer exists in Atlas`;
    return `Atlas could not confirm the snapshot (${isAtlasApiError(err) ? err.hint : String(err)})`;
  }
  return undefined;
}

/** The last approval is in: re-validate and submit. Also used to finish a submission a crashed replica left in `approved`. */
export async function submitApproved(services: Services, approved: RestoreRequest): Promise<void> {
  const { store, messenger, logger } = services;
  const problem = await revalidate(services, approved);
  if (problem) {
    const failed = await store.transition(approved.id, ['approved'], 'failed', { failureReason: `Not submitted: ${problem}.`, finishedAt: services.now().toISOString() });
    if (!failed.ok) return;
    await store.releaseTargetLock(approved.target, approved.id);
    await store.audit({ type: 'refused', requestId: approved.id, detail: problem });
    recordFinished(services.metrics, failed.request);
    logger.warn({ requestId: approved.id, problem }, 'approved restore not submitted');
    await messenger.updateCard(failed.request);
    await messenger.postInThread(failed.request, refusedMessage(failed.request, approved.requester, `Not submitted: ${problem}.`));
    return;
  }
  const outcome = await submitRestore(submitDepsOf(services, approved.dryRun), approved.id);
  await announceSubmitOutcome(services, outcome);
}

/** What submitting and reconciling need, from the app's services. */
export function submitDepsOf(services: Services, dryRun: boolean): SubmitDeps {
  const { store, atlas, logger, now, reconcileDelayMs } = services;
  return { store, atlas, logger, dryRun, now, ...(reconcileDelayMs !== undefined ? { reconcileDelayMs } : {}) };
}

/** Card and thread after a submission attempt; starts following the restore when Atlas has a job. */
export async function announceSubmitOutcome(services: Services, outcome: SubmitOutcome): Promise<void> {
  const { messenger } = services;
  switch (outcome.kind) {
    case 'submitted':
    case 'adopted':
      await services.tracker.track(outcome.request.id);
      await messenger.updateCard(outcome.request);
      await messenger.postInThread(outcome.request, submittedMessage(outcome.request));
      return;
    case 'dry_run':
      recordFinished(services.metrics, outcome.request);
      await messenger.updateCard(outcome.request);
      await messenger.postInThread(outcome.request, submittedMessage(outcome.request));
      return;
    case 'failed':
      recordFinished(services.metrics, outcome.request);
      await messenger.updateCard(outcome.request);
      await messenger.postInThread(outcome.request, submitFailedMessage(outcome.request, outcome));
      return;
    case 'not_submittable':
      return;
  }
}
