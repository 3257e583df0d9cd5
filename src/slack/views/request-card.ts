// The request card: the channel message that is the thread root of one restore (DESIGN.md §2, step 2).
// Rebuilt from the stored request on every change; buttons carry only the request id.
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { restoreStartedAt } from '../../restore/restore-started-at.js';
import { FINAL_REQUEST_STATES, type ClusterRef, type RestoreRequest } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { between, clip, escapeText, formatDuration, mention, mentionList, slackDate } from './format.js';
import { approvalWarning, approveConfirmText, namespaceLines, restoreHow, utcSecond } from './describe-restore.js';
import { drillOrigin } from './drill-messages.js';
import { endTitle, endTitleText, notSubmittedReason, nothingRestoredAfter } from './end-title.js';
import { APPROVE_ACTION_ID, CANCEL_ACTION_ID, CARD_ACTIONS_BLOCK_ID, REJECT_ACTION_ID } from './ids.js';

// Slack limits: header 150, button 75, confirm title 100, confirm text 300, confirm/deny 30.
const plain = (text: string, max = 150) => ({ type: 'plain_text' as const, text: clip(text, max), emoji: true });

/** Atlas's reasons and ours can be long; a section's text may hold 3000 characters, and the card has several. */
const MAX_REASON = 1500;

/** `shop/orders` (flex) */
export function clusterLabel(ref: ClusterRef): string {
  const type = ref.type ?? ref.detectedType;
  return `\`${escapeText(clusterKey(ref))}\`${type ? ` (${type})` : ''}`;
}

function quote(text: string): string {
  return escapeText(text)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

function approvalProgress(req: RestoreRequest): string {
  const who = req.approvals.length > 0 ? `: ${mentionList(req.approvals.map((a) => a.user))}` : '';
  return `${req.approvals.length} of ${req.approvalsRequired}${who}`;
}

/**
 * The card is a message that stays in the channel: "in 30 min" would be stale minutes later, so it shows only the
 * time (Slack renders it in each reader's zone). Ephemeral answers, read once, also say how long is left.
 */
function expiryText(req: RestoreRequest, now: Date, relative: boolean): string {
  if (!relative) return slackDate(req.approvalExpiresAt, '{date_short_pretty} {time}');
  const left = Date.parse(req.approvalExpiresAt) - now.getTime();
  const remaining = Number.isNaN(left) ? '' : left <= 0 ? ' (now)' : ` (in ${formatDuration(Math.max(left, 60_000))})`;
  return `${slackDate(req.approvalExpiresAt, '{date_short_pretty} {time}')}${remaining}`;
}

function jobRef(req: RestoreRequest): string {
  return req.atlasJobId ? ` (Atlas job \`${escapeText(req.atlasJobId)}\`)` : '';
}

function durationText(req: RestoreRequest): string {
  const ms = between(restoreStartedAt(req) ?? req.approvals.at(-1)?.at ?? req.createdAt, req.finishedAt);
  return ms === undefined ? '' : ` after ${formatDuration(ms)}`;
}

/** The card's and `status`'s word for a job in a state the bot can't read, with Atlas's own word when it gave one. */
function unknownStateLine(req: RestoreRequest, approvedBy: string): string {
  // Atlas's word, cut short: it is a status name, and the card's line must stay within its section.
  const says = req.lastAtlasStatus ? `\`${escapeText(clip(req.lastAtlasStatus, 60))}\`, a state I don't recognise` : "a state I don't recognise";
  return `:grey_question: *State unknown*${jobRef(req)}: Atlas reports ${says}; check the restore in the Atlas UI.${approvedBy}`;
}

/** One line saying where the request stands, with who did what. */
export function statusLine(req: RestoreRequest, now: Date, relative = true): string {
  const approvedBy = req.approvals.length > 0 ? ` Approved by ${mentionList(req.approvals.map((a) => a.user))}.` : '';
  const dry = req.dryRun ? ' (dry run: no restore was sent to Atlas)' : '';
  switch (req.state) {
    case 'pending_approval':
      return `:hourglass_flowing_sand: *Waiting for approval* (${approvalProgress(req)}). Expires ${expiryText(req, now, relative)}.`;
    case 'approved':
    case 'submitting':
      if (req.waitingFor) {
        const until = req.submitBy ? ` Trying again until ${slackDate(req.submitBy, '{time}')}; nothing has been sent to Atlas.` : '';
        return `:hourglass: *Approved, waiting to submit*: ${escapeText(clip(req.waitingFor.reason, MAX_REASON))}${until}${approvedBy}`;
      }
      return `:arrow_forward: *Approved*, submitting the restore to Atlas…${approvedBy}`;
    case 'running':
      if (req.dryRun) return `:test_tube: *Dry run*: no restore was sent to Atlas.${approvedBy}`;
      if (req.lastJobState === 'unknown') return unknownStateLine(req, approvedBy);
      return `:arrows_counterclockwise: *Restore ${req.lastJobState === 'pending' ? 'queued' : 'running'}*${jobRef(req)}.${approvedBy}`;
    case 'completed':
      if (req.dryRun) return `:test_tube: *Dry run completed*: every check passed and no restore was sent to Atlas.${approvedBy}`;
      return `:white_check_mark: *Restore completed*${durationText(req)}${jobRef(req)}${dry}.${approvedBy}`;
    case 'failed': {
      // Nothing reached Atlas: no restore failed, and the time since the approval is no restore's duration.
      const notSent = notSubmittedReason(req);
      if (notSent !== undefined) return `:no_entry: *Not submitted*: ${escapeText(clip(notSent, MAX_REASON))}${nothingRestoredAfter(notSent)}${approvedBy}`;
      const reason = req.failureReason ? `: ${escapeText(clip(req.failureReason, MAX_REASON))}` : '.';
      return `${endTitleText(endTitle(req, 'failed'))}${durationText(req)}${jobRef(req)}${reason}${approvedBy}`;
    }
    case 'cancelled':
      return `:no_entry_sign: *${req.atlasJobId ? 'Restore cancelled' : 'Request cancelled'}*${req.cancelledBy ? ` by ${mention(req.cancelledBy)}` : ''}${jobRef(req)}.${approvedBy}`;
    case 'expired':
      return `:hourglass: *Restore expired* in Atlas${jobRef(req)}.${approvedBy}`;
    case 'rejected':
      return `:no_entry: *Request rejected*${req.rejectedBy ? ` by ${mention(req.rejectedBy)}` : ''}.`;
    case 'approval_expired':
      return `:hourglass: *Approval expired*: not enough approvals by ${slackDate(req.approvalExpiresAt)} (${approvalProgress(req)}).`;
  }
}

function button(actionId: string, text: string, requestId: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', action_id: actionId, text: plain(text), value: requestId, ...(style ? { style } : {}) };
}

/** Approve, with the dialog that says what will be replaced (or that nothing is): the card and the App Home show this same button. */
export function approveButton(req: RestoreRequest): Button {
  const approve = button(APPROVE_ACTION_ID, 'Approve', req.id, 'primary');
  approve.confirm = {
    title: plain('Approve this restore?'),
    text: plain(approveConfirmText(req), 300),
    confirm: plain('Yes, approve', 30),
    deny: plain('Back'),
    style: 'danger',
  };
  return approve;
}

export function rejectButton(req: RestoreRequest): Button {
  return button(REJECT_ACTION_ID, 'Reject', req.id, 'danger');
}

function actionsFor(req: RestoreRequest): ActionsBlock | undefined {
  if (req.state === 'pending_approval') {
    const elements = [approveButton(req), rejectButton(req), button(CANCEL_ACTION_ID, 'Cancel request', req.id)];
    return { type: 'actions', block_id: CARD_ACTIONS_BLOCK_ID, elements };
  }
  return undefined;
}

export function buildRequestCard(req: RestoreRequest, now: Date): { text: string; blocks: KnownBlock[] } {
  const dry = req.dryRun ? ' (DRY RUN)' : '';
  const route = `${clusterKey(req.source)} → ${clusterKey(req.target)}`;
  const status = statusLine(req, now, false);
  const fields = [
    req.drill ? `*Requested by*\n${drillOrigin(req)}` : `*Requested by*\n${mention(req.requester)}`,
    req.drill ? '*Approvals*\nPre-approved by the policy: the target is a scratch cluster' : `*Approvals*\n${approvalProgress(req)}`,
    `*Source*\n${clusterLabel(req.source)}`,
    `*${targetTitle(req)}*\n${clusterLabel(req.target)}`,
    `*Restores*\n${whatField(req)}`,
    fromField(req),
    ...(req.namespaces ? [`*How*\n${restoreHow(req)}`] : []),
    req.state === 'pending_approval' ? `*Approval expires*\n${expiryText(req, now, false)}` : `*Requested*\n${slackDate(req.createdAt)}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(req.drill ? `Restore drill ${req.drill.name} (${req.id})` : `Restore request ${req.id}${dry}`) },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn' as const, text: clip(text, 2000) })) },
    ...(req.namespaces ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `*Namespaces*\n${namespaceLines(req)}` } }] : []),
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Reason*\n${quote(clip(req.reason, 2000))}`, 3000) } },
  ];
  if (req.dryRun) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ':test_tube: *DRY RUN*: approving runs every check but sends no restore to Atlas.' }] });
  }
  if (req.state === 'pending_approval') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(approvalWarning(req, clusterLabel(req.target)), 3000) }] });
  }
  const safety = safetySnapshotLine(req);
  if (safety) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: safety }] });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(status, 3000) } });
  const notes = cardNotes(req);
  if (notes.length > 0) blocks.push({ type: 'context', elements: notes.map((text) => ({ type: 'mrkdwn' as const, text: clip(text, 3000) })) });
  const actions = actionsFor(req);
  if (actions) blocks.push(actions);
  const text = `Restore request ${req.id}${dry} from ${mention(req.requester)}: ${route}, ${plainState(req)}`;
  return { text, blocks };
}

/** "Target (data replaced)", or what a collection restore does to it. */
function targetTitle(req: RestoreRequest): string {
  if (!req.namespaces) return 'Target (data replaced)';
  return req.writeStrategy === 'OVERWRITE_EXISTING' ? 'Target (namespaces replaced)' : 'Target (written beside the live data)';
}

/** "The whole cluster", or how many databases or collections (listed in their own block: a field holds 2000). */
function whatField(req: RestoreRequest): string {
  if (!req.namespaces) return 'The whole cluster';
  const n = req.namespaces.length;
  const kind = req.namespaces.every((ns) => !ns.sourceNamespace.includes('.')) ? 'database' : 'collection';
  return `${n} ${kind}${n === 1 ? '' : 's'} (listed below)`;
}

/** The snapshot, or the exact UTC second of a point in time and the base snapshot Atlas starts from. */
function fromField(req: RestoreRequest): string {
  const snapshot = `\`${escapeText(req.snapshot.id)}\``;
  if (req.pointInTime) return `*Point in time*\n${utcSecond(req.pointInTime.utcSeconds)}\nbase snapshot ${snapshot} (${slackDate(req.snapshot.createdAt)})`;
  return `*Snapshot*\n${snapshot}\n${slackDate(req.snapshot.createdAt)}`;
}

/** The safety snapshot the request will take, is taking or took (the restore's job fills in id and status). */
export function safetySnapshotLine(req: RestoreRequest): string | undefined {
  const safety = req.safetySnapshot;
  if (!safety) return undefined;
  const target = clusterLabel(req.target);
  const kept = `kept ${safety.retentionInDays} day${safety.retentionInDays === 1 ? '' : 's'}`;
  const id = safety.id ? ` \`${escapeText(safety.id)}\`` : '';
  // A request that has ended waits for nothing: a snapshot still 'requested' then did not complete (stored by an
  // earlier version, or the request ended another way meanwhile), and one never asked for was not taken.
  const ended = FINAL_REQUEST_STATES.includes(req.state);
  if (ended && safety.status === 'requested') return `:x: The safety snapshot${id} of ${target} did not complete, so nothing was restored.`;
  if (ended && safety.status === undefined) return `:camera_with_flash: No safety snapshot of ${target} was taken.`;
  switch (safety.status) {
    case 'completed':
      return `:camera_with_flash: Safety snapshot${id} of ${target} taken (${kept}).`;
    case 'failed':
      return `:x: The safety snapshot${id} of ${target} failed.`; // the status line says what that meant
    case 'requested':
      return `:camera_with_flash: Taking a safety snapshot${id} of ${target} (${kept}); the restore waits for it.`;
    default:
      return `:camera_with_flash: A safety snapshot of ${target} is taken after the last approval, before the restore (${kept}).`;
  }
}

/** What else the card must say: Atlas can't stop a running restore, an access problem, approvals that stopped counting. */
function cardNotes(req: RestoreRequest): string[] {
  const notes: string[] = [];
  if (req.state === 'running' && !req.dryRun) {
    notes.push(":information_source: Atlas can't stop a restore once it has started: it runs until it completes or fails.");
    if (req.waitingFor) notes.push(`:warning: ${escapeText(clip(req.waitingFor.reason, MAX_REASON))} I keep checking.`);
    const p = req.progress;
    if (p && p.totalDocuments > 0) notes.push(`:bar_chart: ${Math.floor((p.restoredDocuments / p.totalDocuments) * 100)} % restored (${p.restoredDocuments.toLocaleString('en-US')} of ${p.totalDocuments.toLocaleString('en-US')} documents)`);
  }
  if (req.safetySnapshot?.id && (req.state === 'approved' || req.state === 'submitting')) {
    notes.push(`:camera_with_flash: Safety snapshot \`${escapeText(req.safetySnapshot.id)}\` of the target: ${req.safetySnapshot.status === 'completed' ? 'completed, sending the restore' : 'being taken; the restore waits for it'}.`);
  }
  if (req.state === 'failed' && req.lateAdoptUntil) {
    notes.push(`:grey_question: A restore job may still exist in Atlas: one that appears before ${slackDate(req.lateAdoptUntil, '{time}')} is followed here, and the target stays locked until then.`);
  }
  for (const d of (req.droppedApprovals ?? []).slice(-5)) notes.push(`:warning: ${mention(d.user)}'s approval no longer counts: ${escapeText(clip(d.why, 300))}.`);
  return notes.slice(0, 10); // a context block holds at most 10 elements
}

/** Short plain wording of a state, for notification text. */
export function plainState(req: RestoreRequest): string {
  switch (req.state) {
    case 'pending_approval':
      return `waiting for approval (${req.approvals.length} of ${req.approvalsRequired})`;
    case 'approved':
    case 'submitting':
      return 'approved, submitting';
    case 'running':
      return req.dryRun ? 'dry run' : req.lastJobState === 'unknown' ? 'state unknown' : 'restore running';
    case 'completed':
      return req.dryRun ? 'dry run completed' : 'restore completed';
    case 'failed':
      return notSubmittedReason(req) !== undefined ? 'not submitted' : 'restore failed';
    case 'cancelled':
      return req.atlasJobId ? 'restore cancelled' : 'request cancelled';
    case 'expired':
      return 'restore expired';
    case 'rejected':
      return 'rejected';
    case 'approval_expired':
      return 'approval expired';
  }
}
