// Ephemeral replies to `/atlas-restore status`, `list` and `help`: mrkdwn text.
import { restoreStartedAt } from '../../restore/restore-started-at.js';
import type { RestoreRequest } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { usageText } from '../parse-command.js';
import { between, clip, escapeText, formatDuration, mention, slackDate } from './format.js';
import { restoreBrief, restoreFrom, restoreHow, restoreWhat } from './describe-restore.js';
import { plainState, safetySnapshotLine, statusLine } from './request-card.js';

function link(req: RestoreRequest, permalink: string | undefined): string {
  return permalink ? `<${permalink}|${req.id}>` : `*${req.id}*`;
}

/** "in 12 min", or "now" once the time has passed: a `list` answer is read once, at once. */
function fromNow(iso: string, now: Date): string {
  const left = Date.parse(iso) - now.getTime();
  if (Number.isNaN(left)) return '';
  return left <= 0 ? ' (now)' : ` (in ${formatDuration(Math.max(left, 60_000))})`;
}

/**
 * Where a request in flight stands, in a few words: what it waits for and how long it has been. The card's one-word
 * state ("approved, submitting") would hide a request held back by a fault, or one waiting for its safety snapshot.
 */
function inFlightState(req: RestoreRequest, now: Date): string {
  switch (req.state) {
    case 'pending_approval':
      return `${plainState(req)}, expires ${slackDate(req.approvalExpiresAt, '{time}')}${fromNow(req.approvalExpiresAt, now)}`;
    case 'approved':
    case 'submitting':
      if (req.waitingFor) return `approved, waiting to submit: ${escapeText(clip(req.waitingFor.reason, 200))}`;
      if (req.safetySnapshot?.status === 'requested') return 'approved, taking a safety snapshot of the target; the restore waits for it';
      return plainState(req);
    case 'running': {
      if (req.dryRun || req.lastJobState === 'unknown') return plainState(req);
      const start = restoreStartedAt(req);
      const since = start ? ` for ${formatDuration(between(start, now.toISOString()) ?? 0)}` : '';
      const word = req.lastJobState === 'pending' ? 'restore queued' : 'restore running';
      return `${word}${since}${req.waitingFor ? ", but Atlas can't be checked just now (`status` says why)" : ''}`;
    }
    default:
      return plainState(req);
  }
}

function summaryLine(req: RestoreRequest, permalink: string | undefined, now: Date): string {
  const dry = req.dryRun ? ' [dry run]' : '';
  return `• ${link(req, permalink)}${dry} \`${escapeText(clusterKey(req.source))}\` → \`${escapeText(clusterKey(req.target))}\`${restoreBrief(req)}: ${inFlightState(req, now)}, by ${mention(req.requester)} ${slackDate(req.createdAt, '{date_short_pretty} {time}')}`;
}

/** What the card says besides its status line, which `status` and the App Home must say too: people look there at 3 a.m. */
export function notesOf(req: RestoreRequest): string[] {
  const notes: string[] = [];
  if (req.state === 'running' && !req.dryRun) {
    if (req.waitingFor) notes.push(`:warning: ${escapeText(clip(req.waitingFor.reason, 1500))} I keep checking (since ${slackDate(req.waitingFor.since)}).`);
    const p = req.progress;
    if (p && p.totalDocuments > 0) {
      notes.push(`:bar_chart: ${Math.floor((p.restoredDocuments / p.totalDocuments) * 100)} % restored (${p.restoredDocuments.toLocaleString('en-US')} of ${p.totalDocuments.toLocaleString('en-US')} documents)`);
    }
  }
  if (req.state === 'failed' && req.lateAdoptUntil) {
    notes.push(`:grey_question: A restore job may still exist in Atlas: one that appears before ${slackDate(req.lateAdoptUntil, '{time}')} is followed here, and the target stays locked until then.`);
  }
  for (const d of (req.droppedApprovals ?? []).slice(-5)) notes.push(`:warning: ${mention(d.user)}'s approval no longer counts: ${escapeText(clip(d.why, 300))}.`);
  return notes;
}

function quoted(text: string): string {
  return escapeText(clip(text, 1500))
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/** States a request reaches only without having been approved. */
const NEVER_APPROVED: readonly RestoreRequest['state'][] = ['pending_approval', 'rejected', 'approval_expired'];

/** When it was approved, submitted and finished, and how long the restore took (or has been running). */
function timingsLine(req: RestoreRequest, now: Date): string | undefined {
  const parts: string[] = [];
  // The last approval approved the request only if it was the one that made it enough (1 of 2 is still waiting).
  const approved = req.approvals.length >= req.approvalsRequired && !NEVER_APPROVED.includes(req.state);
  const approvedAt = approved ? req.approvals.at(-1)?.at : undefined;
  if (approvedAt) parts.push(`approved ${slackDate(approvedAt)}`);
  const submitted = req.submittedAt ? restoreStartedAt(req) : undefined;
  if (submitted) parts.push(`submitted ${slackDate(submitted)}`);
  if (req.finishedAt) parts.push(`ended ${slackDate(req.finishedAt)}`);
  const start = restoreStartedAt(req) ?? req.submittingAt;
  const took = between(start, req.finishedAt);
  if (took !== undefined) parts.push(`took ${formatDuration(took)}`);
  else if (req.state === 'running' && start) parts.push(`running for ${formatDuration(between(start, now.toISOString()) ?? 0)}`);
  if (parts.length === 0) return undefined;
  const line = parts.join(', ');
  return `${line.charAt(0).toUpperCase()}${line.slice(1)}`;
}

/** One restore in detail. `now` matters for a pending request's "expires in" and a running one's "running for". */
export function renderStatus(req: RestoreRequest, permalink?: string, now: Date = new Date()): string {
  const lines = [
    `*Restore request ${req.id}*${req.dryRun ? ' (DRY RUN)' : ''}${permalink ? ` (<${permalink}|open thread>)` : ''}`,
    statusLine(req, now),
    // Every namespace (status is where the card sends people when its list is cut short).
    `Restores ${restoreWhat(req, 100)} of \`${escapeText(clusterKey(req.source))}\` from ${restoreFrom(req)}`,
    `Into \`${escapeText(clusterKey(req.target))}\`${req.namespaces ? `, ${restoreHow(req)}` : ''}; requested by ${mention(req.requester)} ${slackDate(req.createdAt)}`,
  ];
  const safety = safetySnapshotLine(req);
  if (safety) lines.push(safety);
  lines.push(...notesOf(req));
  const timings = timingsLine(req, now);
  if (timings) lines.push(timings);
  if (req.atlasJobId) {
    const word = req.lastJobState === 'unknown' && req.lastAtlasStatus ? ` (Atlas says \`${escapeText(req.lastAtlasStatus)}\`)` : '';
    lines.push(`Atlas job \`${escapeText(req.atlasJobId)}\`${req.lastJobState ? `, last seen ${req.lastJobState}${word}` : ''}`);
  }
  lines.push(`Reason:\n${quoted(req.reason)}`);
  return lines.join('\n');
}

/** Restores in flight, then recent ones. `permalinks` maps request id → card permalink. */
export function renderList(
  active: readonly RestoreRequest[],
  recent: readonly RestoreRequest[],
  permalinks: ReadonlyMap<string, string> | Readonly<Record<string, string>> = {},
  now: Date = new Date(),
): string {
  const permalinkOf = (id: string): string | undefined =>
    permalinks instanceof Map ? permalinks.get(id) : (permalinks as Readonly<Record<string, string>>)[id];
  const section = (title: string, reqs: readonly RestoreRequest[], empty: string) =>
    [`*${title}*`, ...(reqs.length > 0 ? reqs.map((r) => summaryLine(r, permalinkOf(r.id), now)) : [`_${empty}_`])].join('\n');
  return [
    section('In flight', active, 'No restore is waiting for approval or running.'),
    section('Recent', recent, 'No recent restores.'),
    '_`/atlas-restore status <id>` shows one in detail._',
  ].join('\n\n');
}

export function helpText(): string {
  return [
    '*/atlas-restore* restores a MongoDB Atlas backup snapshot into a cluster, after a second person approves.',
    ':warning: A restore replaces *all* data on the target cluster; with `only`, the namespaces are written beside the live data unless you choose to overwrite them in the form.',
    '',
    usageText(),
    '',
    'Only clusters in the restore policy can be used, by the people it lists. The request card is posted in this channel; approvers use its buttons, and the thread follows the restore to its end.',
  ].join('\n');
}
