// Messages posted in the request card's thread (DESIGN.md §2, steps 3–4). Each returns what
// chat.postMessage needs: `text` (mrkdwn, also the notification text) and, for some, `blocks`.
import type { KnownBlock } from '@slack/types';
import type { RestoreJobState } from '../../atlas/types.js';
import type { DrillRun } from '../../restore/drill-definition.js';
import type { DroppedApproval, SubmitHow } from '../../restore/tracker-types.js';
import { drillFigures } from './drill-messages.js';
import { restoreFrom, restoreHow, restoreWhat } from './describe-restore.js';
import { namespaceLines, undoLine, unreadNamespacesLine } from './restore-progress-messages.js';
import { namedNamespaces, skippedUnsupported } from '../../restore/collection-progress.js';
import { restoreStartedAt } from '../../restore/restore-started-at.js';
import type { RestoreRequest } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { between, clip, escapeText, formatDuration, mention, mentionList, slackDate } from './format.js';
import { clusterLabel } from './request-card.js';
import { endTitle, endTitleText, isJudgedFailure, nothingRestoredAfter } from './end-title.js';

export interface ThreadMessage {
  text: string;
  blocks?: KnownBlock[];
  /** Also shown in the channel (reply_broadcast): for what must not go unnoticed, e.g. a failed drill. */
  broadcast?: boolean;
}

function job(req: RestoreRequest): string {
  return req.atlasJobId ? `Atlas job \`${escapeText(req.atlasJobId)}\`` : 'the Atlas job';
}

export function requestPostedMessage(req: RestoreRequest, approvers: readonly string[] = []): ThreadMessage {
  // A direct message with the bot (Slack's ids start with D): nobody else reads it, so mentions there call no one.
  const inDirectMessage = req.channel.startsWith('D');
  const who = approvers.length > 0 && !inDirectMessage ? `${mentionList(approvers)}: ` : '';
  const n = req.approvalsRequired;
  const where = inDirectMessage
    ? `This is a direct message with the bot: ${approvers.length > 0 ? `its approvers (${mentionList(approvers)})` : 'its approvers'} can't see this card and aren't notified. ` +
      "Tell them: they can approve it in the bot's App Home (its Home tab). Or cancel it and run `/atlas-restore` in your team's channel."
    : 'Use the buttons on the card above. Updates follow in this thread.';
  return {
    text:
      `${who}${mention(req.requester)} asks to restore ${clusterLabel(req.source)} into ${clusterLabel(req.target)}` +
      `${req.dryRun ? ' (*dry run*)' : ''}. It needs ${n} approval${n === 1 ? '' : 's'} before ${slackDate(req.approvalExpiresAt, '{time}')}. ${where}`,
  };
}

export function approvalRecordedMessage(req: RestoreRequest, approverId: string): ThreadMessage {
  const remaining = req.approvalsRequired - req.approvals.length;
  const more = remaining > 0 ? ` ${remaining} more needed.` : '';
  return { text: `:ballot_box_with_check: ${mention(approverId)} approved (${req.approvals.length} of ${req.approvalsRequired}).${more}` };
}

export function submittedMessage(req: RestoreRequest, how: SubmitHow = 'submitted'): ThreadMessage {
  if (req.dryRun) {
    const turnedOn = req.dryRunAtSubmit ? ' `DRY_RUN` was turned on before it was submitted, so it ran as a dry run.' : '';
    return { text: `:test_tube: Dry run: no restore was sent.${turnedOn} Every check passed; a real run would now restore into ${clusterLabel(req.target)}.` };
  }
  if (how === 'adopted') return { text: `:rocket: Atlas's answer to the restore was lost, but the restore job it created turned up: ${job(req)}. I'll post each change of state here.` };
  if (how === 'adopted_late') {
    return { text: `:rocket: The restore job of ${req.id} turned up in Atlas after all: ${job(req)}. This request is running again and I'll post each change of state here.` };
  }
  return { text: `:rocket: Restore submitted to Atlas: ${job(req)}. I'll post each change of state here.` };
}

export interface AtlasErrorInfo {
  /** One plain sentence that says what to do (the Atlas error mapping's hint). */
  message: string;
  /** Status and code, e.g. `429 RATE_LIMITED`. */
  code?: string | undefined;
}

const codeOf = (error: AtlasErrorInfo): string => (error.code ? ` (\`${escapeText(error.code)}\`)` : '');

/** An approved request held back by a passing fault: said once per kind of trouble. */
export function submitWaitingMessage(req: RestoreRequest, wait: { message: string; until: string }): ThreadMessage {
  // A safety snapshot may have been asked for already (a 409 waited out, one taken again): only the restore is unsent.
  const unsent = req.safetySnapshotClaimedAt || req.safetySnapshot?.id ? 'The restore has not been sent to Atlas.' : 'Nothing has been sent to Atlas.';
  return {
    text:
      `:hourglass: ${req.id} is approved but not submitted yet: ${escapeText(wait.message)} ${unsent} ` +
      `I'll keep trying until ${slackDate(wait.until, '{time}')}; if it still fails then, the request ends and nothing is restored.`,
  };
}

/** Ended before anything reached Atlas: a re-check said no, or Atlas stayed unreachable until the horizon. */
export function notSubmittedMessage(req: RestoreRequest): ThreadMessage {
  const why = (req.failureReason ?? 'Not submitted.').replace(/^Not submitted: /, '');
  // Said once: a reason that says it already (a failed safety snapshot's does) is not followed by it again.
  return { text: `:no_entry: ${req.id} was not submitted: ${escapeText(why)}${nothingRestoredAfter(why)} ${mention(req.requester)}` };
}

export function submitRefusedMessage(req: RestoreRequest, error: AtlasErrorInfo): ThreadMessage {
  return { text: `:warning: Atlas refused the restore of ${req.id}${codeOf(error)}: ${escapeText(error.message)} Nothing was restored. ${mention(req.requester)}` };
}

/** The POST's answer was lost and no job turned up: not a refusal, and a job may still exist. */
export function unconfirmedSubmitMessage(req: RestoreRequest): ThreadMessage {
  const until = req.lateAdoptUntil ? ` I'll keep looking until ${slackDate(req.lateAdoptUntil, '{time}')} and follow the job if it appears; ${clusterLabel(req.target)} stays locked until then.` : '';
  return {
    text:
      `:grey_question: Atlas did not confirm the restore of ${req.id}, and no matching restore job turned up.${until}\n` +
      `I won't send it again by myself: check the restore jobs of ${clusterLabel(req.source)} in Atlas before requesting again.`,
  };
}

export function approvalsDroppedMessage(req: RestoreRequest, dropped: readonly DroppedApproval[], now: Date): ThreadMessage {
  const lines = dropped.map((d) => `• ${mention(d.user)}'s approval no longer counts: ${escapeText(d.why)}.`);
  // No approval dropped: the policy asks for more approvals than the request was made with.
  if (lines.length === 0) lines.push(`• The policy now asks for ${req.approvalsRequired} approvals.`);
  const missing = req.approvalsRequired - req.approvals.length;
  // After the approval window closed (the request ends next), "before <time>" would name a time already past.
  const expired = Date.parse(req.approvalExpiresAt) <= now.getTime();
  const needs = expired ? 'The approval window has closed, so the request ends' : `It needs ${missing} more approval${missing === 1 ? '' : 's'} before ${slackDate(req.approvalExpiresAt, '{time}')}`;
  return {
    text: `:warning: Before submitting ${req.id} I checked its approvals against the current policy:\n${lines.join('\n')}\n${needs}; nothing was sent to Atlas.`,
  };
}

/** Atlas refuses the bot while a restore runs, or while it looks for the job a lost answer may have made: what to fix. */
/** Who says no: Atlas (a key, the access list), or the bot itself (a certificate it doesn't trust, so it stops short of Atlas). */
const refusedBy = (error: AtlasErrorInfo): string => (error.code?.includes('ATLAS_TLS_ERROR') ? "The bot can't trust the connection to Atlas" : 'Atlas refuses the bot');

export function accessProblemMessage(req: RestoreRequest, error: AtlasErrorInfo): ThreadMessage {
  if (req.state !== 'running') {
    const until = req.state === 'failed' && req.lateAdoptUntil ? ` until ${slackDate(req.lateAdoptUntil, '{time}')}` : '';
    return {
      text:
        `:warning: ${refusedBy(error)} while I look for the restore job that ${req.id} may have created${codeOf(error)}: ${escapeText(error.message)}\n` +
        `Atlas may be restoring into ${clusterLabel(req.target)}, so it stays locked${until}. I won't send the restore again; I keep looking and will follow the job here once Atlas answers.`,
    };
  }
  return {
    text:
      `:warning: ${refusedBy(error)} while ${req.id} is restoring${codeOf(error)}: ${escapeText(error.message)}\n` +
      `The restore goes on in Atlas, and ${clusterLabel(req.target)} stays locked. I keep checking and will post the outcome here once Atlas answers again.`,
  };
}

/** Following stopped for good (the job is gone): the restore itself may still run in Atlas. */
export function trackingLostMessage(req: RestoreRequest, error: AtlasErrorInfo): ThreadMessage {
  return {
    text: `:warning: I can no longer follow ${job(req)} of ${req.id}${codeOf(error)}: ${escapeText(error.message)}\nCheck the restore in Atlas; this request is closed.`,
  };
}

/**
 * Atlas reports the job in a state the bot doesn't know (a status its spec doesn't list): said once, so nobody takes
 * the silence for progress. It is followed on, its target kept, until Atlas says something the bot reads.
 */
export function unknownJobStateMessage(req: RestoreRequest, atlasSays: string | undefined): ThreadMessage {
  const which = req.atlasJobId ? `restore job \`${escapeText(req.atlasJobId)}\`` : 'the restore job';
  const word = atlasSays ? ` as \`${escapeText(atlasSays)}\`, a state` : ' in a state';
  return {
    text:
      `:grey_question: Atlas reports ${which}${word} I don't recognise. I keep following it, and ${clusterLabel(req.target)} stays locked until Atlas reports a state I know. ` +
      "Check the restore in the Atlas UI (the cluster's Backup page, Restores).",
  };
}

export function jobStateMessage(req: RestoreRequest, state: Extract<RestoreJobState, 'pending' | 'running'>): ThreadMessage {
  return {
    text:
      state === 'pending'
        ? `:hourglass_flowing_sand: ${job(req)} is queued in Atlas.`
        : `:arrows_counterclockwise: ${job(req)} is running: restoring into ${clusterLabel(req.target)}.`,
  };
}

/** Slack's limits: a section's text, and the blocks of one message (the summary takes one). */
const SECTION_CHARS = 3000;
const MAX_MESSAGE_BLOCKS = 50;
/** One namespace line at most (Atlas's error text can be long): three fit a section whatever they say. */
const NAMESPACE_LINE_CHARS = 900;

/**
 * Each namespace's line, packed into as many sections as it takes, whole lines only. Past the message's block limit
 * the last section ends with how many are left and where to read them all.
 */
export function namespaceSections(req: RestoreRequest, maxSections = MAX_MESSAGE_BLOCKS - 1): string[] {
  const lines = namespaceLines(req).map((l) => clip(l, NAMESPACE_LINE_CHARS));
  if (lines.length === 0) return [];
  lines[0] = `*Namespaces* (${lines.length}):\n${lines[0]}`;
  const sections: string[][] = [[]];
  const size = (ls: readonly string[]) => ls.join('\n').length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const last = sections[sections.length - 1]!;
    if (size([...last, line]) <= SECTION_CHARS) {
      last.push(line);
      continue;
    }
    if (sections.length < maxSections) {
      sections.push([line]);
      continue;
    }
    // No room for the rest: the last section gives up lines until the count of those left fits after them.
    let left = lines.length - i;
    const more = () => `…and ${left} more (see \`/atlas-restore status ${req.id}\`)`;
    while (last.length > 1 && size([...last, more()]) > SECTION_CHARS) {
      last.pop();
      left++;
    }
    last.push(more());
    break;
  }
  return sections.map((ls) => ls.join('\n'));
}

/** The last message of a restore that reached Atlas: completed, failed, cancelled or expired. */
export function finalMessage(req: RestoreRequest, now: Date, previousDrillRuns: readonly DrillRun[] = []): ThreadMessage {
  const outcome = req.state === 'failed' || req.state === 'cancelled' || req.state === 'expired' ? req.state : 'completed';
  // A collection restore that left namespaces behind says so in its title; a drill's names the drill (it may be broadcast).
  const title = endTitleText(endTitle(req, outcome), req.drill?.name);
  const judged = isJudgedFailure(req);
  const start = restoreStartedAt(req) ?? req.submittingAt ?? req.createdAt;
  const ms = between(start, req.finishedAt ?? now.toISOString());
  const duration = ms === undefined ? '' : ` after ${formatDuration(ms)}`;
  const lines = [
    `${title}${duration}: ${clusterLabel(req.source)} → ${clusterLabel(req.target)}, ${job(req)}.${req.drill ? '' : ` ${mention(req.requester)}`}`,
  ];
  // A judged job's reason is the bot's verdict, which says itself what Atlas called the job.
  if (outcome === 'failed') lines.push(judged ? escapeText(clip(req.failureReason!, 1000)) : `Atlas says: ${req.failureReason ? escapeText(clip(req.failureReason, 1000)) : 'no reason given'}`);
  const drillHint = outcome === 'failed' ? drillNotFoundHint(req) : undefined;
  if (drillHint) lines.push(drillHint);
  if (outcome === 'cancelled' && req.cancelledBy) lines.push(`Cancelled by ${mention(req.cancelledBy)}.`);
  if (outcome === 'completed') {
    // At most 3 names here (the list follows): the summary must leave room for the undo line and the figures.
    lines.push(req.namespaces || req.pointInTime ? `${restoreWhat(req, 3)} from ${restoreFrom(req)} restored into ${clusterLabel(req.target)}${req.namespaces ? `, ${restoreHow(req)}` : ''}.` : `Snapshot \`${escapeText(req.snapshot.id)}\` (${slackDate(req.snapshot.createdAt)}) is now on ${clusterLabel(req.target)}.`);
  }
  // A judged job's reason names them already.
  const skipped = judged ? undefined : skippedLine(req);
  if (skipped) lines.push(skipped);
  const unread = unreadNamespacesLine(req);
  if (unread) lines.push(unread);
  // The undo line and the drill's figures come before the namespaces: a long list must never push them out.
  const undo = undoLine(req);
  if (undo && (outcome === 'completed' || outcome === 'failed')) lines.push(undo);
  const figures = drillFigures(req, previousDrillRuns);
  if (figures) lines.push(figures);
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const plainTitle = title.replace(/^:[a-z_]+: \*|\*$/g, '');
  return {
    // The notification and fallback text: short, whatever the names.
    text: clip(`${plainTitle}: ${req.id} (${clusterKey(req.source)} → ${clusterKey(req.target)})`, SECTION_CHARS),
    blocks: [section(clip(lines.join('\n'), SECTION_CHARS)), ...namespaceSections(req).map(section)],
  };
}

/** A drill's namespace Atlas didn't find was usually renamed or dropped in production since the drill was written. */
function drillNotFoundHint(req: RestoreRequest): string | undefined {
  if (!req.drill) return undefined;
  const notFound = (req.namespaceResults ?? []).filter((r) => r.state === 'not_found').length;
  if (notFound === 0) return undefined;
  const it = notFound === 1 ? 'it was' : 'they were';
  return `If ${it} renamed or dropped in production, update the \`only:\` list of drill \`${escapeText(req.drill.name)}\` in the policy.`;
}

/** Collections of a listed database that Atlas's collection restore leaves out: not on the target, whatever the title says. */
function skippedLine(req: RestoreRequest): string | undefined {
  const skipped = skippedUnsupported(req.namespaceResults, namedNamespaces(req));
  if (skipped.length === 0) return undefined;
  const n = skipped.length;
  const names = skipped.slice(0, 5).map((r) => `\`${escapeText(r.sourceNamespace)}\``).join(', ') + (n > 5 ? ` and ${n - 5} more (listed below)` : '');
  return n === 1
    ? `:warning: 1 collection of a listed database was not restored: Atlas's collection restore doesn't support it (${names}). Copy it another way (e.g. mongodump/mongorestore) if you need it.`
    : `:warning: ${n} collections of listed databases were not restored: Atlas's collection restore doesn't support them (${names}). Copy them another way (e.g. mongodump/mongorestore) if you need them.`;
}

/**
 * A request's last word as posted: a drill's that is not a completed restore (refused, not submitted, lost, failed)
 * is shown in the channel too. Nobody waits on a scheduled drill's thread, and a failed drill must not go unnoticed.
 */
export function lastWord(req: RestoreRequest, message: ThreadMessage): ThreadMessage {
  return req.drill && req.state !== 'completed' ? { ...message, broadcast: true } : message;
}

export function statusUnknownMessage(req: RestoreRequest, detail?: string): ThreadMessage {
  const why = detail ? ` (${escapeText(detail)})` : '';
  return {
    text: `:grey_question: Atlas can't be reached right now${why}, so the state of ${job(req)} is unknown. I'll keep checking and post here when I know more.`,
  };
}

export function longRunningMessage(req: RestoreRequest, now: Date): ThreadMessage {
  const ms = between(restoreStartedAt(req) ?? req.createdAt, now.toISOString()) ?? 0;
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
