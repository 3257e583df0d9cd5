import type { RestoreJob } from '../atlas/types.js';
import type { RestoreRequest } from './types.js';

/** Atlas's clock and ours differ a little; a job created just "before" our intent is still ours. */
const CLOCK_SKEW_MS = 2 * 60 * 1000;

/**
 * When Atlas made the job. v2 restore jobs carry no creation time (a dedicated job's `timestamp` is the snapshot's),
 * but every Atlas id is a MongoDB ObjectId whose first 4 bytes are its creation time in seconds.
 */
export function jobCreatedAt(job: Pick<RestoreJob, 'id' | 'createdAt'>): number | undefined {
  const stated = job.createdAt ? Date.parse(job.createdAt) : Number.NaN;
  if (Number.isFinite(stated)) return stated;
  if (!/^[0-9a-f]{24}$/i.test(job.id)) return undefined;
  return Number.parseInt(job.id.slice(0, 8), 16) * 1000;
}

/** The point in time a job restores to, if Atlas says (restore jobs spell it `…UTC…`, collection restores `…Utc…`). */
function pointInTimeOf(job: RestoreJob): number | undefined {
  const raw = (job.raw ?? {}) as { pointInTimeUTCSeconds?: unknown; pointInTimeUtcSeconds?: unknown };
  const at = raw.pointInTimeUTCSeconds ?? raw.pointInTimeUtcSeconds;
  return typeof at === 'number' ? at : undefined;
}

const sameText = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** A collection restore job is ours only for the same namespaces, written the same way (where Atlas says). */
function sameNamespaces(job: RestoreJob, request: Pick<RestoreRequest, 'namespaces' | 'writeStrategy'>): boolean {
  const wanted = (request.namespaces ?? []).map((n) => n.sourceNamespace);
  if (wanted.length === 0) return true;
  if (job.writeStrategy !== undefined && job.writeStrategy !== (request.writeStrategy ?? 'CREATE_NEW')) return false;
  if (job.sourceNamespaces === undefined || job.sourceNamespaces.length === 0) return true;
  const listed = new Set(job.sourceNamespaces);
  return listed.size === new Set(wanted).size && wanted.every((n) => listed.has(n));
}

/**
 * What the request's POST would have created: into the same target, from the same point in time or snapshot, of the
 * same namespaces. A point-in-time POST names no snapshot, so its job is known by its time; where Atlas leaves the
 * time out, by the base snapshot if it names one, and never a job Atlas calls a snapshot restore (`automated`: the
 * base snapshot's data without the oplog after it). A snapshot restore never takes a point-in-time job for its own.
 */
export function matchesRequest(job: RestoreJob, request: Pick<RestoreRequest, 'snapshot' | 'target' | 'pointInTime' | 'namespaces' | 'writeStrategy'>): boolean {
  // Atlas answers ids in lower case, whatever the policy (and so the POST) spelt: compared as the policy compares them.
  const sameTarget = sameText(job.targetClusterName, request.target.cluster) && (job.targetGroupId === undefined || sameText(job.targetGroupId, request.target.groupId));
  if (!sameTarget || !sameNamespaces(job, request)) return false;
  const at = pointInTimeOf(job);
  if (request.pointInTime) {
    if (at !== undefined) return at === request.pointInTime.utcSeconds;
    if (job.deliveryType !== undefined && job.deliveryType !== 'pointInTime') return false;
    return job.snapshotId === undefined || job.snapshotId === request.snapshot.id;
  }
  return at === undefined && job.deliveryType !== 'pointInTime' && job.snapshotId === request.snapshot.id;
}

/**
 * The restore job that our unknown-outcome POST created, if Atlas lists one: it matches what and where, was
 * not among the matching jobs listed just before the POST, and was created after the intent was recorded (from
 * its creation time or its ObjectId). A job whose age can't be known is never adopted. Newest first when several match.
 */
export function findAdoptableJob(jobs: readonly RestoreJob[], request: RestoreRequest): RestoreJob | undefined {
  const since = Date.parse(request.postStartedAt ?? request.submittingAt ?? request.createdAt) - CLOCK_SKEW_MS;
  const prior = new Set([...(request.priorJobIds ?? []), ...(request.jobIdsBeforeSubmit ?? [])]);
  return jobs
    .map((job) => ({ job, at: jobCreatedAt(job) }))
    .filter(({ job, at }) => matchesRequest(job, request) && !prior.has(job.id) && at !== undefined && at >= since)
    .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))[0]?.job;
}
