// Messages posted in the request card's thread (DESIGN.md §2, steps 3–4). Each returns what
// chat.postMessage needs: `text` (mrkdwn, also the notification text) and, for some, `blocks`.
import type { KnownBlock } from '@slack/types';
import type { RestoreJobState } from '../../atlas/types.js';
import type { RestoreRequest } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { between, escapeText, formatDuration, mention, mentionList, slackDate } from './format.js';
import { clusterLabel } from './request-card.js';

export interface ThreadMessage {
  text: string;
  blocks?: KnownBlock[];
}

function job(req: RestoreRequest): string {
  return req.atlasJobId ? `Atlas job \`${escapeText(req.atlasJobId)}\`` : 'the Atlas job';
}

export function requestPostedMessage(req: RestoreRequest, approvers: readonly string[] = []): ThreadMessage {
  const who = approvers.length > 0 ? `${mentionList(approvers)}: ` : '';
  const n = req.approvalsRequired;
  return {
    text:
      `${who}${mention(req.requester)} asks to restore ${clusterLabel(req.source)} into ${clusterLabel(req.target)}` +
      `${req.dryRun ? ' (*dry run*)' : ''}. It needs ${n} approval${n === 1 ? '' : 's'} before ${slackDate(req.approvalExpiresAt, '{time}')}. ` +
      'Use the buttons on the card above. Updates follow in this thread.',
  };
}

export function approvalRecordedMessage(req: RestoreRequest, approverId: string): ThreadMessage {
  const remaining = req.approvalsRequired - req.approvals.length;
  const more = remaining > 0 ? ` ${remaining} more needed.` : '';
  return { text: `:ballot_box_with_check: ${mention(approverId)} approved (${req.approvals.length} of ${req.approvalsRequired}).${more}` };
}

export function submittedMessage(req: RestoreRequest): ThreadMessage {
  if (req.dryRun) {
    return { text: `:test_tube: Dry run: no restore was sent. Every check passed; a real run would now restore into ${clusterLabel(req.target)}.` };
  }
  return { text: `:rocket: Restore submitted to Atlas: ${job(req)}. I'll post each change of state here.` };
}

export interface AtlasErrorInfo {
  /** Plain sentence from the Atlas error mapping. */
  message: string;
  /** What to do about it, e.g. "add the bot's egress IP to the API key's access list". */
  hint?: string | undefined;
  code?: string | undefined;
}

export function atlasErrorMessage(req: RestoreRequest, error: AtlasErrorInfo): ThreadMessage {
  const code = error.code ? ` (\`${escapeText(error.code)}\`)` : '';
  const hint = error.hint ? `\n${escapeText(error.hint)}` : '';
  return { text: `:warning: Atlas refused the restore of ${req.id}${code}: ${escapeText(error.message)}${hint}` };
}

/** The POST's answer was lost and no job turned up: not a refusal, and a job may still exist. */
export function unconfirmedSubmitMessage(req: RestoreRequest, detail: string): ThreadMessage {
  return {
    text:
      `:grey_question: Atlas did not confirm the restore of ${req.id}, and no matching restore job could be found. ` +
      `${escapeText(detail)}\nI won't send it again by myself: check the restore jobs of ${clusterLabel(req.source)} in Atlas first.`,
  };
}

/** How a submission that ended in `failed` is told in the thread. */
export function submitFailedMessage(req: RestoreRequest, failure: AtlasErrorInfo & { outcomeUnknown?: boolean | undefined }): ThreadMessage {
  return failure.outcomeUnknown ? unconfirmedSubmitMessage(req, failure.message) : atlasErrorMessage(req, failure);
}

/** Following stopped for good (job gone, access lost): the restore itself may still run in Atlas. */
export function trackingLostMessage(req: RestoreRequest, error: AtlasErrorInfo): ThreadMessage {
  const hint = error.hint ? `\n${escapeText(error.hint)}` : '';
  return {
    text: `:warning: I can no longer follow ${job(req)} of ${req.id}: ${escapeText(error.message)}${hint}\nCheck the restore in Atlas; this request is closed.`,
  };
}

export function cancelRequestedMessage(req: RestoreRequest, userId: string): ThreadMessage {
  return { text: `:no_entry_sign: ${mention(userId)} asked Atlas to cancel ${job(req)}. I'll post here when Atlas confirms.` };
}

export function jobStateMessage(req: RestoreRequest, state: Extract<RestoreJobState, 'pending' | 'running'>): ThreadMessage {
  return {
    text:
      state === 'pending'
        ? `:hourglass_flowing_sand: ${job(req)} is queued in Atlas.`
        : `:arrows_counterclockwise: ${job(req)} is running: restoring into ${clusterLabel(req.target)}.`,
  };
}

const FINAL_TITLES = {
  completed: ':white_check_mark: *Restore completed*',
  failed: ':x: *Restore failed*',
  cancelled: ':no_entry_sign: *Restore cancelled*',
  expired: ':hourglass: *Restore expired*',
} as const;

/** The last message of a restore that reached Atlas: completed, failed, cancelled or expired. */
export function finalMessage(req: RestoreRequest, now: Date): ThreadMessage {
  const outcome = req.state === 'failed' || req.state === 'cancelled' || req.state === 'expired' ? req.state : 'completed';
  const start = req.submittedAt ?? req.submittingAt ?? req.createdAt;
  const ms = between(start, req.finishedAt ?? now.toISOString());
  const duration = ms === undefined ? '' : ` after ${formatDuration(ms)}`;
  const lines = [
    `${FINAL_TITLES[outcome]}${duration}: ${clusterLabel(req.source)} → ${clusterLabel(req.target)}, ${job(req)}. ${mention(req.requester)}`,
  ];
  if (outcome === 'failed') lines.push(`Atlas says: ${req.failureReason ? escapeText(req.failureReason) : 'no reason given'}`);
  if (outcome === 'cancelled' && req.cancelledBy) lines.push(`Cancelled by ${mention(req.cancelledBy)}.`);
  if (outcome === 'completed') lines.push(`Snapshot \`${escapeText(req.snapshot.id)}\` (${slackDate(req.snapshot.createdAt)}) is now on ${clusterLabel(req.target)}.`);
  const text = lines.join('\n');
  const plainTitle = FINAL_TITLES[outcome].replace(/^:[a-z_]+: \*|\*$/g, '');
  return {
    text: `${plainTitle}: ${req.id} (${clusterKey(req.source)} → ${clusterKey(req.target)})`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

export function statusUnknownMessage(req: RestoreRequest, detail?: string): ThreadMessage {
  const why = detail ? ` (${escapeText(detail)})` : '';
  return {
    text: `:grey_question: Atlas can't be reached right now${why}, so the state of ${job(req)} is unknown. I'll keep checking and post here when I know more.`,
  };
}

export function longRunningMessage(req: RestoreRequest, now: Date): ThreadMessage {
  const ms = between(req.submittedAt ?? req.createdAt, now.toISOString()) ?? 0;
  return {
    text: `:turtle: ${job(req)} has been running for ${formatDuration(ms)}. Large restores can take hours; check the Atlas UI if this looks stuck.`,
  };
}

export function rejectedMessage(req: RestoreRequest): ThreadMessage {
  const by = req.rejectedBy ? ` by ${mention(req.rejectedBy)}` : '';
  return { text: `:no_entry: Request ${req.id} was rejected${by}. Nothing was restored. ${mention(req.requester)}` };
}

export function cancelledMessage(req: RestoreRequest): ThreadMessage {
  const by = req.cancelledBy ? ` by ${mention(req.cancelledBy)}` : '';
  return { text: `:no_entry_sign: Request ${req.id} was cancelled${by} before any restore was sent. Nothing was restored.` };
}

export function approvalExpiredMessage(req: RestoreRequest): ThreadMessage {
  return {
    text: `:hourglass: Request ${req.id} expired: it had ${req.approvals.length} of ${req.approvalsRequired} approvals at ${slackDate(req.approvalExpiresAt, '{time}')}. Nothing was restored. ${mention(req.requester)}, run \`/atlas-restore\` again if it's still needed.`,
  };
}

/**
 * Someone's action was refused, e.g. by the policy or because the request changed meanwhile.
 * `reason` is mrkdwn written by this app (a Decision message), so it is not escaped.
 */
export function refusedMessage(req: RestoreRequest, userId: string, reason: string): ThreadMessage {
  return { text: `:no_entry: ${mention(userId)}, that didn't go through for ${req.id}: ${reason}` };
}
