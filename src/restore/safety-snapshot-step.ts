// The safety snapshot (DESIGN.md §6): after the last approval and before the restore, an on-demand snapshot of the
// dedicated target, so the data about to be replaced can be brought back. A durable part of the restore's job: the
// POST is claimed once (`safetySnapshotClaimedAt`), its completion is waited for in delayed steps (surviving
// restarts), another on-demand snapshot in progress means wait, and a failed snapshot means nothing is restored.
// A snapshot that is gone (404 after the read-after-write grace) or hasn't completed within SAFETY_SNAPSHOT_MAX_WAIT_MS
// counts as failed: the request must end, not keep the target locked forever.
import { AtlasApiError } from '../atlas/errors.js';
import { classifyAtlasError, isNotFoundError, type ErrorVerdict } from './classify-atlas-error.js';
import { recheckPointInTime } from './recheck-point-in-time.js';
import { DEFAULT_TARGET_LOCK_TTL_SECONDS, type PollJobData, type StepResult, type TrackerContext } from './tracker-types.js';
import type { RestoreRequest, SafetySnapshot } from './types.js';

/** What the submit step does next: go on to the restore, or return this step's result. */
export type SafetyOutcome =
  | { kind: 'ready'; request: RestoreRequest }
  | { kind: 'step'; result: StepResult }
  | { kind: 'wait'; verdict: ErrorVerdict }
  | { kind: 'fail'; message: string }
  /** The request can't be restored any more, whatever the snapshot does (its point in time left the window). */
  | { kind: 'refuse'; message: string };

const targetOf = (req: RestoreRequest) => ({ groupId: req.target.groupId, clusterName: req.target.cluster, type: req.target.type });
/** A snapshot of a large cluster takes a while: look again at the poll's pace. */
const lookAgainMs = (ctx: TrackerContext) => Math.max(ctx.policy.minDelayMs, ctx.policy.baseMs);

/**
 * How long the restore waits for its safety snapshot, from when Atlas took the request. On-demand snapshots of large
 * clusters take an hour or two; one still not completed after this (stuck `queued`, or Atlas unreachable all along)
 * ends the request with nothing restored. As long as the target lock's TTL, which nothing else outlasts either.
 */
export const SAFETY_SNAPSHOT_MAX_WAIT_MS = DEFAULT_TARGET_LOCK_TTL_SECONDS * 1000;

/** When Atlas took the request for the safety snapshot (ms). */
function requestedAtOf(req: RestoreRequest): number {
  const since = Date.parse(req.safetySnapshot?.requestedAt ?? req.safetySnapshotClaimedAt ?? req.updatedAt);
  return Number.isFinite(since) ? since : Date.now();
}

/** When the wait for the safety snapshot under way ends; undefined when none is under way. */
export function safetySnapshotWaitEnds(req: RestoreRequest): number | undefined {
  return req.safetySnapshot?.status === 'requested' ? requestedAtOf(req) + SAFETY_SNAPSHOT_MAX_WAIT_MS : undefined;
}

export function safetySnapshotDescription(req: RestoreRequest): string {
  const round = (req.safetySnapshot?.round ?? 1) > 1 ? ` (approval round ${req.safetySnapshot?.round})` : '';
  return `atlas-restore ${req.id}${round}: before restoring ${req.source.project}/${req.source.cluster} into ${req.target.project}/${req.target.cluster}`;
}

/**
 * The safety snapshot of the next approval round, not taken yet: what a request waiting for approvals again carries.
 * The one taken before is of the data as it was then; the snapshot must follow the last approval (DESIGN.md §6).
 */
export function nextSafetySnapshotRound(taken: SafetySnapshot): SafetySnapshot {
  return { retentionInDays: taken.retentionInDays, round: (taken.round ?? 1) + 1 };
}

/** When the last approval was given (ms); NaN without one. */
function lastApprovalAt(req: RestoreRequest): number {
  const times = req.approvals.map((a) => Date.parse(a.at)).filter(Number.isFinite);
  return times.length > 0 ? Math.max(...times) : Number.NaN;
}

/** A snapshot that had completed before the last approval was given belongs to an earlier round (data stored before the rounds). */
function completedBeforeLastApproval(req: RestoreRequest): boolean {
  const completed = Date.parse(req.safetySnapshot?.completedAt ?? '');
  return Number.isFinite(completed) && completed < lastApprovalAt(req);
}

/** Longer than this, the command that makes the request again is not spelled out (a long `only` list). */
const COMMAND_CHARS = 300;

/**
 * What every failed safety snapshot's message ends with (DESIGN.md §6: a new request is needed): the command that
 * opens the form for the same restore (README, Commands), or, when that would be long, what to give it.
 */
export function newRequestText(req: RestoreRequest): string {
  const from = req.pointInTime ? `at ${new Date(req.pointInTime.utcSeconds * 1000).toISOString().replace('.000Z', 'Z')}` : req.snapshot.id;
  const names = (req.namespaces ?? []).map((n) => n.sourceNamespace);
  const only = names.length > 0 ? ` only ${names.join(',')}` : '';
  const command = `/atlas-restore ${req.source.project}/${req.source.cluster} ${from}${only} to ${req.target.project}/${req.target.cluster}`;
  // A name with a space, a comma or a quote would need quoting in the command: not guessed.
  const spelled = command.length <= COMMAND_CHARS && !names.some((n) => /[\s,`"'“”‘’]/.test(n));
  const run = spelled ? `run \`${command}\`` : `run \`/atlas-restore\` again for the same source, ${req.pointInTime ? 'point in time' : 'snapshot'}${names.length > 0 ? ', namespaces' : ''} and target`;
  return `A new request is needed: ${run}; a new safety snapshot is taken after its approval.`;
}

/**
 * The safety snapshot failed, whatever the cause (failed in Atlas, deleted, never completed, refused, unconfirmed):
 * recorded as failed, so that the card stops saying the restore waits for it, then the request ends.
 */
async function failIt(ctx: TrackerContext, req: RestoreRequest, message: string): Promise<SafetyOutcome> {
  const wanted = req.safetySnapshot ?? { retentionInDays: 1 };
  const marked = await ctx.store.update(req.id, ['approved', 'submitting'], { safetySnapshot: { ...wanted, status: 'failed' } });
  if (!marked.ok) ctx.logger.warn({ requestId: req.id }, 'could not record the failed safety snapshot: the request moved on');
  return { kind: 'fail', message: `${message} ${newRequestText(req)}` };
}

/** The safety snapshot's part of a submission; 'ready' when there is none to take or it has completed. */
export async function runSafetySnapshotStep(ctx: TrackerContext, req: RestoreRequest, data: PollJobData): Promise<SafetyOutcome> {
  const wanted = req.safetySnapshot;
  if (!wanted) return { kind: 'ready', request: req };
  if (wanted.status === 'completed') {
    if (!completedBeforeLastApproval(req)) return { kind: 'ready', request: req };
    ctx.logger.info({ requestId: req.id, safetySnapshotId: wanted.id }, 'the safety snapshot predates the last approval: taking a new one');
    const reset = await ctx.store.update(req.id, ['approved', 'submitting'], { safetySnapshot: nextSafetySnapshotRound(wanted), safetySnapshotClaimedAt: undefined });
    if (!reset.ok) return { kind: 'step', result: { kind: 'done', reason: 'the request moved on while its safety snapshot was renewed' } };
    return takeIt(ctx, reset.request, data);
  }
  if (wanted.status === 'failed') return { kind: 'fail', message: `the safety snapshot of the target failed, so nothing was restored. ${newRequestText(req)}` };
  if (!wanted.id) return takeIt(ctx, req, data);
  return followIt(ctx, req, data, wanted.id);
}

async function takeIt(ctx: TrackerContext, req: RestoreRequest, data: PollJobData): Promise<SafetyOutcome> {
  if (req.safetySnapshotClaimedAt) return findIt(ctx, req, data);
  const claim = await ctx.store.claimField(req.id, ['approved', 'submitting'], 'safetySnapshotClaimedAt', new Date().toISOString());
  if (!claim.ok) return { kind: 'step', result: { kind: 'again', delayMs: 0, data } };
  try {
    const snapshot = await ctx.atlas.takeOnDemandSnapshot(targetOf(req), { description: safetySnapshotDescription(req), retentionInDays: req.safetySnapshot?.retentionInDays ?? 1 });
    return recordTaken(ctx, claim.request, data, snapshot.id);
  } catch (err) {
    const verdict = classifyAtlasError(err);
    if (verdict.kind === 'unknown') return findIt(ctx, claim.request, data);
    // Nothing was created: give the claim back. Another on-demand snapshot of the target in progress means wait.
    await ctx.store.update(req.id, ['approved', 'submitting'], { safetySnapshotClaimedAt: undefined });
    if (err instanceof AtlasApiError && err.errorCode === 'UNFINISHED_ON_DEMAND_SNAPSHOT') {
      return { kind: 'wait', verdict: { kind: 'wait', category: 'atlas_unavailable', message: 'Atlas is already taking an on-demand snapshot of the target; the safety snapshot follows when it is done.', code: `${err.status ?? ''} ${err.errorCode}`.trim() } };
    }
    // A conflict (409: another operation on the target) is "not now", and asking again for a snapshot harms nothing.
    if (err instanceof AtlasApiError && err.status === 409) {
      return { kind: 'wait', verdict: { kind: 'wait', category: 'atlas_unavailable', message: `Atlas can't take the safety snapshot of the target yet, another operation on it being under way${quoted(atlasSaid(err), ' ')}; it is asked for again until Atlas takes it.`, code: verdict.code } };
    }
    if (verdict.kind === 'refuse') return failIt(ctx, req, `Atlas refused the safety snapshot of the target (${verdict.code}${quoted(atlasSaid(err), ': ')}): ${verdict.message.replace(/\.$/, '')}, so nothing was restored.`);
    return { kind: 'wait', verdict };
  }
}

/** Longer than this, Atlas's own words are cut short (the thread and the card carry them). */
const ATLAS_DETAIL_CHARS = 200;

/**
 * Atlas's own words about a refusal: the one thing that says why for a code the bot has no sentence of its own for
 * (the generic hint says to read it). Cloud backup turned off since the form checked it is one.
 */
function atlasSaid(err: unknown): string | undefined {
  const detail = err instanceof AtlasApiError ? err.detail?.trim() : undefined;
  if (!detail) return undefined;
  return detail.length > ATLAS_DETAIL_CHARS ? `${detail.slice(0, ATLAS_DETAIL_CHARS)}…` : detail;
}

const quoted = (text: string | undefined, before: string): string => (text ? `${before}“${text}”` : '');

/** The POST's answer was lost: the snapshot it made carries our description. */
async function findIt(ctx: TrackerContext, req: RestoreRequest, data: PollJobData): Promise<SafetyOutcome> {
  let ours: string | undefined;
  try {
    ours = (await ctx.atlas.listSnapshots(targetOf(req))).find((s) => s.description === safetySnapshotDescription(req))?.id;
  } catch (err) {
    return { kind: 'wait', verdict: classifyAtlasError(err) };
  }
  if (ours) return recordTaken(ctx, req, data, ours);
  const since = Date.parse(req.safetySnapshotClaimedAt ?? req.updatedAt);
  if (Date.now() - since < ctx.findWindowMs) {
    return { kind: 'step', result: { kind: 'again', delayMs: lookAgainMs(ctx), data } };
  }
  // None turned up: Atlas took nothing (a 500, a hang, a dropped socket), a passing fault that must not end what was
  // approved (DESIGN.md §5). Unlike a restore job, a second on-demand snapshot harms no data, and Atlas takes one at a
  // time per cluster: the claim is given back and the snapshot taken again, until the request's horizon.
  const released = await ctx.store.update(req.id, ['approved', 'submitting'], { safetySnapshotClaimedAt: undefined });
  if (!released.ok) return { kind: 'step', result: { kind: 'done', reason: 'the request moved on while its safety snapshot was looked for' } };
  ctx.logger.warn({ requestId: req.id }, 'the unconfirmed safety snapshot did not turn up: taking it again');
  return { kind: 'wait', verdict: { kind: 'wait', category: 'atlas_unavailable', message: 'Atlas did not confirm the safety snapshot of the target, and none turned up among its snapshots: it is taken again.', code: '' } };
}

async function recordTaken(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, id: string): Promise<SafetyOutcome> {
  const safetySnapshot = { ...(req.safetySnapshot ?? { retentionInDays: 1 }), id, status: 'requested' as const, requestedAt: new Date().toISOString() };
  // Audit and announce first, then record (both once-guarded): a crash in between leaves the id unrecorded, and the
  // next run finds the snapshot by its description and records it without saying anything twice.
  await ctx.store.auditOnce(`${req.id}:safety-requested:${id}`, { type: 'safety_snapshot_requested', requestId: req.id, detail: `on-demand snapshot ${id} of ${req.target.project}/${req.target.cluster}` });
  await ctx.marks.runOnce(req.id, `safety-started:${id}`, () => ctx.notifier.safetySnapshotStarted({ ...req, safetySnapshot })).catch(() => undefined);
  const updated = await ctx.store.update(req.id, ['approved', 'submitting'], { safetySnapshot });
  if (!updated.ok) return { kind: 'step', result: { kind: 'done', reason: 'the request moved on while its safety snapshot was taken' } };
  await ctx.notifier.requestChanged(updated.request).catch(() => undefined);
  return { kind: 'step', result: { kind: 'again', delayMs: lookAgainMs(ctx), data } };
}

const maxWaitText = `${SAFETY_SNAPSHOT_MAX_WAIT_MS / 3600_000} h`;

/**
 * Every `windowRecheckMs` (10 min) while the safety snapshot is taken, a point in time is checked against its restore
 * window: a snapshot of a large cluster can take hours, and a time that leaves the window meanwhile is better said
 * when it happens than once the snapshot completed. Two Atlas reads each time, hence not at every look.
 */
async function recheckWindowWhileTaken(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number): Promise<{ kind: 'refuse'; message: string } | { kind: 'ok'; data: Pick<PollJobData, 'windowCheckedAt'> }> {
  if (!req.pointInTime) return { kind: 'ok', data: {} };
  const last = data.windowCheckedAt ?? requestedAtOf(req);
  if (now - last < ctx.windowRecheckMs) return { kind: 'ok', data: {} };
  const window = await recheckPointInTime(ctx, req, now);
  // A passing fault asking Atlas is not the snapshot's problem: asked again at the next interval, and right before the POST.
  if (window.kind === 'refuse') return window;
  return { kind: 'ok', data: { windowCheckedAt: now } };
}

async function followIt(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, id: string): Promise<SafetyOutcome> {
  const now = Date.now();
  const requestedAt = requestedAtOf(req);
  const overdue = now >= (safetySnapshotWaitEnds(req) ?? now);
  let status: string;
  try {
    status = (await ctx.atlas.getSnapshot(targetOf(req), id)).status;
  } catch (err) {
    if (isNotFoundError(err)) {
      // Right after the POST Atlas may not serve the new snapshot yet (read-after-write lag); after that it is gone.
      if (now - requestedAt >= ctx.notFoundGraceMs) return failIt(ctx, req, `the safety snapshot \`${id}\` of the target failed: Atlas no longer has it (it was deleted), so nothing was restored.`);
      if (!overdue) return { kind: 'step', result: { kind: 'again', delayMs: lookAgainMs(ctx), data } };
    }
    const verdict = classifyAtlasError(err);
    if (overdue) return failIt(ctx, req, `the safety snapshot \`${id}\` of the target failed: it could not be confirmed within ${maxWaitText} (${verdict.message}), so nothing was restored.`);
    return { kind: 'wait', verdict };
  }
  if (status === 'failed') return failIt(ctx, req, `the safety snapshot \`${id}\` of the target failed in Atlas, so nothing was restored.`);
  if (status !== 'completed') {
    if (overdue) return failIt(ctx, req, `the safety snapshot \`${id}\` of the target failed: it was still ${status} in Atlas after ${maxWaitText}, so nothing was restored.`);
    // queued or inProgress
    const window = await recheckWindowWhileTaken(ctx, req, data, now);
    if (window.kind === 'refuse') return window;
    return { kind: 'step', result: { kind: 'again', delayMs: lookAgainMs(ctx), data: { ...data, ...window.data, submitAttempts: 0 } } };
  }
  const safetySnapshot = { ...req.safetySnapshot!, status: 'completed' as const, completedAt: new Date().toISOString() };
  // Audit and announce first, then record (both once-guarded): a crash in between leaves the snapshot 'requested',
  // and the next run sees it completed again and records it, without a second audit record or message (DESIGN.md §6).
  await ctx.store.auditOnce(`${req.id}:safety-completed:${id}`, { type: 'safety_snapshot_completed', requestId: req.id, detail: `on-demand snapshot ${id} of ${req.target.project}/${req.target.cluster} completed` });
  await ctx.marks.runOnce(req.id, `safety-completed:${id}`, () => ctx.notifier.safetySnapshotCompleted({ ...req, safetySnapshot })).catch(() => undefined);
  const updated = await ctx.store.update(req.id, ['approved', 'submitting'], { safetySnapshot });
  if (!updated.ok) return { kind: 'step', result: { kind: 'done', reason: 'the request moved on while its safety snapshot completed' } };
  return { kind: 'ready', request: updated.request };
}
