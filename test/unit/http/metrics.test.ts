import { register as globalRegistry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import {
  POLL_LAG_BUCKETS,
  RESTORE_DURATION_BUCKETS,
  atlasEndpointLabel,
  createMetrics,
  type Metrics,
} from '../../../src/http/metrics.js';

/** The value of one sample line (`name{labels} value`) in the exposition text, or undefined when absent. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const text = await metrics.text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('exposes every metric with its type, in the Prometheus text format', async () => {
    const metrics = createMetrics();
    const text = await metrics.text();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE atlas_restore_slack_requests_total counter');
    expect(text).toContain('# TYPE atlas_restore_restores_finished_total counter');
    expect(text).toContain('# TYPE atlas_restore_restore_duration_seconds histogram');
    expect(text).toContain('# TYPE atlas_restore_atlas_calls_total counter');
    expect(text).toContain('# TYPE atlas_restore_poll_lag_seconds histogram');
    expect(text).toContain('# TYPE atlas_restore_approvals_pending gauge');
    expect(text).toContain('# TYPE atlas_restore_final_notifications_abandoned_total counter');
    // Default process metrics are collected into the same registry.
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts Slack requests by kind and outcome', async () => {
    const metrics = createMetrics();
    metrics.slackRequests.inc({ kind: 'command', outcome: 'ok' });
    metrics.slackRequests.inc({ kind: 'command', outcome: 'ok' });
    metrics.slackRequests.inc({ kind: 'view_submission', outcome: 'refused' });
    expect(await sample(metrics, 'atlas_restore_slack_requests_total{kind="command",outcome="ok"}')).toBe(2);
    expect(await sample(metrics, 'atlas_restore_slack_requests_total{kind="view_submission",outcome="refused"}')).toBe(1);
    expect(await sample(metrics, 'atlas_restore_slack_requests_total{kind="action",outcome="error"}')).toBeUndefined();
  });

  it('counts finished restores by state and Atlas calls by endpoint and status', async () => {
    const metrics = createMetrics();
    metrics.restoresFinished.inc({ state: 'approval_expired' });
    metrics.atlasAnswer({ endpoint: 'GET flexClusters/snapshots', status: 200 });
    metrics.atlasAnswer({ endpoint: 'GET flexClusters/snapshots', status: 200 });
    metrics.atlasAnswer({ endpoint: 'POST clusters/restoreJobs', status: 'timeout' });
    expect(await sample(metrics, 'atlas_restore_restores_finished_total{state="approval_expired"}')).toBe(1);
    expect(await sample(metrics, 'atlas_restore_atlas_calls_total{endpoint="GET flexClusters/snapshots",status="200"}')).toBe(2);
    expect(await sample(metrics, 'atlas_restore_atlas_calls_total{endpoint="POST clusters/restoreJobs",status="timeout"}')).toBe(1);
  });

  it('shows the lowest Ratelimit-Remaining of the last 60 s and the limit, by endpoint; keeps the last value while idle', async () => {
    let clock = 0;
    const metrics = createMetrics({ now: () => clock });
    const remaining = (endpoint: string) => sample(metrics, `atlas_restore_atlas_ratelimit_remaining{endpoint="${endpoint}"}`);
    for (const left of [1190, 1185, 1188]) metrics.atlasAnswer({ endpoint: 'GET clusters/snapshots', status: 200, rateLimit: { limit: 1200, remaining: left } });
    metrics.atlasAnswer({ endpoint: 'GET clusters/snapshots', status: 'timeout' }); // no answer, no rate limit
    metrics.atlasAnswer({ endpoint: 'POST clusters/restoreJobs', status: 400, rateLimit: { limit: 1200, remaining: 1199 } });
    expect(await remaining('GET clusters/snapshots')).toBe(1185);
    expect(await remaining('POST clusters/restoreJobs')).toBe(1199);
    expect(await sample(metrics, 'atlas_restore_atlas_ratelimit_limit{endpoint="GET clusters/snapshots"}')).toBe(1200);
    clock = 59_000;
    metrics.atlasAnswer({ endpoint: 'GET clusters/snapshots', status: 200, rateLimit: { limit: 1200, remaining: 1199 } });
    expect(await remaining('GET clusters/snapshots')).toBe(1185); // the dip is still within Atlas's window
    // Atlas's window moved on: the dip leaves the gauge 60 s after it was seen, the answer since then stays.
    clock = 60_000;
    expect(await remaining('GET clusters/snapshots')).toBe(1199);
    clock = 200_000;
    expect(await remaining('GET clusters/snapshots')).toBe(1199); // nothing new: the last value stays
    expect(await remaining('GET flexClusters/snapshots')).toBeUndefined();
  });

  it('shows a dip to every scraper: two Prometheus servers scraping in turn both see it', async () => {
    let clock = 0;
    const metrics = createMetrics({ now: () => clock });
    const remaining = () => sample(metrics, 'atlas_restore_atlas_ratelimit_remaining{endpoint="GET clusters/snapshots"}');
    const answer = (left: number) => metrics.atlasAnswer({ endpoint: 'GET clusters/snapshots', status: 200, rateLimit: { limit: 100, remaining: left } });
    for (const left of [40, 3, 25]) answer(left);
    clock = 10_000;
    expect(await remaining()).toBe(3); // the first Prometheus
    answer(10); // the bot goes on calling between the two scrapes
    clock = 11_000;
    expect(await remaining()).toBe(3); // its HA twin, a second later, sees the same dip
    clock = 40_000;
    expect(await remaining()).toBe(3);
    clock = 60_000; // 60 s after the dip: the lowest since is 10, seen 50 s ago
    expect(await remaining()).toBe(10);
    clock = 80_000;
    expect(await remaining()).toBe(10); // the newest value, kept while the bot calls nothing there
  });

  it('drops an endpoint\'s Ratelimit-Remaining after 5 minutes without an answer from it: a stale low value would keep an alert firing', async () => {
    let clock = 0;
    const metrics = createMetrics({ now: () => clock });
    const remaining = (endpoint: string) => sample(metrics, `atlas_restore_atlas_ratelimit_remaining{endpoint="${endpoint}"}`);
    metrics.atlasAnswer({ endpoint: 'GET clusters/snapshots', status: 200, rateLimit: { limit: 100, remaining: 3 } });
    metrics.atlasAnswer({ endpoint: 'GET clusters/restoreJobs', status: 200, rateLimit: { limit: 100, remaining: 90 } });
    expect(await remaining('GET clusters/snapshots')).toBe(3);
    clock = 4 * 60_000;
    metrics.atlasAnswer({ endpoint: 'GET clusters/restoreJobs', status: 200, rateLimit: { limit: 100, remaining: 95 } });
    expect(await remaining('GET clusters/snapshots')).toBe(3);
    clock = 5 * 60_000;
    expect(await remaining('GET clusters/snapshots')).toBeUndefined();
    expect(await remaining('GET clusters/restoreJobs')).toBe(95);
    metrics.atlasAnswer({ endpoint: 'GET clusters/snapshots', status: 200, rateLimit: { limit: 100, remaining: 99 } });
    expect(await remaining('GET clusters/snapshots')).toBe(99);
  });

  it('shows every final state from the start, at 0', async () => {
    const metrics = createMetrics();
    for (const state of ['completed', 'failed', 'cancelled', 'expired', 'rejected', 'approval_expired']) {
      expect(await sample(metrics, `atlas_restore_restores_finished_total{state="${state}"}`)).toBe(0);
    }
  });

  it('buckets restore durations from 30 s to 24 h by cluster type and final state', async () => {
    expect(RESTORE_DURATION_BUCKETS[0]).toBe(30);
    expect(RESTORE_DURATION_BUCKETS.at(-1)).toBe(24 * 3600);
    const metrics = createMetrics();
    metrics.restoreDuration.observe({ cluster_type: 'flex', state: 'completed' }, 45);
    metrics.restoreDuration.observe({ cluster_type: 'flex', state: 'completed' }, 5000);
    metrics.restoreDuration.observe({ cluster_type: 'flex', state: 'completed' }, Number.NaN); // ignored, not a crash
    const series = (le: string) => `atlas_restore_restore_duration_seconds_bucket{le="${le}",cluster_type="flex",state="completed"}`;
    const text = await metrics.text();
    const les = [...text.matchAll(/restore_duration_seconds_bucket\{le="([^"]+)",cluster_type="flex",state="completed"\}/g)].map((m) => m[1]);
    expect(les).toEqual([...RESTORE_DURATION_BUCKETS.map(String), '+Inf']);
    expect(await sample(metrics, series('30'))).toBe(0);
    expect(await sample(metrics, series('60'))).toBe(1);
    expect(await sample(metrics, series('3600'))).toBe(1);
    expect(await sample(metrics, series('7200'))).toBe(2);
    expect(await sample(metrics, series('+Inf'))).toBe(2);
    expect(await sample(metrics, 'atlas_restore_restore_duration_seconds_count{cluster_type="flex",state="completed"}')).toBe(2);
    expect(await sample(metrics, 'atlas_restore_restore_duration_seconds_sum{cluster_type="flex",state="completed"}')).toBe(5045);
  });

  it('records poll lag, counting an early poll as zero lag', async () => {
    const metrics = createMetrics();
    metrics.pollLag.observe(0.3);
    metrics.pollLag.observe(-2);
    const text = await metrics.text();
    const les = [...text.matchAll(/poll_lag_seconds_bucket\{le="([^"]+)"\}/g)].map((m) => m[1]);
    expect(les).toEqual([...POLL_LAG_BUCKETS.map(String), '+Inf']);
    expect(await sample(metrics, 'atlas_restore_poll_lag_seconds_bucket{le="0.1"}')).toBe(1);
    expect(await sample(metrics, 'atlas_restore_poll_lag_seconds_bucket{le="0.5"}')).toBe(2);
    expect(await sample(metrics, 'atlas_restore_poll_lag_seconds_sum')).toBeCloseTo(0.3);
  });

  it('keeps each instance in its own registry, away from the global one', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.slackRequests.inc({ kind: 'action', outcome: 'ok' });
    expect(await sample(a, 'atlas_restore_slack_requests_total{kind="action",outcome="ok"}')).toBe(1);
    expect(await sample(b, 'atlas_restore_slack_requests_total{kind="action",outcome="ok"}')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('atlas_restore_slack_requests_total')).toBeUndefined();
  });
});

describe('approvals pending gauge', () => {
  const SERIES = 'atlas_restore_approvals_pending';

  it('reads the source on every scrape', async () => {
    const metrics = createMetrics();
    expect(await sample(metrics, SERIES)).toBe(0); // no source yet
    let pending = 3;
    let calls = 0;
    metrics.setPendingApprovalsSource(() => {
      calls += 1;
      return Promise.resolve(pending);
    });
    expect(await sample(metrics, SERIES)).toBe(3);
    pending = 5;
    expect(await sample(metrics, SERIES)).toBe(5);
    expect(calls).toBe(2);
  });

  it('keeps the last value when the source rejects, throws, returns garbage or hangs, and the scrape still succeeds', async () => {
    const metrics = createMetrics({ pendingSourceTimeoutMs: 50 });
    metrics.setPendingApprovalsSource(() => Promise.resolve(4));
    expect(await sample(metrics, SERIES)).toBe(4);

    metrics.setPendingApprovalsSource(() => Promise.reject(new Error('redis down')));
    expect(await sample(metrics, SERIES)).toBe(4);

    metrics.setPendingApprovalsSource(() => {
      throw new Error('sync failure');
    });
    expect(await sample(metrics, SERIES)).toBe(4);

    metrics.setPendingApprovalsSource(() => Promise.resolve(Number.NaN));
    expect(await sample(metrics, SERIES)).toBe(4);

    metrics.setPendingApprovalsSource(() => new Promise<number>(() => undefined));
    // The source's 50 ms on a fake clock (the wall clock of a loaded machine says nothing about which timeout ran):
    // no answer before them, the last value right after.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let scraped: number | undefined;
      const scrape = sample(metrics, SERIES).then((value) => (scraped = value));
      await vi.advanceTimersByTimeAsync(49);
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve)); // the rest of the scrape is real I/O
      expect(scraped).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await scrape;
      expect(scraped).toBe(4);
    } finally {
      vi.useRealTimers();
    }
    // Other metrics are still in the same (successful) scrape.
    expect(await metrics.text()).toContain('atlas_restore_slack_requests_total');
  });
});

describe('atlasEndpointLabel', () => {
  const G = '5e2211c17a3e5a48f5497de3';
  const JOB = '6748a1b2c3d4e5f601234567';
  it.each([
    ['GET', `/api/atlas/v2/groups/${G}/flexClusters/orders/backup/restoreJobs/${JOB}`, 'GET flexClusters/restoreJobs/{id}'],
    ['post', `/api/atlas/v2/groups/${G}/flexClusters/orders/backup/restoreJobs`, 'POST flexClusters/restoreJobs'],
    ['GET', `/api/atlas/v2/groups/${G}/clusters/prod-main/backup/snapshots?pageNum=2&itemsPerPage=100`, 'GET clusters/snapshots'],
    ['GET', `/api/atlas/v2/groups/${G}/clusters/prod-main/backup/snapshots/${JOB}`, 'GET clusters/snapshots/{id}'],
    ['DELETE', `/api/atlas/v2/groups/${G}/clusters/prod-main/backup/restoreJobs/${JOB}`, 'DELETE clusters/restoreJobs/{id}'],
    ['GET', `/api/atlas/v1.0/groups/${G}/serverless/sls-1/backup/snapshots`, 'GET serverless/snapshots'],
    ['GET', `/api/atlas/v1.0/groups/${G}/serverless/sls-1/backup/restoreJobs/${JOB}`, 'GET serverless/restoreJobs/{id}'],
    ['GET', `/api/atlas/v2/groups/${G}/serverless/sls-1/backup/restoreJobs/${JOB}`, 'GET serverless/restoreJobs/{id}'],
    ['GET', `/api/atlas/v2/groups/${G}/flexClusters/orders`, 'GET flexClusters/{name}'],
    ['GET', `https://cloud.mongodb.com/api/atlas/v2/groups/${G}/clusters/x/backup/restoreJobs`, 'GET clusters/restoreJobs'],
    ['POST', '/api/oauth/token', 'POST oauth/token'],
    // Dedicated-only calls: the restore window, collection restore jobs and their per-namespace outcomes.
    ['GET', `/api/atlas/v2/groups/${G}/clusters/prod-main/backup/schedule`, 'GET clusters/schedule'],
    ['POST', `/api/atlas/v2/groups/${G}/clusters/prod-main/collectionRestoreJobs`, 'POST clusters/collectionRestoreJobs'],
    ['GET', `/api/atlas/v2/groups/${G}/clusters/prod-main/collectionRestoreJobs/${JOB}`, 'GET clusters/collectionRestoreJobs/{id}'],
    ['GET', `/api/atlas/v2/groups/${G}/clusters/prod-main/collectionRestoreJobs/${JOB}/collections`, 'GET clusters/collectionRestoreJobs/{id}/collections'],
    ['GET', `/api/atlas/v2/groups/${G}/clusters/x/backup/weird-${JOB}/more`, 'GET clusters/{id}/{id}'],
    ['GET', '/api/atlas/v2/orgs/abc/users', 'GET other'],
    ['GET', `/somewhere/${JOB}`, 'GET other'],
    ['BREW', `/api/atlas/v2/groups/${G}/clusters/x/backup/snapshots`, 'OTHER clusters/snapshots'],
  ])('%s %s -> %s', (method, path, label) => {
    expect(atlasEndpointLabel(method, path)).toBe(label);
  });

  it('never leaks group ids, cluster names or job ids, whatever the path', () => {
    const names = ['orders', 'prod-main', 'sls-1'];
    for (const kind of ['clusters', 'flexClusters', 'serverless']) {
      for (const name of names) {
        for (const tail of ['', '/backup', '/backup/snapshots', `/backup/restoreJobs/${JOB}`, `/backup/${JOB}/${G}`]) {
          const label = atlasEndpointLabel('GET', `/api/atlas/v2/groups/${G}/${kind}/${name}${tail}`);
          expect(label).not.toContain(G);
          expect(label).not.toContain(JOB);
          expect(label).not.toContain(name);
        }
      }
    }
  });
});

describe('requests in flight', () => {
  it('counts them by state and ages the oldest running restore, read once per scrape; keeps the last values while the read fails', async () => {
    let clock = Date.parse('2026-12-04T12:00:00Z');
    let reads = 0;
    let failing = false;
    const metrics = createMetrics({ now: () => clock });
    metrics.setInFlightSource(async () => {
      reads += 1;
      if (failing) throw new Error('redis down');
      return [
        { state: 'pending_approval' },
        { state: 'running', since: '2026-12-04T09:00:00Z' },
        { state: 'running', since: '2026-12-04T11:30:00Z' },
        { state: 'submitting' },
      ];
    });
    expect(await sample(metrics, 'atlas_restore_requests_in_flight{state="running"}')).toBe(2);
    expect(await sample(metrics, 'atlas_restore_requests_in_flight{state="approved"}')).toBe(0);
    expect(await sample(metrics, 'atlas_restore_requests_in_flight{state="pending_approval"}')).toBe(1);
    expect(await sample(metrics, 'atlas_restore_oldest_running_restore_seconds')).toBe(3 * 3600);
    const before = reads;
    await metrics.text();
    expect(reads - before).toBe(1);
    failing = true;
    clock += 600_000;
    expect(await sample(metrics, 'atlas_restore_requests_in_flight{state="running"}')).toBe(2);
    expect(await sample(metrics, 'atlas_restore_oldest_running_restore_seconds')).toBe(3 * 3600);
  });

  it('says 0 when no restore runs', async () => {
    const metrics = createMetrics();
    metrics.setInFlightSource(async () => [{ state: 'approved' }]);
    expect(await sample(metrics, 'atlas_restore_oldest_running_restore_seconds')).toBe(0);
    expect(await sample(metrics, 'atlas_restore_requests_in_flight{state="approved"}')).toBe(1);
  });
});
