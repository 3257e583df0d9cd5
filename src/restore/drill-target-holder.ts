// What holds a drill's target, as its "did not run" says it: a person's request that only waits for approval is no
// restore in progress (nothing is being written to the target yet), and the people reading need to know which it is.
import type { RestoreRequest } from './types.js';

/** "has a restore request waiting for approval (RR-…, since …)" or "has a restore in progress (RR-…, since …)". */
export function describeHolder(holder: Pick<RestoreRequest, 'state'> | null | undefined, holderId: string, since: string): string {
  if (holder?.state === 'pending_approval') return `has a restore request waiting for approval (${holderId}, since ${since})`;
  return `has a restore in progress (${holderId}, since ${since})`;
}
