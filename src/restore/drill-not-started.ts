// A drill run that made no request says so once, loudly, in its channel, and is its drill's last result (`drills`, the
// App Home) and audited. The channel comes first in importance: when Redis is what refuses (the audit, the history, the
// once-marker), the message still goes out, and what Redis refused is written by a retry of this step once it answers.
import type { DrillDefinition } from './drill-definition.js';
import { notStartedRun } from './drill-history.js';
import type { DrillJobData, DrillStepResult } from './drill-job.js';
import { nextSettleRetry } from './settle-step.js';
import type { TrackerContext } from './tracker-types.js';

export async function notStarted(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, now: number, reason: string): Promise<DrillStepResult> {
  ctx.logger.warn({ drill: drill.name, reason }, 'drill did not start');
  // Once per run: a re-run of this job after a crash must not say it twice, nor record it twice.
  const runKey = `drill-not-started:${drill.name}:${data.startedAt ?? 0}`;
  let failure: unknown;
  const noteFailure = (err: unknown) => {
    failure ??= err;
  };
  await ctx.store.auditOnce(runKey, { type: 'drill_not_started', ...(data.by ? { user: data.by } : {}), detail: `drill ${drill.name}: ${reason}` }).catch(noteFailure);
  // This run is the drill's last result: `drills` and the App Home must not go on showing the previous one's success.
  await ctx.marks.runOnce(drill.name, `${runKey}:record`, () => ctx.drillHistory.record(drill.name, notStartedRun(reason, new Date(now)), data.requestId)).catch(noteFailure);
  let undeliverable: unknown;
  const said =
    data.notStartedSaid === true ||
    (await tellChannel(ctx, drill, runKey, reason).catch((err: unknown) => {
      const gone = channelGone(err);
      if (gone) undeliverable = Object.assign(new Error(`Slack answers ${gone} for the drill's channel ${drill.channel}`), { permanent: true, cause: err });
      else noteFailure(err);
      return false;
    }));
  // The channel is gone: no retry delivers it. Given up at once, loudly (log and metric), as a request's last word is;
  // what Redis refused meanwhile is still retried, without posting again.
  if (undeliverable !== undefined) nextSettleRetry(ctx, `drill:${drill.name}`, data, undeliverable, now);
  const gone = undeliverable !== undefined;
  if (failure === undefined) return { kind: 'done', reason: `drill ${drill.name} not started${gone ? ', and that can not be delivered (its channel is gone)' : ''}: ${reason}` };
  // Slack (or Redis) didn't take it all: what is missing is tried again as a step, like a final message.
  const retry = nextSettleRetry(ctx, `drill:${drill.name}`, data, failure, now);
  if (retry.kind === 'give_up') {
    return { kind: 'done', reason: `drill ${drill.name} not started, ${said ? 'said in its channel but not recorded' : 'and that was not delivered'}: ${reason}` };
  }
  return { kind: 'again', delayMs: retry.delayMs, data: { ...data, notStarted: reason, notStartedSaid: said || gone /* never posted again */, waiting: undefined, ...retry.state } };
}

/**
 * Slack's answers that the drill's channel can't take a message any more (archived, deleted or not visible to the
 * bot), as `permanent` marks them. `not_in_channel` is not one: inviting the bot mends it within the retries' day.
 */
const CHANNEL_GONE = new Set(['is_archived', 'channel_not_found']);

/** The Slack error code when `err` says the channel is gone (or the notifier marked it `permanent`). */
function channelGone(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { permanent?: unknown; data?: { error?: unknown } };
  const code = typeof e.data?.error === 'string' ? e.data.error : undefined;
  if (code !== undefined && CHANNEL_GONE.has(code)) return code;
  return e.permanent === true ? (code ?? 'a permanent refusal') : undefined;
}

/**
 * Posts the run's "did not run", once (a marker in Redis). True once it is in the channel; throws when Slack refused
 * it. When Redis refuses the marker itself, it is posted without one: a word said twice in a Redis outage beats silence.
 */
async function tellChannel(ctx: TrackerContext, drill: DrillDefinition, runKey: string, reason: string): Promise<boolean> {
  let posting = false;
  let posted = false;
  try {
    const outcome = await ctx.marks.runOnce(drill.name, runKey, async () => {
      posting = true;
      await ctx.notifier.drillNotStarted(drill, reason);
      posted = true;
    });
    // 'busy': another run of this step is posting it now, and will say whether it could.
    return outcome !== 'busy' || posted;
  } catch (err) {
    if (posted) return true;
    if (posting) throw err;
    ctx.logger.error({ err, drill: drill.name }, 'the drill could not mark its "did not run" as said in Redis; posting it all the same');
    await ctx.notifier.drillNotStarted(drill, reason);
    return true;
  }
}
