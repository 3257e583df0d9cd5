// What a restore is from, as the audit records it: the same words in every record of a request, so an auditor reading
// `submitting` sees the point in time that `requested` named, not only the base snapshot Atlas starts from.
import type { RestoreRequest } from './types.js';

/** `snapshot 6a…`, or `at 2026-12-01T14:05:00Z (base snapshot 6a…)`. */
export function restoreFromText(req: Pick<RestoreRequest, 'pointInTime' | 'snapshot'>): string {
  if (!req.pointInTime) return `snapshot ${req.snapshot.id}`;
  return `at ${new Date(req.pointInTime.utcSeconds * 1000).toISOString().replace('.000Z', 'Z')} (base snapshot ${req.snapshot.id})`;
}
