// Submitting an approved restore to Atlas exactly once (DESIGN.md §5).
// The POST that creates a restore job has no idempotency key, so: record the intent (`submitting`) first, POST once,
// and when the outcome is unknown (timeout, 5xx, network) look for the job instead of posting again.
import type { Logger } from 'pino';
import { AtlasApiError } from '../atlas/errors.js';
import type { AtlasClient, RestoreJob } from '../atlas/types.js';
import type { RestoreStore } from './store.js';
import type { RestoreRequest } from './types.js';
import { findAdoptableJob } from './find-adoptable-job.js';

export type SubmitOutcome =
  | { kind: 'submitted'; request: RestoreRequest; job: RestoreJob }
  | { kind: 'adopted'; request: RestoreRequest; job: RestoreJob }
  | { kind: 'dry_run'; request: RestoreRequest }
  | { kind: 'failed'; request: RestoreRequest; message: string; hint?: string | undefined; outcomeUnknown?: boolean }
  /** Another click, retry or replica owns this submission; nothing was sent. */
  | { kind: 'not_submittable'; request: RestoreRequest | null };

export interface SubmitDeps {
  store: RestoreStore;
  atlas: AtlasClient;
  logger: Logger;
  dryRun: boolean;
  now?: () => Date;
  /** How often to look for the job after an unknown outcome (it may take Atlas a moment to list it). */
  reconcileAttempts?: number;
  reconcileDelayMs?: number;
  /** How long a running restore keeps the target lock between polls. */
  lockTtlSeconds?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function submitRestore(deps: SubmitDeps, requestId: string): Promise<SubmitOutcome> {
  const now = deps.now ?? (() => new Date());
  const intent = await deps.store.transition(requestId, ['approved'], 'submitting', { submittingAt: now().toISOString() });
  if (!intent.ok) return { kind: 'not_submittable', request: intent.request };
  const request = intent.request;
  await deps.store.audit({ type: 'submitting', requestId, detail: `snapshot ${request.snapshot.id} → ${request.target.project}/${request.target.cluster}` });

  if (request.dryRun) {
    const done = await deps.store.transition(requestId, ['submitting'], 'completed', { finishedAt: now().toISOString() });
    await deps.store.releaseTargetLock(request.target, requestId);
    await deps.store.audit({ type: 'submitted', requestId, detail: 'dry run: no restore job was created' });
    deps.logger.info({ requestId, dryRun: true }, 'dry run: restore job not sent to Atlas');
    return { kind: 'dry_run', request: done.request ?? request };
  }

  // Remember which jobs existed before we post: after an unknown outcome, only a new one can be ours.
  let before: string[];
  const sourceLocation = { groupId: request.source.groupId, clusterName: request.source.cluster, type: request.source.type };
  try {
    before = (await deps.atlas.listRestoreJobs(sourceLocation)).map((job) => job.id);
  } catch (err) {
    return recordFailure(deps, request, err);
  }
  const recorded = await deps.store.update(requestId, ['submitting'], { jobIdsBeforeSubmit: before });
  if (!recorded.ok) return { kind: 'not_submittable', request: recorded.request };

  try {
    const job = await deps.atlas.createRestoreJob({
      source: sourceLocation,
      snapshotId: request.snapshot.id,
      target: { groupId: request.target.groupId, clusterName: request.target.cluster },
    });
    return await recordRunning(deps, request, job, 'submitted');
  } catch (err) {
    if (err instanceof AtlasApiError && err.code === 'ATLAS_CREATE_OUTCOME_UNKNOWN') {
      deps.logger.warn({ requestId, errorCode: err.errorCode, status: err.status }, 'restore job POST outcome unknown: looking for the job instead of posting again');
      return reconcileSubmitting(deps, recorded.request);
    }
    return recordFailure(deps, request, err);
  }
}

/**
 * A request whose POST outcome is unknown (timeout, 5xx, crash after `submitting`): adopt the matching Atlas job if
 * there is one, else fail it with a message that tells people to check Atlas. Never posts.
 */
export async function reconcileSubmitting(deps: SubmitDeps, request: RestoreRequest): Promise<SubmitOutcome> {
  const attempts = deps.reconcileAttempts ?? 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const jobs = await deps.atlas.listRestoreJobs({
        groupId: request.source.groupId,
        clusterName: request.source.cluster,
        type: request.source.type,
      });
      const job = findAdoptableJob(jobs, request);
      if (job) return await recordRunning(deps, request, job, 'adopted');
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (attempt < attempts) await sleep(deps.reconcileDelayMs ?? 2000);
  }
  const message = lastError
    ? `Atlas did not confirm the restore job and could not be asked about it (${errorText(lastError)}). Check the restore jobs of ${request.source.cluster} in Atlas before requesting again.`
    : `Atlas did not confirm the restore job and no matching job appeared. Check the restore jobs of ${request.source.cluster} in Atlas before requesting again.`;
  const outcome = await recordFailure(deps, request, new Error(message));
  return outcome.kind === 'failed' ? { ...outcome, outcomeUnknown: true } : outcome;
}

async function recordRunning(deps: SubmitDeps, request: RestoreRequest, job: RestoreJob, how: 'submitted' | 'adopted'): Promise<SubmitOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const result = await deps.store.transition(request.id, ['submitting'], 'running', {
    atlasJobId: job.id,
    lastJobState: job.state,
    submittedAt: now.toISOString(),
  });
  if (!result.ok) {
    // Someone else settled it (a reconciler on another replica). The job exists in Atlas: say so loudly.
    deps.logger.error({ requestId: request.id, atlasJobId: job.id, state: result.request?.state }, 'restore job created but the request was no longer submitting');
    return { kind: 'not_submittable', request: result.request };
  }
  await deps.store.refreshTargetLock(request.target, request.id, deps.lockTtlSeconds ?? 6 * 3600);
  await deps.store.audit({ type: how, requestId: request.id, detail: `Atlas restore job ${job.id}`, atlasJobId: job.id });
  deps.logger.info({ requestId: request.id, atlasJobId: job.id, how }, 'restore job submitted');
  return { kind: how, request: result.request, job };
}

async function recordFailure(deps: SubmitDeps, request: RestoreRequest, err: unknown): Promise<SubmitOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const message = errorText(err);
  const hint = err instanceof AtlasApiError ? err.hint : undefined;
  const result = await deps.store.transition(request.id, ['submitting'], 'failed', {
    failureReason: hint ? `${message} ${hint}` : message,
    finishedAt: now.toISOString(),
  });
  // Someone else (a reconciler on another replica) settled it first: theirs is the story to tell.
  if (!result.ok) return { kind: 'not_submittable', request: result.request };
  await deps.store.releaseTargetLock(request.target, request.id);
  await deps.store.audit({ type: 'failed', requestId: request.id, detail: message });
  deps.logger.warn({ requestId: request.id, err: message }, 'restore submission failed');
  return { kind: 'failed', request: result.request, message, hint };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
