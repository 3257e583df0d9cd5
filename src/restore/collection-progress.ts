// A collection restore reports documents restored of a total: the thread hears about each 25 % step once, the card
// shows the last one, and the final message lists each namespace with where it went.
//
// At the end, Atlas may call the job SUCCESSFUL while some namespaces were not restored (not found, failed, indexes
// that failed to build). Such a request ends `failed`, not `completed`: the request states are fixed (DESIGN.md §4),
// and a DBA would rather be told loudly that the restore did not do everything it was asked to than read "Restore
// completed" over a list with a NOT_FOUND in it. It also keeps a drill whose namespace was renamed in production from
// counting as a success night after night (the drill metrics and the stale-drill alert read `completed` only).
import type { NamespaceResult, RestoreRequest } from './types.js';
import type { RestoreJob } from '../atlas/types.js';
import { nextPollDelayMs } from './poll-interval.js';
import { AtlasApiError } from '../atlas/errors.js';
import { isCollectionRestore } from './restore-job-calls.js';
import { sourceOf } from './source-location.js';
import type { PollJobData, TrackerContext } from './tracker-types.js';

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

/** Outcomes of a namespace that mean it is not (all) on the target; `unknown` (a state we can't read) is not judged. */
const NOT_RESTORED: readonly string[] = ['not_found', 'failed', 'indexes_failed', 'not_restored', 'pending', 'running'];

/** The namespaces the request names itself (a database's collections are not named one by one). */
export function namedNamespaces(req: Pick<RestoreRequest, 'namespaces'>): string[] {
  return (req.namespaces ?? []).map((n) => n.sourceNamespace);
}

/**
 * The namespaces Atlas reports as not restored, or restored without their indexes. A collection Atlas calls
 * UNSUPPORTED (a kind its collection restore leaves out) counts only when the request named it: a database's other
 * collections restored, the restore did what was asked, and the final message lists what was left out.
 */
export function unrestoredNamespaces(results: readonly NamespaceResult[] | undefined, named: readonly string[] = []): NamespaceResult[] {
  return (results ?? []).filter((r) => NOT_RESTORED.includes(r.state) || (r.state === 'unsupported' && named.includes(r.sourceNamespace)));
}

/** The job's `indexStatus.failedCollectionCount`: collections whose indexes failed to build, when Atlas says. */
export function failedIndexCollections(job: Pick<RestoreJob, 'raw'>): number | undefined {
  const status = (job.raw as { indexStatus?: { failedCollectionCount?: unknown } } | null | undefined)?.indexStatus;
  const count = status?.failedCollectionCount;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

const SHOWN = 5;
const short = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);

/** How a judged job's reason starts: Atlas's word, then the bot's verdict (never credited to Atlas: no "Atlas says:"). */
export const JUDGED_REASON_START = 'Atlas calls the job SUCCESSFUL, but ';
/**
 * Collections of a listed database that Atlas calls UNSUPPORTED (a kind its collection restore leaves out): not a
 * failure of the restore, but not on the target either.
 */
export function skippedUnsupported(results: readonly NamespaceResult[] | undefined, named: readonly string[] = []): NamespaceResult[] {
  return (results ?? []).filter((r) => r.state === 'unsupported' && !named.includes(r.sourceNamespace));
}

/** A namespace's outcome in words: `not found`, `unsupported by Atlas's collection restore`, `failed: disk full`. */
function outcomeWords(r: Pick<NamespaceResult, 'state' | 'errorMessage'>): string {
  const state = r.state === 'unsupported' ? "unsupported by Atlas's collection restore" : r.state.replace(/_/g, ' ');
  return r.errorMessage ? `${state}: ${short(r.errorMessage)}` : state;
}

/** `crm.ts`, `crm.ts2` and 3 more */
function namespaceNames(results: readonly NamespaceResult[], shown = SHOWN): string {
  const names = results.slice(0, shown).map((r) => `\`${r.sourceNamespace}\``);
  return `${names.join(', ')}${results.length > shown ? ` and ${results.length - shown} more` : ''}`;
}

/**
 * Why a collection restore that Atlas calls SUCCESSFUL did not restore everything; undefined when it did (or when
 * Atlas's answers don't say otherwise). A sentence of its own: Atlas's word, then what the bot found.
 */
export function partialRestoreReason(job: Pick<RestoreJob, 'state' | 'raw'>, results: readonly NamespaceResult[] | undefined, named: readonly string[] = []): string | undefined {
  if (job.state !== 'completed') return undefined;
  const missing = unrestoredNamespaces(results, named);
  const indexFailures = failedIndexCollections(job) ?? 0;
  const listedIndexFailures = missing.filter((r) => r.state === 'indexes_failed').length;
  if (missing.length === 0 && indexFailures === 0) return undefined;
  const skipped = skippedUnsupported(results, named);
  const parts: string[] = [];
  if (missing.length > 0) {
    // Counted among the namespaces the restore took on: a collection it skips by kind is said apart.
    const total = (results?.length ?? missing.length) - skipped.length;
    const listed = missing.slice(0, SHOWN).map((r) => `\`${r.sourceNamespace}\` (${outcomeWords(r)})`);
    const more = missing.length > SHOWN ? `, and ${missing.length - SHOWN} more (listed below)` : '';
    const inFull = listedIndexFailures > 0 ? ' in full' : '';
    const which =
      missing.length < total
        ? `${missing.length} of ${total} namespaces ${missing.length === 1 ? 'was' : 'were'} not restored${inFull}`
        : total === 1
          ? `its one namespace was not restored${inFull}`
          : `none of its ${total} namespaces was restored${inFull}`;
    parts.push(`${which}: ${listed.join('; ')}${more}`);
  }
  if (indexFailures > listedIndexFailures) {
    parts.push(`the indexes of ${indexFailures} collection${indexFailures === 1 ? '' : 's'} failed to build${results === undefined ? ' (which ones could not be read)' : ''}`);
  }
  if (skipped.length > 0) {
    parts.push(`${namespaceNames(skipped)} ${skipped.length === 1 ? 'was' : 'were'} left out, a kind of collection Atlas's collection restore doesn't support`);
  }
  return `${JUDGED_REASON_START}${parts.join('; and ')}.`;
}

/** The job as the request should end by it: a SUCCESSFUL job that left namespaces behind ends the request failed. */
export function judgedJob(job: RestoreJob, results: readonly NamespaceResult[] | undefined, named: readonly string[] = []): RestoreJob {
  const reason = partialRestoreReason(job, results, named);
  return reason ? { ...job, state: 'failed', failureReason: reason } : job;
}

/** Tries of `GET …/{jobId}/collections` at the end: the first, then this many again, further apart each time. */
export const NAMESPACE_READ_RETRIES = 5;

export type NamespaceRead =
  | { kind: 'read'; results: NamespaceResult[] | undefined }
  | { kind: 'again'; delayMs: number; data: Pick<PollJobData, 'namespaceReads'> };

/**
 * Per namespace, when the job ended. A read that fails is tried again as a step of the restore's job (a few tries
 * over some minutes, backing off like a failed poll, a Retry-After honoured); after the last one the request ends
 * without them (`results` undefined) and the final message says where to look.
 */
export async function readNamespaceResults(ctx: TrackerContext, req: RestoreRequest, jobId: string, data: PollJobData): Promise<NamespaceRead> {
  if (!isCollectionRestore(req)) return { kind: 'read', results: undefined };
  try {
    const results = await ctx.atlas.listCollectionRestoreJobNamespaces(sourceOf(req), jobId);
    return {
      kind: 'read',
      results: results.map((r) => ({
        sourceNamespace: r.sourceNamespace,
        effectiveTargetNamespace: r.effectiveTargetNamespace ?? r.targetNamespace,
        state: r.outcome,
        restoredDocuments: r.restoredDocuments,
        totalDocuments: r.totalDocuments,
        errorMessage: r.errorMessage,
      })),
    };
  } catch (err) {
    const tries = (data.namespaceReads ?? 0) + 1;
    if (tries > NAMESPACE_READ_RETRIES) {
      ctx.logger.warn({ requestId: req.id, err, tries }, 'could not read the namespaces of a finished collection restore; the final message goes without them');
      return { kind: 'read', results: undefined };
    }
    ctx.logger.warn({ requestId: req.id, err, tries }, 'could not read the namespaces of a finished collection restore; will retry');
    const retryAfterMs = err instanceof AtlasApiError ? err.retryAfterMs : undefined;
    const delayMs = nextPollDelayMs(ctx.policy, { elapsedMs: 0, random: ctx.random, failures: tries, retryAfterMs });
    return { kind: 'again', delayMs, data: { namespaceReads: tries } };
  }
}
