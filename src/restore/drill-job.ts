// A drill run: the policy pre-approves a restore of the source's latest completed snapshot into a scratch target.
// Started by its BullMQ job scheduler (one job per tick, so once across all replicas) or by `/atlas-restore drill`.
// The run only creates the request (already approved, with its card); from there the request's own restore job
// carries it like any restore: re-check, submit exactly once, follow, settle.
import { classifyAtlasError } from './classify-atlas-error.js';
import type { DrillDefinition } from './drill-definition.js';
import { afterInternalError } from './drill-internal-error.js';
import { notStarted } from './drill-not-started.js';
import { afterErrorWithRequest } from './drill-request-unsure.js';
import { describeHolder } from './drill-target-holder.js';
import { noteWaiting } from './drill-waiting-note.js';
import { claimTheWait, releaseTheWait, waitingBehind } from './drill-wait-claim.js';
import { DEFAULT_TARGET_LOCK_TTL_SECONDS, type SettleRetryState, type TrackerContext } from './tracker-types.js';
import { FINAL_REQUEST_STATES, type RestoreRequest } from './types.js';
import { drillRetryDelayMs } from './drill-retry-delay.js';

export interface DrillJobData extends SettleRetryState {
  drill: string;
  trigger: 'schedule' | 'command';
  /** The approver who ran it now (`/atlas-restore drill`). */
  by?: string | undefined;
  /** Fixed on the first run of the job: a re-run after a crash continues with the same request. */
  requestId?: string | undefined;
  /** When the run started (ms): Atlas trouble is waited out until DRILL_START_WINDOW_MS after it. */
  startedAt?: number | undefined;
  attempts?: number | undefined;
  /** The target's lock was held by a request not stored yet, and is being looked at again. */
  lockRechecked?: boolean | undefined;
  /** Why this run did not start, once decided: a retry only says so (Slack didn't take it), it never starts the run. */
  notStarted?: string | undefined;
  /** A scheduled run's time (ms), as its scheduler planned it. */
  scheduledAt?: number | undefined;
  /** Tries at posting the run's card so far (Slack refused the ones before). */
  cardTries?: number | undefined;
  /** Internal errors (Redis refusing, a bug) met before the request was made: retried as steps within the start window. */
  errors?: number | undefined;
  /** The run waits (Atlas, or its own errors) before making its request: what `/atlas-restore drill` tells who asks. */
  waiting?: DrillWaiting | undefined;
  /** Its "did not run" is in the channel: a retry (the audit or history refused) doesn't post it again. */
  notStartedSaid?: boolean | undefined;
  /** Its create was sent (and may have landed): the run never says it did not run before it has looked. */
  requestMayExist?: boolean | undefined;
  /** The create's answer was lost before its card was posted: posted once the request is found. */
  cardOwed?: boolean | undefined;
  /** When the errors met with the request made (or maybe made) began (ms). */
  requestErrorsSince?: number | undefined;
}

export interface DrillWaiting {
  /** App-written mrkdwn: what the run waits for. */
  why: string;
  /** When it tries again (ms). */
  nextTryAt: number;
  /** When it gives up and says it did not run (ms). */
  until: number;
}

export type DrillStepResult = { kind: 'done'; reason: string } | { kind: 'again'; delayMs: number; data: DrillJobData };

/** A drill that can't start within this long (Atlas down) says so and gives up until its next run. */
export const DRILL_START_WINDOW_MS = 30 * 60_000;
/** The submission of a drill may wait this long for Atlas, like an approval's horizon. */
const DRILL_SUBMIT_WINDOW_MS = 60 * 60_000;
/** A scheduled run taken this much after its time says so: no replica was up at it (BullMQ takes a tick in ms). */
const LATE_RUN_MS = 5 * 60_000;
/**
 * A card Slack didn't take is tried this many times, 15 s apart (or the poll policy's longest delay, when shorter: the
 * tests'), before the run goes on without one: its thread would otherwise be loose messages in the channel.
 */
const CARD_TRIES = 4;
const CARD_RETRY_MS = 15_000;
/** How long a run waits to see the request of a lock's holder that isn't stored yet. */
const HOLDER_RECHECK_MS = 1000;

export interface DrillDeps {
  drills(): DrillDefinition[];
  newRequestId(): string;
  /** Hands the created request to its restore job. */
  track(requestId: string): Promise<void>;
  /** How long Atlas trouble is waited out before the drill says it could not run (default 30 min). */
  startWindowMs?: number | undefined;
}

export async function runDrillStep(ctx: TrackerContext, deps: DrillDeps, data: DrillJobData, now = Date.now()): Promise<DrillStepResult> {
  const drill = deps.drills().find((d) => d.name === data.drill);
  if (!drill) return { kind: 'done', reason: `drill ${data.drill} is no longer in the policy` };
  const progress = { requestMade: false, createSent: false };
  try {
    return await drillStep(ctx, deps, drill, data, now, progress);
  } catch (err) {
    // Once the request exists (or may: its create was sent, its answer lost), a Redis error must not end in "did not
    // run, nothing was restored" while that request holds the target and is restored once tracked. A run retrying its
    // card has made its request in an earlier step. Looked at again as steps until Redis answers.
    if (progress.createSent || data.requestMayExist || (data.cardTries ?? 0) > 0) {
      return afterErrorWithRequest(ctx, drill, data, err, now, progress.createSent && !progress.requestMade);
    }
    // Before that, the run's own steps wait the error out and then say it did not run: BullMQ's attempts would end
    // it in a log line only, the channel and `drills` silent.
    return afterInternalError(ctx, drill, data, err, now, deps.startWindowMs ?? DRILL_START_WINDOW_MS);
  }
}

async function drillStep(ctx: TrackerContext, deps: DrillDeps, drill: DrillDefinition, data: DrillJobData, now: number, progress: { requestMade: boolean; createSent: boolean }): Promise<DrillStepResult> {
  if (data.scheduledAt !== undefined) {
    // The night the clocks go back, a local time comes twice. BullMQ plans the next run from when a run was taken,
    // so a run taken late (no replica up at its time) is followed by the same local time an hour later: one run per
    // local time, on every step of the job (a re-run of the same tick holds its own claim).
    const local = localTime(data.scheduledAt, drill.timeZone);
    // The zone is in the key: a drill moved to another zone may meet the same wall-clock time again, rightly.
    const holder = await ctx.store.claimAs(`drill-tick:${drill.name}:${drill.timeZone}:${local}`, String(data.scheduledAt), 3 * 24 * 3600);
    if (holder !== String(data.scheduledAt)) return repeatedLocalTime(ctx, drill, data, local, Number(holder));
  }
  // The first run only fixes the request id (and the start) in the job's data: a crash after the request was created
  // then continues with it instead of starting a second one.
  if (!data.requestId || data.startedAt === undefined) return { kind: 'again', delayMs: 0, data: { ...data, requestId: data.requestId ?? deps.newRequestId(), startedAt: data.startedAt ?? now } };
  if (data.notStarted !== undefined) return notStarted(ctx, drill, data, now, data.notStarted);
  const { requestId, startedAt } = data;
  const existing = await ctx.store.get(requestId);
  if (existing) {
    progress.requestMade = true;
    // Its card was refused, or never tried (the create's answer was lost): posted while the request waits for its
    // restore job (the reconcile may start it first).
    if (!existing.cardTs && !FINAL_REQUEST_STATES.includes(existing.state) && ((data.cardTries ?? 0) > 0 || data.cardOwed)) {
      // The step that made it lost the create's answer before auditing its start.
      if (data.cardOwed) await auditStarted(ctx, drill, data, existing);
      return publishCard(ctx, deps, drill, existing, data);
    }
    // A re-run after a crash: the request exists; make sure its job runs.
    await deps.track(requestId);
    return { kind: 'done', reason: `drill ${drill.name} already started as ${requestId}` };
  }
  if (data.requestMayExist) {
    // Its create was sent and never landed: the lock taken for it is given back (taken again below, should the run
    // go on). Past its time to start, it did not run, and now that is known to be true.
    await ctx.store.releaseTargetLock(drill.target, requestId);
    if (now >= startedAt + (deps.startWindowMs ?? DRILL_START_WINDOW_MS)) {
      return notStarted(ctx, drill, data, now, "the bot could not make the run's request in time: Redis did not take it. Nothing was restored. Look at Redis and at the bot's log (`drill run could not look at its request`).");
    }
  }

  let snapshot: { id: string; createdAt: string } | undefined;
  try {
    const snapshots = await ctx.atlas.listSnapshots({ groupId: drill.source.groupId, clusterName: drill.source.cluster, type: drill.source.type });
    const latest = snapshots.find((s) => s.status === 'completed' && s.createdAt);
    if (latest?.createdAt) snapshot = { id: latest.id, createdAt: latest.createdAt };
  } catch (err) {
    const verdict = classifyAtlasError(err);
    const attempts = (data.attempts ?? 0) + 1;
    const until = startedAt + (deps.startWindowMs ?? DRILL_START_WINDOW_MS);
    if (verdict.kind !== 'refuse' && now < until) {
      const waiter = await claimTheWait(ctx, drill, requestId, until, now);
      if (waiter !== requestId) return waitingBehind(ctx, drill, data, waiter);
      ctx.logger.warn({ drill: drill.name, attempts, code: verdict.code }, 'drill waits for Atlas');
      await noteWaiting(ctx, drill, data, until);
      const delayMs = drillRetryDelayMs(ctx, attempts);
      const why = `Atlas could not list the snapshots of \`${drill.source.project}/${drill.source.cluster}\``;
      return { kind: 'again', delayMs, data: { ...data, attempts, waiting: { why, nextTryAt: now + delayMs, until } } };
    }
    if (data.attempts) await releaseTheWait(ctx, drill, requestId);
    return notStarted(ctx, drill, data, now, `Atlas could not list the snapshots of \`${drill.source.project}/${drill.source.cluster}\`: ${verdict.message} (${verdict.code})`);
  }
  // It waited for Atlas: the next trouble is another run's to wait out and say.
  if (data.attempts) await releaseTheWait(ctx, drill, requestId);
  if (!snapshot) return notStarted(ctx, drill, data, now, `\`${drill.source.project}/${drill.source.cluster}\` has no completed snapshot to restore.`);

  const at = new Date(now).toISOString();
  const request: RestoreRequest = {
    id: requestId,
    requester: `drill:${drill.name}`,
    source: drill.source,
    target: drill.target,
    snapshot,
    // Plain text: the card quotes a reason as typed (escaped), so a mention would show as its raw id.
    reason: `Restore drill ${drill.name} of the policy, ${data.trigger === 'command' ? 'run now with /atlas-restore drill' : 'on its schedule'}.`,
    state: 'approved',
    approvalsRequired: 1,
    approvals: [],
    dryRun: false,
    channel: drill.channel,
    createdAt: at,
    approvalExpiresAt: at,
    submitBy: new Date(now + DRILL_SUBMIT_WINDOW_MS).toISOString(),
    updatedAt: at,
    drill: { name: drill.name, trigger: data.trigger, ...(data.by ? { by: data.by } : {}), ...lateBy(data, startedAt) },
    ...(drill.only ? { namespaces: drill.only.map((sourceNamespace) => ({ sourceNamespace })), writeStrategy: 'CREATE_NEW' as const } : {}),
  };
  // Like any restore: one at a time per target. A drill never runs into a target being restored.
  const lock = await ctx.store.acquireTargetLock(drill.target, requestId, ctx.targetLockTtlSeconds ?? DEFAULT_TARGET_LOCK_TTL_SECONDS);
  if (!lock.ok) {
    // The drill's own previous run (a long restore, or a run on command just before its time): the drill is running,
    // so this run is no alarm and no result. Audited once, and `drills` goes on showing the run in progress (recordStart).
    const holder = await ctx.store.get(lock.holder).catch(() => undefined);
    if (holder?.drill?.name === drill.name && !FINAL_REQUEST_STATES.includes(holder.state)) return supersededBy(ctx, drill, data, holder.id);
    // A holder without its request yet: another run of this drill between its lock and its request (a command and a
    // tick at once). Looked at again a moment later, before this run says anything.
    if (holder === null && !data.lockRechecked) return { kind: 'again', delayMs: HOLDER_RECHECK_MS, data: { ...data, lockRechecked: true, waiting: undefined } };
    return notStarted(ctx, drill, data, now, `\`${drill.target.project}/${drill.target.cluster}\` ${describeHolder(holder, lock.holder, lock.since)}; the drill was skipped.`);
  }
  try {
    // Before the request exists, so its end (a dry run's comes in moments) can only come after and replace it.
    await ctx.drillHistory.recordStart(drill.name, requestId, new Date(now));
    progress.createSent = true;
    await ctx.store.create(request);
    progress.requestMade = true;
  } catch (err) {
    // A create that failed may have landed (its answer lost): its lock stays until the next step has looked.
    if (!progress.createSent) await ctx.store.releaseTargetLock(drill.target, requestId).catch(() => undefined);
    throw err;
  }
  await auditStarted(ctx, drill, data, request);
  return publishCard(ctx, deps, drill, request, data);
}

/** Once per request: the step after a lost create answer audits it too. */
async function auditStarted(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, request: RestoreRequest): Promise<void> {
  const { snapshot } = request;
  const detail = `drill ${drill.name} (${data.trigger}): snapshot ${snapshot.id} of ${drill.source.project}/${drill.source.cluster} → ${drill.target.project}/${drill.target.cluster}`;
  await ctx.store.auditOnce(`${request.id}:drill-started`, { type: 'drill_started', requestId: request.id, ...(data.by ? { user: data.by } : {}), detail });
}

/** Posts the run's card, then hands the request to its restore job: once the card is up, or after the last try. */
async function publishCard(ctx: TrackerContext, deps: DrillDeps, drill: DrillDefinition, request: RestoreRequest, data: DrillJobData): Promise<DrillStepResult> {
  const tries = (data.cardTries ?? 0) + 1;
  const cardTs = await ctx.notifier.publishRequest(request).catch(() => undefined);
  if (cardTs) {
    await ctx.store.update(request.id, ['approved', 'submitting', 'running'], { cardTs });
  } else if (tries < CARD_TRIES) {
    ctx.logger.warn({ drill: drill.name, requestId: request.id, tries }, 'the drill card could not be posted; trying again');
    return { kind: 'again', delayMs: Math.min(CARD_RETRY_MS, ctx.policy.maxDelayMs), data: { ...data, cardTries: tries } };
  } else {
    // The drill still runs (its result is recorded and in the metrics), but nobody will read about it in Slack.
    ctx.logger.error({ drill: drill.name, requestId: request.id, channel: drill.channel }, 'the drill card could not be posted: invite the bot to the drill channel');
  }
  await deps.track(request.id);
  ctx.logger.info({ drill: drill.name, requestId: request.id, trigger: data.trigger }, 'drill started');
  return { kind: 'done', reason: `drill ${drill.name} started as ${request.id}` };
}

function lateBy(data: DrillJobData, startedAt: number): Pick<NonNullable<RestoreRequest['drill']>, 'late'> {
  const ms = data.scheduledAt === undefined ? 0 : startedAt - data.scheduledAt;
  return ms >= LATE_RUN_MS ? { late: { dueAt: new Date(data.scheduledAt!).toISOString(), ms } } : {};
}

/** `2026-10-25 02:30` in `timeZone`: the wall-clock time people set the schedule in. */
function localTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);
}

async function repeatedLocalTime(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, local: string, firstAt: number): Promise<DrillStepResult> {
  const first = Number.isFinite(firstAt) ? ` at ${new Date(firstAt).toISOString()}` : '';
  const reason = `${local} (${drill.timeZone}) came twice as the clocks went back; the drill's run for it was the first${first}, this scheduled run was skipped.`;
  ctx.logger.info({ drill: drill.name, local, scheduledAt: data.scheduledAt }, 'drill skipped: its local time came twice');
  await ctx.store.auditOnce(`drill-not-started:${drill.name}:${data.scheduledAt ?? 0}`, { type: 'drill_not_started', detail: `drill ${drill.name}: ${reason}` });
  return { kind: 'done', reason: `drill ${drill.name} not started: ${reason}` };
}

async function supersededBy(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, runningId: string): Promise<DrillStepResult> {
  const reason = `the previous run ${runningId} is still running into \`${drill.target.project}/${drill.target.cluster}\`; this ${data.trigger === 'command' ? 'run' : 'scheduled run'} was skipped.`;
  ctx.logger.info({ drill: drill.name, running: runningId, trigger: data.trigger }, 'drill skipped: its previous run is still running');
  await ctx.store.auditOnce(`drill-not-started:${drill.name}:${data.startedAt ?? 0}`, { type: 'drill_not_started', ...(data.by ? { user: data.by } : {}), detail: `drill ${drill.name}: ${reason}` });
  return { kind: 'done', reason: `drill ${drill.name} not started: ${reason}` };
}
