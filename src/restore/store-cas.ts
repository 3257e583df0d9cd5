// The compare-and-set behind transition() and update(): one run of CAS_REQUEST. Redis lets a script touch only the
// keys it declares, so the call names the job index key the script may touch: the patch's job id, or the stored one.
// The stored one is learnt from the script itself: when the request names another job than the call declared, the
// script writes nothing and answers which, and the call is made again declaring that key.
import type { RedisClient } from '../redis/redis-client.js';
import { CAS_REQUEST } from './lua/request-scripts.js';
import { runScript } from './lua/run-script.js';
import { decodeRequest, encodePatch } from './store-codec.js';
import { StoreError } from './store-error.js';
import type { StoreKeys } from './store-keys.js';
import { FINAL_REQUEST_STATES, type RequestState, type RestoreRequest } from './types.js';

export type TransitionResult = { ok: true; request: RestoreRequest } | { ok: false; request: RestoreRequest | null };

export interface CompareAndSetContext {
  redis: RedisClient;
  keys: StoreKeys;
  retentionSeconds: number;
}

const FINAL_LIST = FINAL_REQUEST_STATES.join(',');
/** The first run may learn the stored job id; only a job id changed again between two runs needs another one. */
const MAX_RUNS = 3;

export async function compareAndSet(
  ctx: CompareAndSetContext,
  id: string,
  allowed: readonly RequestState[],
  to: RequestState | '',
  patch: Partial<RestoreRequest>,
  unlessSet: keyof RestoreRequest | '' = '',
): Promise<TransitionResult> {
  const { deletes, pairs } = encodePatch(patch);
  const updatedAt = JSON.stringify(new Date().toISOString());
  // A patch that sets or removes the job id says what the request names afterwards; otherwise the first run guesses none.
  let jobId = 'atlasJobId' in patch ? (patch.atlasJobId ?? '') : '';
  for (let run = 1; ; run++) {
    const reply = (await runScript(ctx.redis, CAS_REQUEST, [ctx.keys.request(id), ctx.keys.active, ...(jobId ? [ctx.keys.job(jobId)] : [])], [
      id,
      allowed.join(','),
      to,
      FINAL_LIST,
      ctx.retentionSeconds,
      updatedAt,
      jobId,
      unlessSet,
      deletes.length,
      ...deletes,
      ...pairs,
    ])) as [number, unknown?];
    if (reply[0] === 2) {
      if (run >= MAX_RUNS) throw new StoreError('STORE_CONTENDED', `request ${id}: its atlasJobId changed under each of ${MAX_RUNS} compare-and-set runs`);
      jobId = String(reply[1]);
      continue;
    }
    const request = reply.length > 1 ? decodeRequest(reply[1]) : null;
    return reply[0] === 1 && request ? { ok: true, request } : { ok: false, request };
  }
}
