// What a drill says in Slack: its figures (restore time, snapshot age) against its previous runs, loudly that it
// could not start, and its last result in `drills` and the App Home. Pure.
import type { DrillDefinition, DrillRun } from '../../restore/drill-definition.js';
import type { DrillRunWaiting, DrillSummary } from '../../restore/drill-types.js';
import { drillRunOf } from '../../restore/drill-history.js';
import type { RestoreRequest } from '../../restore/types.js';
import { escapeText, formatDuration, mention, slackDate } from './format.js';
import type { ThreadMessage } from './thread-messages.js';

/** Who started it, for the card: the schedule or the approver who ran it. */
export function drillOrigin(req: RestoreRequest): string {
  if (!req.drill) return '';
  const how = req.drill.trigger === 'command' && req.drill.by ? `run by ${mention(req.drill.by)}` : 'on its schedule';
  return `Drill \`${escapeText(req.drill.name)}\` of the policy, ${how}`;
}

/** How a run that has no restore time is named among the previous runs. */
const RUN_LABELS: Record<string, string> = { not_started: 'did not run', unconfirmed: 'outcome unknown', dry_run: 'dry run', in_progress: 'still running' };

/** "Restore time 14 min, snapshot age 3 h 5 min; previous runs: 12 min, 15 min (last 5)". Undefined for a non-drill. */
export function drillFigures(req: RestoreRequest, previous: readonly DrillRun[]): string | undefined {
  if (!req.drill) return undefined;
  const run = drillRunOf(req);
  const lines: string[] = [];
  if (run.restoreMs !== undefined) lines.push(`*Restore time:* ${formatDuration(run.restoreMs)} (submitted → completed)`);
  if (run.snapshotAgeMs !== undefined) lines.push(`*Snapshot age at the start:* ${formatDuration(run.snapshotAgeMs)} (the data a real restore would have lost)`);
  const before = previous.filter((r) => r.requestId !== req.id).slice(0, 5);
  lines.push(before.length > 0 ? `*Previous runs* (newest first): ${before.map(previousRun).join(', ')}${trend(run, before)}` : '*Previous runs:* none yet: this is the first.');
  return lines.join('\n');
}

/** "14 min (snapshot 47 min old)": both figures of an earlier run, the RTO and the recovery point side by side. */
function previousRun(r: DrillRun): string {
  if (r.restoreMs === undefined) return RUN_LABELS[r.state] ?? r.state;
  return `${formatDuration(r.restoreMs)}${r.snapshotAgeMs !== undefined ? ` (snapshot ${formatDuration(r.snapshotAgeMs)} old)` : ''}`;
}

function trend(run: DrillRun, before: readonly DrillRun[]): string {
  const done = before.map((r) => r.restoreMs).filter((ms): ms is number => ms !== undefined);
  if (run.restoreMs === undefined || done.length === 0) return '';
  const mean = done.reduce((a, b) => a + b, 0) / done.length;
  // Restores of 0 s (Atlas's clock a little behind ours) give no average to compare with.
  if (mean <= 0) return '';
  const change = Math.round(((run.restoreMs - mean) / mean) * 100);
  if (Math.abs(change) < 10) return '; about as long as before';
  return change > 0 ? `; ${change} % slower than their average` : `; ${-change} % faster than their average`;
}

export function drillStartedMessage(req: RestoreRequest): ThreadMessage {
  const late = req.drill?.late;
  const lateLine = late
    ? `\n:alarm_clock: It was due ${slackDate(late.dueAt)} and starts ${formatDuration(late.ms)} late: no replica of the bot was running at its time. Runs that fell due while the bot was down are not made up; this one stands for them.`
    : '';
  return {
    text: `:fire_drill: ${drillOrigin(req)}: restoring the latest completed snapshot of \`${escapeText(req.source.project)}/${escapeText(req.source.cluster)}\` into the scratch cluster \`${escapeText(req.target.project)}/${escapeText(req.target.cluster)}\`, pre-approved by the policy. Updates follow in this thread.${lateLine}`,
  };
}

export function drillNotStartedMessage(drill: DrillDefinition, reason: string): ThreadMessage {
  return { text: `:rotating_light: <!here> Restore drill \`${escapeText(drill.name)}\` did not run: ${reason} Its next run is on its schedule; \`/atlas-restore drill ${escapeText(drill.name)}\` runs it now.` };
}

/**
 * A last run that restored nothing (loudly: it is no evidence that the backups work), or that is still running, as
 * `drills` and the App Home say it; undefined for a run that ended in Atlas.
 */
export function drillRunWithoutRestore(last: NonNullable<DrillSummary['lastRun']>): string | undefined {
  if (last.state === 'in_progress') {
    const since = last.startedAt ? ` since ${slackDate(last.startedAt, '{date_short_pretty} {time}')}` : '';
    return `*running*${since} (${escapeText(last.requestId ?? '?')}): its thread in the drill's channel follows it.`;
  }
  const when = last.finishedAt ? ` ${slackDate(last.finishedAt, '{date_short_pretty}')}` : '';
  const why = last.reason ? escapeText(last.reason) : 'no reason was recorded.';
  if (last.state === 'not_started') return `*did not run*${when}: ${why}`;
  if (last.state === 'dry_run') return `*dry run*${when} (${escapeText(last.requestId ?? '?')}): \`DRY_RUN\` was on, so nothing was sent to Atlas and nothing was restored.`;
  if (last.state === 'unconfirmed') return `*outcome unknown*${when} (${escapeText(last.requestId ?? '?')}): ${why} Atlas may be restoring all the same: look at its restore jobs.`;
  return undefined;
}

/** `/atlas-restore drills`: each drill with its schedule, next run and last result. */
export function renderDrills(drills: readonly DrillSummary[]): string {
  if (drills.length === 0) return '_The restore policy has no drills._ A drill restores a source into a scratch cluster on a schedule, to prove the backups work (see the README).';
  const lines = drills.map((d) => {
    const next = d.nextRunAt ? slackDate(d.nextRunAt, '{date_short_pretty} {time}') : 'not scheduled';
    const last = d.lastRun;
    const result = !last
      ? 'no run yet'
      : (drillRunWithoutRestore(last) ??
        (last.state === 'completed' ? completedRun(last) : endedWithoutSuccess(last)));
    const waiting = d.waiting ? ` Now: a run is waiting: ${d.waiting.why}; it tries again at ${slackDate(d.waiting.nextTryAt, '{time}')}.` : '';
    return `• \`${escapeText(d.name)}\`: \`${escapeText(d.source)}\` → \`${escapeText(d.target)}\`, \`${escapeText(d.schedule)}\` (${escapeText(d.timeZone)}), in <#${d.channel}>. Next run ${next}; last: ${result}${waiting}`;
  });
  return ['*Restore drills*', ...lines, '_`/atlas-restore drill <name>` runs one now (approvers of its target)._'].join('\n');
}

/**
 * `/atlas-restore drill <name>` while a run of it waits (Atlas down): refused, since a second run would wait for the
 * same and, the trouble outlasting both, say "did not run" twice for one outage.
 */
export function drillWaitingAnswer(drill: Pick<DrillDefinition, 'name' | 'channel'>, waiting: DrillRunWaiting): string {
  const run = waiting.trigger === 'schedule' ? 'its scheduled run' : 'its run on command';
  return (
    `Drill \`${escapeText(drill.name)}\` is already waiting to run: ${run} can't start yet (${waiting.why}). ` +
    `It tries again at ${slackDate(waiting.nextTryAt, '{time}')}; if it still can't start by ${slackDate(waiting.until, '{time}')}, it says so in <#${drill.channel}>. ` +
    'It starts by itself once that is over: a second run now would only wait for the same thing.'
  );
}

/** "completed 3 Mar, restore time 20 min, snapshot age 1 h": the RTO and the recovery point the drill proved. */
function completedRun(last: NonNullable<DrillSummary['lastRun']>): string {
  const when = last.finishedAt ? ` ${slackDate(last.finishedAt, '{date_short_pretty}')}` : '';
  const age = last.snapshotAgeMs !== undefined ? `, snapshot age ${formatDuration(last.snapshotAgeMs)}` : '';
  return `completed${when}, restore time ${last.restoreMs !== undefined ? formatDuration(last.restoreMs) : '?'}${age}`;
}

/** A run that ended in Atlas without success (failed, cancelled, expired): when, and where its reason is. */
function endedWithoutSuccess(last: NonNullable<DrillSummary['lastRun']>): string {
  const when = last.finishedAt ? ` ${slackDate(last.finishedAt, '{date_short_pretty} {time}')}` : '';
  const id = escapeText(last.requestId ?? '?');
  return `*${escapeText(last.state)}*${when} (${id}): \`/atlas-restore status ${id}\` says why.`;
}
