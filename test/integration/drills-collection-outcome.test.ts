// A collection-level drill whose namespace is gone from the source (renamed in production): Atlas ends the job
// SUCCESSFUL with the namespace NOT_FOUND. That is no success: the run is recorded failed (no last success for the
// metrics and the stale-drill alert), and its last word is shown in the drill's channel, not only in its thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillHistory } from '../../src/restore/drill-history.js';
import { waitFor } from '../helpers/wait-for.js';
import { DRILLS } from './drill-policy.js';
import { APPROVER, commandAnswer, GROUP_ID, policyWith, startHarness, waitForState, type Harness } from './conversation-harness.js';

const POLICY = policyWith({
  approvers: [APPROVER],
  staging: 'type: dedicated, scratch: true',
  extra: `drills:
  - name: orders-nightly
    source: shop/ledger
    target: shop/staging
    schedule: "0 3 * * *"
    channel: ${DRILLS}
    only: [sales.orders]
`,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: POLICY, stepsPerState: 1 });
});
afterAll(async () => {
  await h?.close();
});

describe('a collection-level drill whose namespace Atlas did not find', () => {
  it('fails, loudly in its channel, and is no success for the metrics', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'sales.orders_v2', documents: 10 }] });
    expect(await commandAnswer(h, APPROVER, 'drill orders-nightly')).toMatch(/is starting/);
    const req = await waitFor(async () => (await h.app.services.store.listRecent(10)).find((r) => r.drill?.name === 'orders-nightly'), { message: 'the drill request' });
    const done = await waitForState(h, req.id, 'failed', 15_000);
    expect(h.atlas.collectionRestoreJobs(GROUP_ID, 'ledger')[0]?.['state']).toBe('SUCCESSFUL');
    expect(done.failureReason).toBe('Atlas calls the job SUCCESSFUL, but its one namespace was not restored: `sales.orders` (not found).');

    const broadcast = await waitFor(() => h.slack.messages(DRILLS).find((m) => m.subtype === 'thread_broadcast' && m.text.includes(req.id)), { message: 'the last word in the channel' });
    // The channel sees which drill failed, and what to do about it.
    expect(broadcast.text).toMatch(/^Drill orders-nightly: restore failed, no namespace was restored/);
    expect(JSON.stringify(broadcast.blocks)).toContain('If it was renamed or dropped in production, update the `only:` list of drill `orders-nightly` in the policy.');

    const history = createDrillHistory(h.redis, `${h.prefix}bull:drills:`);
    const run = await waitFor(async () => (await history.recent('orders-nightly', 1))[0], { message: 'the run recorded' });
    expect(run).toMatchObject({ requestId: req.id, state: 'failed' });
    expect(run.restoreMs).toBeUndefined();
    expect((await history.standing('orders-nightly')).lastSuccess).toBeUndefined();
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).not.toMatch(/atlas_restore_drill_last_success_timestamp_seconds\{drill="orders-nightly"\}/);
  });
});
