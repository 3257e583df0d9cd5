// Atlas's rate-limit headers. The spec documents them on success answers; every v2 answer recorded since 2026
// carries them, errors too (`Ratelimit-Limit: 1200`, `Ratelimit-Remaining: 1197` on backup paths; 10000 on cluster
// descriptions). The remaining count is how an operator sees the bot near throttling before the 429s start.

export interface RateLimit {
  /** Requests allowed in the current window for this endpoint family. */
  limit?: number | undefined;
  /** Requests left in the current window. */
  remaining?: number | undefined;
}

function count(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

export function readRateLimit(headers: { get(name: string): string | null }): RateLimit {
  return { limit: count(headers.get('ratelimit-limit')), remaining: count(headers.get('ratelimit-remaining')) };
}
