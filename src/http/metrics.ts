// Prometheus metrics of atlas-restore (served on GET /metrics).
//
// Each createMetrics() has its own Registry: tests and several app instances in one process don't collide,
// and nothing leaks into prom-client's global registry. Label values are typed so a caller can't mint
// high-cardinality labels (request ids, snapshot ids) by accident.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerDrillMetrics, type DrillFigures } from './drill-metrics.js';
import { registerInFlightMetrics, type InFlightRequest } from './in-flight-metrics.js';
import { readAtScrape } from './read-at-scrape.js';
import { createSlidingMinimum } from './sliding-minimum.js';
import type { RateLimit } from '../atlas/rate-limit-headers.js';
import type { ClusterType } from '../atlas/types.js';
import type { RequestState } from '../restore/types.js';

export type SlackRequestKind = 'command' | 'action' | 'view_submission' | 'view_action' | 'other';
export type SlackRequestOutcome = 'ok' | 'refused' | 'error';
export type FinishedRestoreState = Extract<
  RequestState,
  'completed' | 'failed' | 'cancelled' | 'expired' | 'rejected' | 'approval_expired'
>;
export const FINISHED_STATES: readonly FinishedRestoreState[] = ['completed', 'failed', 'cancelled', 'expired', 'rejected', 'approval_expired'];
/** HTTP status of an Atlas answer, or why there was none. */
export type AtlasCallStatus = number | 'timeout' | 'network';

/** 30 s … 24 h: restores take minutes to hours; the last finite bucket is the 24 h restore timeout. */
export const RESTORE_DURATION_BUCKETS: readonly number[] = [
  30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 24 * 3600,
];
/** Poll lag: normally well under a second; tens of seconds means the workers or Redis are struggling. */
export const POLL_LAG_BUCKETS: readonly number[] = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** A scrape waits at most this long for the pending-approvals source before keeping the last value. */
export const PENDING_SOURCE_TIMEOUT_MS = 1000;

export interface Metrics {
  readonly registry: Registry;
  /** Content-Type of text() (Prometheus text exposition format). */
  readonly contentType: string;
  slackRequests: { inc(labels: { kind: SlackRequestKind; outcome: SlackRequestOutcome }): void };
  restoresFinished: { inc(labels: { state: FinishedRestoreState }): void };
  /** Restores that reached Atlas, by the final state they reached there. */
  restoreDuration: { observe(labels: { cluster_type: ClusterType; state: FinishedRestoreState }, seconds: number): void };
  /**
   * One answer from Atlas (or its absence): counts the call, and keeps the rate limit the answer carried.
   * `endpoint` must be a template (see atlasEndpointLabel), never a concrete path.
   */
  atlasAnswer(answer: { endpoint: string; status: AtlasCallStatus; rateLimit?: RateLimit | undefined }): void;
  /** How late a poll ran versus when it was due, in seconds (early runs count as 0). */
  pollLag: { observe(seconds: number): void };
  /** A request's final message (or the card's last update) given up on after its retries: nobody was told how it ended. */
  finalNotificationsAbandoned: { inc(): void };
  /** Called on every scrape; a source that throws, hangs or returns garbage leaves the gauge unchanged. */
  setPendingApprovalsSource(source: () => Promise<number>): void;
  /** Read on every scrape: each drill's last success, its restore time and first schedule (from its record in Redis). */
  setDrillSource(source: () => Promise<DrillFigures[]>): void;
  /** Read on every scrape: the requests not final yet, for their counts by state and the oldest running restore. */
  setInFlightSource(source: () => Promise<InFlightRequest[]>): void;
  /** Read on every scrape: whether Slack takes the bot token (the messenger's tokenHealth()). */
  setSlackTokenSource(source: () => { ok: boolean }): void;
  /** Redis came back without the bot's data (store's REDIS_STATE_LOST), counted once per replica that noticed. */
  redisStateLosses: { inc(): void };
  /** Read on every scrape: whether Redis's maxmemory-policy evicts keys (store's REDIS_EVICTION_POLICY warning). */
  setRedisEvictingSource(source: () => boolean): void;
  text(): Promise<string>;
}

const PREFIX = 'atlas_restore_';

function finiteNonNegative(value: number): number | undefined {
  return Number.isFinite(value) ? Math.max(0, value) : undefined;
}

/** An endpoint whose rate limit Atlas hasn't reported for this long has no Ratelimit-Remaining series any more. */
export const RATE_LIMIT_STALE_MS = 5 * 60_000;
/** Atlas counts its rate limits per minute: the Ratelimit-Remaining gauge shows the lowest value of the last one. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

export function createMetrics(opts: { pendingSourceTimeoutMs?: number; now?: () => number } = {}): Metrics {
  const now = opts.now ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const pendingTimeoutMs = opts.pendingSourceTimeoutMs ?? PENDING_SOURCE_TIMEOUT_MS;

  const slackRequests = new Counter({
    name: `${PREFIX}slack_requests_total`,
    help: 'Slack requests handled (slash commands, block actions, view submissions), by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const restoresFinished = new Counter({
    name: `${PREFIX}restores_finished_total`,
    help: 'Restore requests that reached a final state, by state.',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  // Every final state from the start: increase() over a pod's first minutes must see its first restore.
  for (const state of FINISHED_STATES) restoresFinished.inc({ state }, 0);
  const restoreDuration = new Histogram({
    name: `${PREFIX}restore_duration_seconds`,
    help: 'Time from sending the restore to Atlas to its final state, by cluster type and final state.',
    labelNames: ['cluster_type', 'state'] as const,
    buckets: [...RESTORE_DURATION_BUCKETS],
    registers: [registry],
  });
  const atlasCalls = new Counter({
    name: `${PREFIX}atlas_calls_total`,
    help: 'Atlas Admin API calls, by endpoint template and HTTP status (or timeout/network).',
    labelNames: ['endpoint', 'status'] as const,
    registers: [registry],
  });
  // Lowest Ratelimit-Remaining per endpoint over Atlas's rate-limit window (the last minute), not "since the previous
  // scrape": a scrape must not take the dip away from the next one, or each of an HA pair of Prometheus servers sees
  // only the lows since the other's scrape. A burst that nearly exhausts the window still shows between two scrapes,
  // and the gauge recovers a minute later, as Atlas's window does. The last value stays when nothing was called.
  const lowestRemaining = createSlidingMinimum(RATE_LIMIT_WINDOW_MS, now);
  // A value last seen minutes ago says nothing of now, and a low one would keep an alert firing while the bot calls
  // nothing there.
  const remainingSeenAt = new Map<string, number>();
  new Gauge({
    name: `${PREFIX}atlas_ratelimit_remaining`,
    help: 'Lowest Ratelimit-Remaining Atlas sent over the last 60 s (its rate-limit window), by endpoint template (the last value while the bot calls nothing there, gone after 5 minutes of that).',
    labelNames: ['endpoint'] as const,
    registers: [registry],
    collect() {
      for (const [endpoint, at] of remainingSeenAt) {
        if (now() - at < RATE_LIMIT_STALE_MS) continue;
        this.remove({ endpoint });
        remainingSeenAt.delete(endpoint);
        lowestRemaining.delete(endpoint);
      }
      for (const [endpoint, value] of lowestRemaining.read()) this.set({ endpoint }, value);
    },
  });
  const rateLimitLimit = new Gauge({
    name: `${PREFIX}atlas_ratelimit_limit`,
    help: 'Ratelimit-Limit of the last Atlas answer, by endpoint template: requests allowed per window.',
    labelNames: ['endpoint'] as const,
    registers: [registry],
  });
  const pollLag = new Histogram({
    name: `${PREFIX}poll_lag_seconds`,
    help: 'How late a restore-job poll ran compared with when it was due.',
    buckets: [...POLL_LAG_BUCKETS],
    registers: [registry],
  });

  const finalNotificationsAbandoned = new Counter({
    name: `${PREFIX}final_notifications_abandoned_total`,
    help: 'Final messages of requests (how a restore or request ended) that Slack refused until the retry horizon passed: look at the thread and tell its people.',
    registers: [registry],
  });

  let pendingSource: (() => Promise<number>) | undefined;
  const readPending = readAtScrape(() => pendingSource, pendingTimeoutMs);
  new Gauge({
    name: `${PREFIX}approvals_pending`,
    help: 'Restore requests waiting for a second approver (read at scrape time).',
    registers: [registry],
    async collect() {
      // A failed, slow or garbled read keeps the last value: a Redis hiccup must not fail the whole scrape.
      const value = await readPending();
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) this.set(value);
    },
  });

  // Every replica shares the token: any of them seeing Slack refuse it is worth a page (the app uninstalled, the token
  // rotated), while readiness stays as it is: taking every pod out of the Service would not bring the token back.
  let tokenSource: (() => { ok: boolean }) | undefined;
  new Gauge({
    name: `${PREFIX}slack_token_refused`,
    help: 'Whether Slack refuses the bot token (1: reinstall the app or set the new SLACK_BOT_TOKEN; restores go on, their messages wait).',
    registers: [registry],
    collect() {
      this.set(tokenSource?.().ok === false ? 1 : 0);
    },
  });

  const redisStateLosses = new Counter({
    name: `${PREFIX}redis_state_losses_total`,
    help: "Times this replica found Redis without the bot's data (restarted empty, replaced, flushed): the log names the restores to check in Atlas.",
    registers: [registry],
  });
  let evictingSource: (() => boolean) | undefined;
  new Gauge({
    name: `${PREFIX}redis_evicting`,
    help: 'Whether Redis evicts keys (maxmemory-policy is not noeviction, checked every 5 minutes): a lock or request may vanish.',
    registers: [registry],
    collect() {
      this.set(evictingSource?.() === true ? 1 : 0);
    },
  });

  const drills = registerDrillMetrics(registry);
  const inFlight = registerInFlightMetrics(registry, now);

  return {
    registry,
    contentType: registry.contentType,
    setDrillSource: (source) => drills.setSource(source),
    setInFlightSource: (source) => inFlight.setSource(source),
    slackRequests: { inc: ({ kind, outcome }) => slackRequests.inc({ kind, outcome }) },
    restoresFinished: { inc: ({ state }) => restoresFinished.inc({ state }) },
    restoreDuration: {
      observe: ({ cluster_type, state }, seconds) => {
        const value = finiteNonNegative(seconds);
        if (value !== undefined) restoreDuration.observe({ cluster_type, state }, value);
      },
    },
    atlasAnswer({ endpoint, status, rateLimit }) {
      atlasCalls.inc({ endpoint, status: String(status) });
      const remaining = rateLimit?.remaining;
      if (remaining !== undefined) {
        lowestRemaining.add(endpoint, remaining);
        remainingSeenAt.set(endpoint, now());
      }
      if (rateLimit?.limit !== undefined) rateLimitLimit.set({ endpoint }, rateLimit.limit);
    },
    pollLag: {
      observe: (seconds) => {
        const value = finiteNonNegative(seconds);
        if (value !== undefined) pollLag.observe(value);
      },
    },
    finalNotificationsAbandoned: { inc: () => finalNotificationsAbandoned.inc() },
    setPendingApprovalsSource(source) {
      pendingSource = source;
    },
    setSlackTokenSource(source) {
      tokenSource = source;
    },
    redisStateLosses: { inc: () => redisStateLosses.inc() },
    setRedisEvictingSource(source) {
      evictingSource = source;
    },
    text: () => registry.metrics(),
  };
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const CLUSTER_KINDS = new Set(['clusters', 'flexClusters', 'serverless']);
/** Path words kept verbatim in a label; every other segment is an id or a name and becomes `{id}`. */
const RESOURCE_WORDS = new Set(['snapshots', 'restoreJobs', 'schedule', 'collectionRestoreJobs', 'collections']);

/**
 * A low-cardinality label for an Atlas call: `GET flexClusters/restoreJobs/{id}`, `POST clusters/restoreJobs`,
 * `GET serverless/snapshots` (v1.0 and v2 alike), `GET clusters/schedule`, `POST clusters/collectionRestoreJobs`,
 * `POST oauth/token`. Group ids, cluster names and job ids
 * never appear; unknown paths become `<METHOD> other`.
 */
export function atlasEndpointLabel(method: string, path: string): string {
  const upper = method.toUpperCase();
  const verb = HTTP_METHODS.has(upper) ? upper : 'OTHER';
  let pathname = path;
  if (/^https?:\/\//i.test(path)) {
    try {
      pathname = new URL(path).pathname;
    } catch {
      return `${verb} other`;
    }
  }
  const segments = pathname.replace(/[?#].*$/, '').split('/').filter(Boolean);

  if (segments.length === 3 && segments[0] === 'api' && segments[1] === 'oauth' && segments[2] === 'token') return `${verb} oauth/token`;
  // /api/atlas/<version>/groups/<groupId>/<kind>/<name>[/backup/<resource>[/<id>]...]
  const [api, atlas, version, groups, , kind, , ...rest] = segments;
  if (api !== 'api' || atlas !== 'atlas' || !/^v\d/.test(version ?? '') || groups !== 'groups' || !kind || !CLUSTER_KINDS.has(kind)) {
    return `${verb} other`;
  }
  if (segments.length === 6) return `${verb} ${kind}`; // the collection itself (list clusters)
  if (rest.length === 0) return `${verb} ${kind}/{name}`; // one cluster (type detection)
  const parts = (rest[0] === 'backup' ? rest.slice(1) : rest).map((s) => (RESOURCE_WORDS.has(s) ? s : '{id}'));
  return parts.length === 0 ? `${verb} ${kind}/backup` : `${verb} ${kind}/${parts.join('/')}`;
}
