// An approved request is never thrown away by a passing fault (DESIGN.md §5): while nothing has been sent to Atlas,
// 5xx and 429 bursts, a failing token endpoint or a user-group lookup make the submission wait (a delayed step of
// its job), the thread says so once, and it goes on when the fault passes; only the horizon ends it. Also: a 429 on
// the POST, DRY_RUN read at submission, and a cluster whose type changed before the approval.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, REQUESTER, policyWith, requestRestore, startHarness, useHarness, waitForState, type Harness } from './conversation-harness.js';

const waitingMessages = (h: Harness, id: string) => h.threadTexts(id).filter((t) => /approved but not submitted yet/.test(t));
const jobsInto = (h: Harness, cluster: string) => h.atlas.restoreJobs(GROUP_ID, cluster).length;

async function finish(h: Harness, id: string): Promise<void> {
  const running = await waitForState(h, id, 'running');
  h.atlas.advanceJob(running.atlasJobId!, 'completed');
  await waitForState(h, id, 'completed');
}

describe('faults before the POST (API key)', () => {
  const h = useHarness();

  it('500, 500, 500, then 429 on the job listing: the request stays approved, says once why it waits, then submits once', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    h.atlas.inject({ kind: 'status', status: 500, count: 3, method: 'GET', pathIncludes: '/clusters/ledger/backup/restoreJobs' });
    h.atlas.inject({ kind: 'status', status: 429, errorCode: 'RATE_LIMITED', retryAfterSeconds: 1, method: 'GET', pathIncludes: '/clusters/ledger/backup/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);

    const waiting = await h.waitForThread(req.id, /approved but not submitted yet/);
    expect(waiting).toMatch(/Nothing has been sent to Atlas/);
    expect(waiting).not.toMatch(/\/api\/atlas|groups\//);
    await waitFor(() => JSON.stringify(h.rootCard(req.id)?.blocks).includes('waiting to submit'), { message: 'the card says it waits' });
    expect((await h.request(req.id))?.state).toMatch(/^(approved|submitting)$/);

    const running = await waitForState(h, req.id, 'running', 15_000);
    expect(h.postsToAtlas() - posts).toBe(1);
    expect(running.waitingFor).toBeUndefined();
    // Once per kind of trouble: Atlas unavailable, then Atlas rate limiting; never "refused".
    expect(waitingMessages(h, req.id).length).toBeLessThanOrEqual(2);
    expect(h.threadTexts(req.id).some((t) => /refused/i.test(t))).toBe(false);
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
    await finish(h, req.id);
  });

  it('a 503 on the snapshot re-check waits, then submits', async () => {
    const req = await requestRestore(h, { source: 'orders', snapshotIndex: 0 });
    h.atlas.inject({ kind: 'status', status: 503, count: 2, method: 'GET', pathIncludes: `/snapshots/${req.snapshot.id}` });
    await h.click(APPROVER, 'restore_approve', req.id);
    await h.waitForThread(req.id, /approved but not submitted yet/);
    await finish(h, req.id);
    expect(waitingMessages(h, req.id)).toHaveLength(1);
  });

  it('a 429 on the POST created nothing: the POST is sent again after Retry-After, one job in Atlas', async () => {
    const req = await requestRestore(h, { source: 'legacy', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    const jobs = jobsInto(h, 'legacy');
    h.atlas.inject({ kind: 'status', status: 429, errorCode: 'RATE_LIMITED', retryAfterSeconds: 1, method: 'POST', pathIncludes: '/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);
    await finish(h, req.id);
    expect(h.postsToAtlas() - posts).toBe(2);
    expect(jobsInto(h, 'legacy') - jobs).toBe(1);
  });

  it('Atlas stays down past the horizon: the request ends, says so, and nothing was sent', async () => {
    const req = await requestRestore(h, { source: 'staging', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    // A horizon 2 s away (normally the approval's expiry, at least 15 min after the last approval).
    await h.app.services.store.update(req.id, ['pending_approval'], { submitBy: new Date(Date.now() + 2000).toISOString() });
    h.atlas.inject({ kind: 'status', status: 503, count: 1000, method: 'GET', pathIncludes: '/clusters/staging/backup/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const failed = await waitForState(h, req.id, 'failed', 10_000);
    expect(failed.failureReason).toMatch(/when the approval ran out.*Nothing was sent to Atlas/);
    const text = await h.waitForThread(req.id, /was not submitted/);
    expect(text).toMatch(/Nothing was restored/);
    expect(h.postsToAtlas()).toBe(posts);
    h.atlas.reset();
  });

  it('DRY_RUN turned on before the approval: the request runs as a dry run and nothing is sent', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 1 });
    expect(req.dryRun).toBe(false);
    await h.restart(undefined, { dryRun: true });
    const posts = h.postsToAtlas();
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed');
    expect(done.dryRun).toBe(true);
    expect(h.postsToAtlas()).toBe(posts);
    await h.waitForThread(req.id, /`DRY_RUN` was turned on before it was submitted/);
    await h.restart(undefined, { dryRun: false });
  });

  it('the cluster changed type between request and approval (policy gives none): detected again, restored', async () => {
    const req = await requestRestore(h, { source: 'staging', snapshotIndex: 1 });
    expect(req.source.type).toBeUndefined();
    expect(req.source.detectedType).toBe('dedicated');
    h.atlas.setClusterType(GROUP_ID, 'staging', 'flex'); // upgraded in Atlas while the request waited
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'running');
    expect(h.atlas.requests.some((r) => r.method === 'POST' && r.path.includes('/flexClusters/staging/backup/restoreJobs') && r.status === 200)).toBe(true);
    expect(h.threadTexts(req.id).some((t) => /fix its `type`/.test(t))).toBe(false);
    await finish(h, req.id);
    h.atlas.setClusterType(GROUP_ID, 'staging', 'dedicated');
  });
});

describe('faults before the POST (service account, user groups)', () => {
  it('a failing token endpoint and a user-group lookup hiccup at the last approval: waits, then submits once', async () => {
    const h = await startHarness({
      auth: 'serviceAccount',
      usergroups: { S0ONCALL01: [REQUESTER] },
      policyYaml: policyWith({ requesters: ['S0ONCALL01'], approvers: [APPROVER] }),
      overrides: { membershipTtlMs: 1 },
    });
    try {
      for (const [source, fault] of [
        [
          'ledger',
          () => {
            // The token in use is refused and the token endpoint fails three times: the submission needs a new token.
            h.atlas.revokeTokens();
            h.atlas.inject({ kind: 'status', status: 500, count: 3, pathIncludes: '/api/oauth/token' });
          },
        ],
        ['orders', () => h.slack.failNext('usergroups.users.list', 'internal_error', 3)],
      ] as const) {
        const req = await requestRestore(h, { source });
        const posts = h.postsToAtlas();
        fault();
        await h.click(APPROVER, 'restore_approve', req.id);
        const waiting = await h.waitForThread(req.id, /approved but not submitted yet/);
        expect(waiting).toMatch(source === 'orders' ? /user groups/ : /Atlas/);
        await finish(h, req.id);
        expect(h.postsToAtlas() - posts).toBe(1);
      }
    } finally {
      await h.close();
    }
  });
});
