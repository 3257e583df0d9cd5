// When a restore left for Atlas: where its durations (restore time, snapshot age, "after 14 min") count from.
import type { RestoreRequest } from './types.js';

/**
 * The POST's claim when there is one. `submittedAt` is when the bot learnt of the job: for a job adopted after a lost
 * answer that is when the search found it, up to an hour after the POST, and a restore measured from then comes out
 * too short, even negative. Requests of versions before the claim have only `submittedAt`.
 */
export function restoreStartedAt(req: Pick<RestoreRequest, 'postStartedAt' | 'submittedAt'>): string | undefined {
  return req.postStartedAt ?? req.submittedAt;
}
