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
  /**
   * A render Slack refused is tried again after each of these waits (default 2 s, 10 s, 30 s), from the stored
   * request: a card must not go on offering Approve on a rejected request, or say "running" after the end.
   */
  retryDelaysMs?: readonly number[];
}

export const DEFAULT_CARD_RETRY_DELAYS_MS: readonly number[] = [2000, 10_000, 30_000];

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** A refresh gives up the lease after this many rounds; the dirty mark stays for the next writer. */
const MAX_ROUNDS = 5;

export function createCardRefresher(opts: CardRefresherOptions): (req: RestoreRequest) => Promise<void> {
  const leaseMs = opts.leaseMs ?? 15_000;
  const retryDelays = opts.retryDelaysMs ?? DEFAULT_CARD_RETRY_DELAYS_MS;

  /** Renders now; when Slack refuses, the card is marked again and tried later (in this process: best effort). */
  async function refreshWithRetries(req: RestoreRequest, retry = 0): Promise<void> {
    try {
      await refreshCard(req, retry === 0);
    } catch (err) {
      const delay = retryDelays[retry];
      if (delay !== undefined) setTimeout(() => void refreshWithRetries(req, retry + 1).catch(() => undefined), delay).unref();
      throw err;
    }
  }

  /** `fallback`: with Redis down, render what the caller has. Never on a retry: by then it may be older than the card. */
  async function refreshCard(req: RestoreRequest, fallback: boolean): Promise<void> {
    const dirty = `${opts.prefix}card:dirty:${req.id}`;
    const lease = `${opts.prefix}card:lease:${req.id}`;
    try {
      await opts.redis.set(dirty, '1', 'PX', 5 * 60_000);
    } catch (err) {
      if (!fallback) throw err;
      return opts.render(req); // Redis is down: a best-effort render of what the caller has beats none
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const token = randomUUID();
      if ((await opts.redis.set(lease, token, 'PX', leaseMs, 'NX')) !== 'OK') return; // the holder renders our change too
      try {
        while ((await opts.redis.getdel(dirty)) !== null) {
          const current = await opts.load(req.id);
          if (!current) continue;
          try {
            await opts.render(current);
          } catch (err) {
            // Still to be rendered: the retry (or the next writer) finds the mark.
            await opts.redis.set(dirty, '1', 'PX', 5 * 60_000).catch(() => undefined);
            throw err;
          }
        }
      } finally {
        await opts.redis.eval(RELEASE, 1, lease, token).catch(() => undefined);
      }
      // A writer may have marked the card between our last check and the release, and found the lease still held.
      if ((await opts.redis.exists(dirty)) === 0) return;
    }
  }

  return refreshWithRetries;
}
