// The restore modal's submission, which creates the request (its changes before that: handle-modal-change.ts).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { rulesFor } from '../policy/policy.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { checkModalSubmission } from './check-modal-submission.js';
import { createRestoreRequest } from './create-restore-request.js';
import { withDeadline } from './with-deadline.js';
import { readModalSubmission, type ModalSubmission, type ModalSubmissionView } from './views/restore-modal.js';
import { formatInTimeZone } from './views/format.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The policy may leave a cluster's type to detection; the client has usually detected it already (listing the
 * snapshots), so asking is a cache hit. Kept as `detectedType` for people to read: Atlas calls go by the policy's
 * type only, so a cluster that changes type before the approval (Flex upgraded to dedicated) is detected again.
 */
async function withKnownType(services: Services, ref: ClusterRef): Promise<ClusterRef> {
  if (ref.type) return ref;
  const detect = services.atlas.detectClusterType({ groupId: ref.groupId, clusterName: ref.cluster }).catch(() => undefined);
  const detectedType = await withDeadline(detect, 300);
  return detectedType ? { ...ref, detectedType } : ref;
}

async function describeLockHolder(services: Services, target: ClusterRef, holder: string, since: string, timeZone: string): Promise<string> {
  const held = await services.store.get(holder).catch(() => null);
  const who = held ? `<@${held.requester}>` : 'another request';
  return `\`${target.project}/${target.cluster}\` already has a restore in progress: ${holder} by ${who} since ${formatInTimeZone(since, timeZone)}. Wait for it to end, or pick another target.`;
}

export function handleModalSubmission(services: Services) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const user = body.user.id;
    let sub: ModalSubmission;
    try {
      sub = readModalSubmission(view as unknown as ModalSubmissionView);
    } catch {
      return ack({ response_action: 'errors', errors: {} as Record<string, string> });
    }
    const checked = await checkModalSubmission(services, user, view.id, sub);
    if (!checked.ok) return ack(checked.response);
    // Slack may deliver the same submission twice: one view, one request.
    if (!(await services.store.claimOnce(`submit:${view.id}`, 3600))) return ack();

    const created = await createRestoreRequest(services, {
      requester: user,
      source: await withKnownType(services, checked.source),
      target: await withKnownType(services, checked.target),
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
    if (!created.ok) {
      const message = await describeLockHolder(services, checked.target, created.holder, created.since, sub.meta.timeZone ?? 'UTC');
      await services.store.audit({ type: 'refused', user, detail: message }).catch(() => undefined);
      // Let the user submit again later: the claim was for this attempt only.
      await services.store.releaseClaim(`submit:${view.id}`);
      return ack({ response_action: 'errors', errors: { [sub.blockIds.target ?? 'restore_source']: message } });
    }
    await ack();
    await created.publish();
  };
}
