// A collection restore reports documents restored of a total: the thread hears about each 25 % step once, the card
// shows the last one, and the final message lists each namespace with where it went.
import type { NamespaceResult, RestoreRequest } from './types.js';
import type { RestoreJob } from '../atlas/types.js';
import { isCollectionRestore } from './restore-job-calls.js';
import { sourceOf } from './source-location.js';
import type { TrackerContext } from './tracker-types.js';

/** 0..3: the last 25 % step reached (100 % is the final message's). */
export function progressStep(restored: number | undefined, total: number | undefined): number {
  if (!restored || !total || total <= 0) return 0;
  return Math.max(0, Math.min(3, Math.floor((restored / total) * 4)));
}

/** Announces a new 25 % step once (across crashes and replicas) and records it for the card. */
export async function announceProgress(ctx: TrackerContext, req: RestoreRequest, job: RestoreJob): Promise<void> {
  if (!isCollectionRestore(req) || job.totalDocuments === undefined) return;
  const step = progressStep(job.restoredDocuments, job.totalDocuments);
  if (step <= (req.progress?.announcedStep ?? 0)) return;
  const progress = { restoredDocuments: job.restoredDocuments ?? 0, totalDocuments: job.totalDocuments, announcedStep: step };
  // Announce, then record, as for a state change: a crash in between announces nothing twice (the marker says
  // done) and the next poll records the step. Recording first would lose the announcement on such a crash.
  const outcome = await ctx.marks.runOnce(req.id, `progress:${job.id}:${step}`, () => ctx.notifier.progress({ ...req, progress }));
  if (outcome === 'busy') return;
  const recorded = await ctx.store.update(req.id, ['running'], { progress });
  if (recorded.ok) await ctx.notifier.requestChanged(recorded.request).catch(() => undefined);
}

/** Per namespace, when the job ended; undefined when Atlas can't say now (the final message then goes without). */
export async function namespaceResultsOf(ctx: TrackerContext, req: RestoreRequest, jobId: string): Promise<NamespaceResult[] | undefined> {
  if (!isCollectionRestore(req)) return undefined;
  try {
    const results = await ctx.atlas.listCollectionRestoreJobNamespaces(sourceOf(req), jobId);
    return results.map((r) => ({
      sourceNamespace: r.sourceNamespace,
      effectiveTargetNamespace: r.effectiveTargetNamespace ?? r.targetNamespace,
      state: r.outcome,
      restoredDocuments: r.restoredDocuments,
      totalDocuments: r.totalDocuments,
      errorMessage: r.errorMessage,
    }));
  } catch (err) {
    ctx.logger.warn({ requestId: req.id, err }, 'could not read the namespaces of a finished collection restore');
    return undefined;
  }
}
