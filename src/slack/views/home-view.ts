// The App Home of one viewer (DESIGN.md §6, "App Home"): what waits for their approval, restores in flight, their
// recent history, the drills, and a button that opens the restore form. A pure function of what the viewer may see
// (home-state.ts decides that), clipped to Slack's limits: at most 100 blocks in a view, texts as in request-card.ts.
import type { ActionsBlock, HomeView, KnownBlock, ModalView } from '@slack/types';
import { clusterKey } from '../../policy/policy.js';
import type { DrillSummary } from '../../restore/drill-types.js';
import type { RestoreRequest } from '../../restore/types.js';
import { clip, escapeText, formatDuration, mention, slackDate } from './format.js';
import { HOME_DECISION_BLOCK_ID_PREFIX, HOME_NEW_RESTORE_ACTION_ID } from './ids.js';
import { approvalWarning, restoreBrief, restoreFrom, restoreWhat } from './describe-restore.js';
import { drillRunWithoutRestore } from './drill-messages.js';
import { notesOf } from './status-views.js';
import { approveButton, clusterLabel, plainState, rejectButton, safetySnapshotLine, statusLine } from './request-card.js';

export type HomeState =
  /** Not named in the policy: no request is theirs to see (the visibility rules of status and list). */
  | { kind: 'outsider'; now: Date }
  /** The restore records (Redis) could not be read. */
  /** `membership`: Slack couldn't list a user group of the policy just now; otherwise the records couldn't be read. */
  | { kind: 'unavailable'; now: Date; because?: 'membership' | undefined }
  | {
      kind: 'member';
      user: string;
      now: Date;
      /** Pending requests this viewer may approve now, oldest first. */
      awaiting: RestoreRequest[];
      /** Other requests in flight the viewer may see, oldest first. */
      inFlight: RestoreRequest[];
      /** Finished requests they made or decided, newest first. */
      history: RestoreRequest[];
      drills: DrillSummary[] | 'unavailable';
    };

/** Slack refuses a home view with more blocks. */
export const HOME_MAX_BLOCKS = 100;
// Per section, so that every section shows something however full another one is (2 blocks per awaiting request).
const MAX_AWAITING = 15;
const MAX_IN_FLIGHT = 10;
const MAX_HISTORY = 10;
const MAX_DRILLS = 10;
/** A reason is the requester's text: enough to decide on, short enough for 15 of them. */
const MAX_REASON = 300;

export const NOT_IN_POLICY_HOME_TEXT =
  "You're not named in the restore policy, so there are no restores to show you here. Ask the owners of the restore policy if you need to request, approve or follow restores.";
export const HOME_MEMBERSHIP_UNAVAILABLE_TEXT =
  "Slack couldn't tell just now whether you are in the restore policy's user groups, so nothing can be shown here. Open this tab again in a minute.";

export const HOME_UNAVAILABLE_TEXT =
  "The restore records (Redis) cannot be reached right now, so nothing can be shown here. Open this tab again in a minute; if it persists, tell the bot's operators.";

const plain = (text: string, max = 150) => ({ type: 'plain_text' as const, text: clip(text, max), emoji: true });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 3000) }] });
const divider: KnownBlock = { type: 'divider' };

function route(req: RestoreRequest): string {
  return `\`${escapeText(clusterKey(req.source))}\` → \`${escapeText(clusterKey(req.target))}\``;
}

function title(req: RestoreRequest): string {
  return `*${req.id}*${req.dryRun ? ' (dry run)' : ''} ${route(req)}${restoreBrief(req)}`;
}

/** A section's text holds 3000 characters. */
const SECTION_CHARS = 3000;

function awaitingBlocks(req: RestoreRequest, now: Date): KnownBlock[] {
  const reason = escapeText(clip(req.reason, MAX_REASON)).split('\n').map((line) => `>${line}`).join('\n');
  const lines = (named: number) => [
    `${title(req)}: requested by ${mention(req.requester)} in <#${req.channel}>`,
    `Restores ${restoreWhat(req, named)} from ${restoreFrom(req)}. ${approvalWarning(req, clusterLabel(req.target), named)}`,
    ...(req.safetySnapshot ? [safetySnapshotLine(req)!] : []),
    statusLine(req, now, false),
    reason,
  ].join('\n');
  // Long namespace names name fewer of them rather than push the expiry and the reason out of the section.
  let named = 5;
  while (named > 1 && lines(named).length > SECTION_CHARS) named -= 1;
  const text = lines(named);
  const actions: ActionsBlock = { type: 'actions', block_id: `${HOME_DECISION_BLOCK_ID_PREFIX}:${req.id}`, elements: [approveButton(req), rejectButton(req)] };
  return [section(text), actions];
}

function inFlightBlock(req: RestoreRequest, now: Date): KnownBlock {
  return section([`${title(req)} by ${mention(req.requester)}`, statusLine(req, now, false), ...notesOf(req)].join('\n'));
}

function roleOf(req: RestoreRequest, user: string): string {
  const roles: string[] = [];
  if (req.requester === user) roles.push('you requested it');
  if (req.approvals.some((a) => a.user === user) || req.droppedApprovals?.some((a) => a.user === user)) roles.push('you approved it');
  if (req.rejectedBy === user) roles.push('you rejected it');
  if (req.cancelledBy === user && req.requester !== user) roles.push('you cancelled it');
  return roles.join(', ');
}

function historyLine(req: RestoreRequest, user: string): string {
  const when = slackDate(req.finishedAt ?? req.updatedAt, '{date_short_pretty} {time}');
  const role = roleOf(req, user);
  return `• ${title(req)}: ${plainState(req)} ${when}${role ? ` (${role})` : ''}`;
}

/** Lines in as few sections as they fit in, none cut (long cluster names make a line of several hundred characters). */
function packLines(lines: readonly string[]): string[] {
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= SECTION_CHARS) texts[texts.length - 1] = `${last}\n${line}`;
    else texts.push(line);
  }
  return texts;
}

function drillBlock(drill: DrillSummary): KnownBlock {
  const lines = [
    `*${escapeText(drill.name)}* \`${escapeText(drill.source)}\` → \`${escapeText(drill.target)}\`, \`${escapeText(drill.schedule)}\` (${escapeText(drill.timeZone)}) in <#${drill.channel}>`,
  ];
  if (drill.nextRunAt) lines.push(`Next run ${slackDate(drill.nextRunAt)}`);
  const last = drill.lastRun;
  const instead = last && drillRunWithoutRestore(last);
  if (!last) lines.push('_Not run yet._');
  else if (instead) lines.push(`Last run: ${instead}`);
  else {
    const figures = [
      last.restoreMs !== undefined ? `restore time ${formatDuration(last.restoreMs)}` : undefined,
      last.snapshotAgeMs !== undefined ? `snapshot age ${formatDuration(last.snapshotAgeMs)}` : undefined,
    ].filter(Boolean);
    const ended = last.finishedAt ? ` ${slackDate(last.finishedAt)}` : '';
    lines.push(`Last run *${escapeText(last.requestId ?? '?')}*: ${escapeText(last.state)}${ended}${figures.length > 0 ? `, ${figures.join(', ')}` : ''}`);
  }
  return section(lines.join('\n'));
}

function more(shown: number, total: number): KnownBlock[] {
  return total > shown ? [context(`…and ${total - shown} more: \`/atlas-restore list\` shows them all.`)] : [];
}

function memberBlocks(state: Extract<HomeState, { kind: 'member' }>): KnownBlock[] {
  const { awaiting, inFlight, history, drills, now, user } = state;
  const blocks: KnownBlock[] = [
    {
      type: 'actions',
      block_id: 'home_new_restore',
      elements: [{ type: 'button', action_id: HOME_NEW_RESTORE_ACTION_ID, text: plain('New restore', 75), value: 'new', style: 'primary' }],
    },
    divider,
    section(`*Waiting for your approval* (${awaiting.length})`),
  ];
  if (awaiting.length === 0) blocks.push(context('_Nothing waits for your approval._'));
  for (const req of awaiting.slice(0, MAX_AWAITING)) blocks.push(...awaitingBlocks(req, now));
  blocks.push(...more(Math.min(awaiting.length, MAX_AWAITING), awaiting.length), divider, section(`*In flight* (${inFlight.length})`));
  if (inFlight.length === 0) blocks.push(context('_No other restore is waiting for approval or running._'));
  for (const req of inFlight.slice(0, MAX_IN_FLIGHT)) blocks.push(inFlightBlock(req, now));
  blocks.push(...more(Math.min(inFlight.length, MAX_IN_FLIGHT), inFlight.length), divider, section('*Your recent restores*'));
  const recent = history.slice(0, MAX_HISTORY);
  if (recent.length === 0) blocks.push(context("_You haven't requested or decided any restore recently._"));
  for (const text of packLines(recent.map((r) => historyLine(r, user)))) blocks.push(section(text));
  blocks.push(divider, section('*Drills*'));
  if (drills === 'unavailable') blocks.push(context('_The drills could not be read just now._'));
  else if (drills.length === 0) blocks.push(context('_No drills in the policy._'));
  else {
    for (const drill of drills.slice(0, MAX_DRILLS)) blocks.push(drillBlock(drill));
    if (drills.length > MAX_DRILLS) blocks.push(context(`…and ${drills.length - MAX_DRILLS} more: \`/atlas-restore drills\` lists them all.`));
  }
  return blocks;
}

/** The view for views.publish. */
export function buildHomeView(state: HomeState): HomeView {
  const head: KnownBlock[] = [
    { type: 'header', text: plain('Atlas Restore') },
    context(`Restores of MongoDB Atlas backups, each approved by a second person. Updated ${slackDate(state.now.toISOString())}.`),
  ];
  const body =
    state.kind === 'outsider' ? [section(NOT_IN_POLICY_HOME_TEXT)] : state.kind === 'unavailable' ? [section(state.because === 'membership' ? HOME_MEMBERSHIP_UNAVAILABLE_TEXT : HOME_UNAVAILABLE_TEXT)] : memberBlocks(state);
  let blocks = [...head, ...body];
  // The caps above keep a home well under the limit; this is the guarantee should they ever add up to more.
  if (blocks.length > HOME_MAX_BLOCKS) blocks = [...blocks.slice(0, HOME_MAX_BLOCKS - 1), context('This page is cut short: `/atlas-restore list` shows everything.')];
  return { type: 'home', blocks };
}

/** A modal that only says something (opened from the home, where there is no channel for an ephemeral answer). */
export function buildNoticeModal(titleText: string, text: string): ModalView {
  return { type: 'modal', title: plain(titleText, 24), close: plain('OK', 24), blocks: [section(text)] };
}
