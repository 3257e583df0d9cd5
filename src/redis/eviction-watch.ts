// maxmemory-policy is checked at every start (server-checks.ts), but it can change under a running bot: a CONFIG SET, a
// managed Redis's parameter group edited or reset to its default (Memorystore's is volatile-lru), a failover to a
// replica set up differently. Under an evicting policy Redis drops keys when memory runs short, and the first a
// volatile-* policy drops are those with a TTL: the target locks. A lock gone is two restores into one target. So the
// policy is asked again while the bot runs, at most every few minutes per replica (by the readiness probe), and an
// evicting one is said as long as it lasts.
import { masterNodes, type RedisClient } from './redis-client.js';
import { evictionPolicyOf } from './server-checks.js';

export const EVICTION_CHECK_EVERY_MS = 5 * 60_000;

export interface EvictionWatch {
  /** Asks again unless asked within `everyMs` (or still asking); never throws, never waits for the answer. */
  maybeCheck(): void;
  /** Asks now and resolves once answered (tests, and the first check). */
  check(): Promise<void>;
  /** What is wrong now, in words, or undefined (noeviction everywhere, or not known yet). */
  current(): string | undefined;
}

export interface EvictionWatchOptions {
  everyMs?: number;
  /** Called when an evicting policy is found that was not found at the last answer. */
  onEvicting?: (text: string) => void;
  now?: () => number;
}

function describe(found: ReadonlyArray<{ where: string; policy: string }>): string {
  const list = found.map(({ where, policy }) => (where ? `${policy} (${where})` : policy)).join(', ');
  return `maxmemory-policy is now ${list}, though it was noeviction when the bot started: Redis may evict keys when memory runs short, and an evicted key is a lost restore, target lock or poll job. Set it back to noeviction: \`CONFIG SET maxmemory-policy noeviction\` and in redis.conf (managed Redis: its parameter group or instance configuration)`;
}

export function createEvictionWatch(redis: RedisClient, opts: EvictionWatchOptions = {}): EvictionWatch {
  const everyMs = opts.everyMs ?? EVICTION_CHECK_EVERY_MS;
  const now = opts.now ?? Date.now;
  let askedAt = -Infinity;
  let asking: Promise<void> | undefined;
  let text: string | undefined;

  async function ask(): Promise<void> {
    const nodes = masterNodes(redis);
    const found: { where: string; policy: string }[] = [];
    for (const node of nodes) {
      const policy = await evictionPolicyOf(node);
      // Not told (CONFIG and INFO refused): the start-up check warned already; nothing new to say.
      if (policy !== undefined && policy !== 'noeviction') found.push({ where: nodes.length > 1 ? `${node.options.host}:${node.options.port}` : '', policy });
    }
    const next = found.length > 0 ? describe(found) : undefined;
    if (next !== undefined && next !== text) opts.onEvicting?.(next);
    text = next;
  }

  function check(): Promise<void> {
    askedAt = now();
    // A Redis that doesn't answer now is asked again at the next interval; what was found before still stands.
    asking ??= ask()
      .catch(() => undefined)
      .finally(() => (asking = undefined));
    return asking;
  }

  return {
    maybeCheck() {
      if (asking || now() - askedAt < everyMs) return;
      void check();
    },
    check,
    current: () => text,
  };
}
