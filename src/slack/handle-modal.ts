// The restore modal's submission, which creates the request (its changes before that: handle-modal-change.ts).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { clusterKey, rulesFor } from '../policy/policy.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { checkModalSubmission } from './check-modal-submission.js';
import { createRestoreRequest, type CreateResult } from './create-restore-request.js';
import { startSubmitClock, type SubmitClock } from './submit-clock.js';
import { withDeadline } from './with-deadline.js';
import { claimSubmission, STILL_SUBMITTING_TEXT, type SubmissionAttempt } from './duplicate-submission.js';
import { readModalSubmission, type ModalSubmission, type ModalSubmissionView } from './views/restore-modal.js';
import { lockHolderText, plainModalErrors } from './views/modal-errors.js';
import { buildNoticeModal } from './views/home-view.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The policy may leave a cluster's type to detection; the client has usually detected it already (listing the
 * snapshots), so asking is a cache hit. Kept as `detectedType` for people to read: Atlas calls go by the policy's
 * type only, so a cluster that changes type before the approval (Flex upgraded to dedicated) is detected again.
 */
async function withKnownType(services: Services, ref: ClusterRef, clock: SubmitClock): Promise<ClusterRef> {
  if (ref.type) return ref;
  const detect = services.atlas.detectClusterType({ groupId: ref.groupId, clusterName: ref.cluster }).catch(() => undefined);
  const detectedType = await withDeadline(detect, clock.budget(300));
  return detectedType ? { ...ref, detectedType } : ref;
}

async function describeLockHolder(services: Services, target: ClusterRef, holder: string, since: string, viewer: string, timeZone: string): Promise<string> {
  const held = await services.store.get(holder).catch(() => null);
  return lockHolderText({ targetKey: clusterKey(target), holder, since, held, viewer, timeZone });
}

/** Said on the form when the request could not be stored (Redis failing): nothing exists, and submitting again may work. */
export const NOT_SAVED_TEXT = "Your request couldn't be saved (the restore records can't be written right now), so nothing was requested. Submit again in a moment; if it keeps failing, tell the bot's operators.";

/** How long Slack waits for the answer to a view submission. */
const SLACK_ANSWER_MS = 3000;

/** Said when the checks used up the time Slack waits for an answer: a request made now might never be shown. */
export const TOO_SLOW_TEXT = 'Checking this request took longer than Slack waits for an answer (Slack or Atlas answered slowly), so nothing was requested. Submit again in a moment.';

export const OUTDATED_FORM_TEXT = "This form can't be read any more (it may be from before the bot was updated), so nothing was requested. Close it and run `/atlas-restore` again.";

export function handleModalSubmission(services: Services) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const clock = startSubmitClock();
    const user = body.user.id;
    let sub: ModalSubmission;
    try {
      sub = readModalSubmission(view as unknown as ModalSubmissionView);
    } catch (err) {
      // Its metadata can't be read (a form opened before an upgrade that changed it, or a crafted payload). Errors would
      // have to name a block of a view we can't read, and an empty map shows nothing: the form is replaced by a notice.
      services.logger.warn({ err, user }, 'restore form submission could not be read');
      return ack({ response_action: 'update', view: buildNoticeModal('Atlas Restore', OUTDATED_FORM_TEXT) });
    }
    const targetField = sub.blockIds.target ?? 'restore_source';
    const checked = await checkModalSubmission(services, user, view.id, sub, clock);
    // Inline errors are plain text: the checks' mrkdwn (mentions, code spans) is turned into words.
    if (!checked.ok) return ack({ ...checked.response, errors: plainModalErrors(checked.response.errors) });
    // Slack may deliver the same submission twice: one view, one request, and both deliveries answer alike.
    let attempt: SubmissionAttempt;
    try {
      attempt = await claimSubmission(services, view.id);
    } catch (err) {
      services.logger.error({ err, user }, 'submission claim failed');
      return ack({ response_action: 'errors', errors: { [targetField]: NOT_SAVED_TEXT } });
    }
    if (attempt.otherHolder !== undefined) {
      const other = await attempt.waitForOther(clock);
      if (other.kind === 'made') return ack();
      if (other.kind === 'refused') return ack({ response_action: 'errors', errors: other.errors });
      if (other.kind === 'running') return ack({ response_action: 'errors', errors: { [targetField]: STILL_SUBMITTING_TEXT } });
      // 'ended': it gave the claim back without an outcome; this delivery makes the attempt.
    }
    // The claim is for this attempt only: when it ends without a request, a new submit must be able to make one.
    const refuse = async (message: string) => {
      const errors = { [targetField]: message };
      await attempt.refused(errors);
      return ack({ response_action: 'errors', errors });
    };

    let created: CreateResult;
    try {
      // Both at once: each may wait up to its deadline, and all of this happens before Slack's 3 s ack.
      const [source, target] = await Promise.all([withKnownType(services, checked.source, clock), withKnownType(services, checked.target, clock)]);
      if (clock.left() === 0) {
        services.logger.warn({ user }, 'restore form submission ran out of time before the request was made');
        return refuse(TOO_SLOW_TEXT);
      }
      created = await createRestoreRequest(services, {
        requester: user,
        source,
        target,
        snapshot: checked.snapshot,
        reason: checked.reason,
        channel: sub.meta.channel,
        rules: rulesFor(services.policy, checked.target),
        pointInTime: checked.pointInTime,
        namespaces: checked.namespaces,
        writeStrategy: checked.writeStrategy,
        indexStrategy: checked.indexStrategy,
        safetySnapshot: checked.safetySnapshot,
      });
    } catch (err) {
      services.logger.error({ err, user }, 'restore request could not be created');
      return refuse(NOT_SAVED_TEXT);
    }
    if (!created.ok) {
      const message = await describeLockHolder(services, checked.target, created.holder, created.since, user, sub.meta.timeZone ?? 'UTC');
      await services.store.audit({ type: 'refused', user, detail: message }).catch(() => undefined);
      return refuse(message);
    }
    await attempt.made(created.request.id);
    // Late when the ack throws (the HTTP receiver has answered for us) or, in Socket Mode, whose ack never throws,
    // when Slack's 3 s have passed since the submission came in.
    const late = await ack().then(
      () => clock.elapsed() >= SLACK_ANSWER_MS,
      (err: unknown) => {
        services.logger.debug({ err, user }, 'the ack of the form submission failed');
        return true;
      },
    );
    if (late) {
      // Slack stopped waiting and showed the form an error of its own. The request exists and holds the target:
      // publish it anyway, and tell the requester, rather than leave it unseen.
      services.logger.warn({ user, requestId: created.request.id }, 'the form submission was answered too late; publishing the request anyway');
      await created.publish();
      // Only once the card is up: when it couldn't be posted, publish has cancelled the request and said so itself.
      const posted = await services.store.get(created.request.id).catch(() => null);
      if (posted?.cardTs) await services.messenger.directMessage(user, lateAnswerText(created.request.id, sub.meta.channel)).catch(() => undefined);
      return;
    }
    await created.publish();
  };
}

/** The direct message after a late answer: the form may show an error, but the request was made. */
function lateAnswerText(requestId: string, channel: string): string {
  return `Your restore request ${requestId} was made and posted in <#${channel}>, although the form may have shown an error (Slack stopped waiting for my answer). Don't submit it again: follow it in the channel, or cancel it there.`;
}
