// An Approve click, after the policy said yes: count it atomically; the click that completes the approvals hands the
// request to its restore job, which re-checks everything and submits it (restore/submit-step.ts), surviving restarts.
import type { RestoreRequest } from '../restore/types.js';
import type { Services } from './services.js';
import { approvalRecordedMessage } from './views/thread-messages.js';
import { withDeadline } from './with-deadline.js';

/**
 * How long the last approval's thread message may hold back the submission. Said first, it reads before the restore
 * job's own messages ("Restore submitted", a dry run's end); a Slack slower than this (429s, retries) gets the
 * submission going anyway, and the message follows when Slack takes it.
 */
const APPROVAL_MESSAGE_FIRST_MS = 5000;

export async function approveRequest(services: Services, request: RestoreRequest, user: string): Promise<void> {
  const { store, messenger, now } = services;
  const added = await store.addApproval(request.id, user, now().toISOString());
  if (added.outcome !== 'added' || !added.request) {
    const why =
      added.outcome === 'already_approved'
        ? `You've already approved ${request.id}.`
        : added.outcome === 'expired'
          ? `${request.id}'s approval window has closed; request the restore again if it's still needed.`
          : `${request.id} is no longer waiting for approval.`;
    await messenger.tellUser(request.channel, user, why, request.cardTs);
    return;
  }
  // The approval is recorded: nothing after it may answer "try again" (a second click would only hear "already approved").
  const event = { type: 'approved' as const, requestId: request.id, user, detail: `${added.request.approvals.length} of ${added.request.approvalsRequired}` };
  await store.audit(event).catch((err: unknown) => services.logger.error({ audit: event, err }, 'audit entry not written'));
  services.logger.info({ requestId: request.id, approver: user, approvals: added.request.approvals.length }, 'restore approved');
  // The card (rendered from the stored request, whatever lands last) goes alongside; the thread message goes first.
  const card = messenger.updateCard(added.request);
  const said = messenger.postInThread(added.request, approvalRecordedMessage(added.request, user));
  // Exactly one click completes the approval (atomic in the store); only that one starts the submission. Should this
  // fail (Redis gone), the reconciler finds the request approved without a job and starts one.
  if (added.complete) {
    await withDeadline(said, APPROVAL_MESSAGE_FIRST_MS);
    await services.tracker.track(request.id).catch(async (err: unknown) => {
      services.logger.warn({ requestId: request.id, err }, 'could not start the restore job after the last approval; the reconciler starts it');
      await messenger.tellUser(request.channel, user, jobNotStarted(request.id), request.cardTs).catch(() => undefined);
    });
  }
  await Promise.all([card, said]);
}

function jobNotStarted(id: string): string {
  return `Your approval of ${id} is recorded and completes it, but the bot couldn't hand it on just now (Redis didn't take its job). It goes on by itself within a few minutes: there's nothing to click again.`;
}
