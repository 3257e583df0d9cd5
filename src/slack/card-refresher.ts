// Card updates, one at a time per card and always from the stored request. Two approvers a moment apart, or the
// first poll racing the "submitted" update, would otherwise let an older render land last and put the card back
// in an older state. A writer marks the card dirty; whoever holds the card's lease (on any replica) renders the
// latest stored request until nothing is dirty, so the last render is always of the newest state.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import type { RestoreRequest } from '../restore/types.js';

export interface CardRefresherOptions {
  redis: RedisClient;
  prefix: string;
  load(id: string): Promise<RestoreRequest | null>;
  render(req: RestoreRequest): Promise<void>;
  /** How long one holder may render before another may take over. Default 15 s. */
  leaseMs?: number;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** A refresh gives up the lease after this many rounds; the dirty mark stays for the next writer. */
const MAX_ROUNDS = 5;

export function createCardRefresher(opts: CardRefresherOptions): (req: RestoreRequest) => Promise<void> {
  const leaseMs = opts.leaseMs ?? 15_000;
  return async function refreshCard(req: RestoreRequest): Promise<void> {
    const dirty = `${opts.prefix}card:dirty:${req.id}`;
    const lease = `${opts.prefix}card:lease:${req.id}`;
    try {
      await opts.redis.set(dirty, '1', 'PX', 5 * 60_000);
    } catch {
      return opts.render(req); // Redis is down: a best-effort render of what the caller has beats none
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const token = randomUUID();
      if ((await opts.redis.set(lease, token, 'PX', leaseMs, 'NX')) !== 'OK') return; // the holder renders our change too
      try {
        while ((await opts.redis.getdel(dirty)) !== null) {
          const current = await opts.load(req.id);
          if (current) await opts.render(current);
        }
      } finally {
        await opts.redis.eval(RELEASE, 1, lease, token).catch(() => undefined);
      }
      // A writer may have marked the card between our last check and the release, and found the lease still held.
      if ((await opts.redis.exists(dirty)) === 0) return;
    }
  };
}
