// Atlas's Ratelimit-Limit / Ratelimit-Remaining headers (REALITY.rateLimitHeaders in fake-atlas-reality.ts):
// every authenticated request counts against its endpoint family's window; the answer says what is left.

/** What the recordings show for the backup endpoints (and Flex cluster descriptions). */
export const BACKUP_RATE_LIMIT = 1200;
/** What the recordings show for a dedicated cluster's description (`clusters/{name}`, 9994 of 10000 left, …). */
export const CLUSTER_DESCRIPTION_RATE_LIMIT = 10_000;
const WINDOW_MS = 60_000;

/** `flexClusters/snapshots`, `clusters/restoreJobs`, …; undefined for v1.0, whose recorded answers carry no such header. */
export function rateLimitFamily(pathname: string): string | undefined {
  if (pathname.startsWith('/api/atlas/v1.0/')) return undefined;
  const m = /\/groups\/[^/]+\/(serverless|flexClusters|clusters)\/[^/]+\/backup\/(snapshots|restoreJobs)/.exec(pathname);
  if (m) return `${m[1]}/${m[2]}`;
  return /\/groups\/[^/]+\/clusters\/[^/]+$/.test(pathname) ? 'clusters/description' : 'other';
}

const limitOf = (family: string) => (family === 'clusters/description' ? CLUSTER_DESCRIPTION_RATE_LIMIT : BACKUP_RATE_LIMIT);

export class FakeRateLimits {
  private windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly now: () => number) {}

  /** Counts one request of `family` and returns the headers of its answer. */
  take(family: string | undefined): Record<string, string> {
    if (family === undefined) return {};
    const now = this.now();
    let w = this.windows.get(family);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, used: 0 };
      this.windows.set(family, w);
    }
    w.used += 1;
    const limit = limitOf(family);
    return { 'Ratelimit-Limit': String(limit), 'Ratelimit-Remaining': String(Math.max(0, limit - w.used)) };
  }

  reset(): void {
    this.windows.clear();
  }
}
