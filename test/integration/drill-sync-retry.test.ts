// A policy reload that adds a drill while Redis refuses the bot: the drill's schedule is written once Redis answers
// again, without another reload or a restart. The fault is real: the bot connects as a Redis ACL user of its own,
// whose commands are taken away and given back (nobody else's connection is touched).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyFile, type PolicyFile } from '../helpers/policy-file.js';
import { createRedisAclUser, type RedisAclUser } from '../helpers/redis-acl-user.js';
import { waitFor } from '../helpers/wait-for.js';
import { logLines, startHarness, type Harness } from './conversation-harness.js';
import { DRILL_POLICY, DRILLS } from './drill-policy.js';

let acl: RedisAclUser;
let policy: PolicyFile;
let h: Harness;

beforeAll(async () => {
  acl = await createRedisAclUser('test-drill-sync');
  policy = createPolicyFile(DRILL_POLICY);
  h = await startHarness({ policyYaml: DRILL_POLICY, redisUrl: acl.url, overrides: { watchPolicyFile: policy.path, policyWatchIntervalMs: 50, drillSyncRetryMs: 100 } });
});
afterAll(async () => {
  await acl?.giveBack();
  await h?.close();
  await acl?.remove();
  policy?.remove();
});

describe('drill schedules after a reload during a Redis fault', () => {
  it('are written once Redis answers again', async () => {
    const nextRunOf = async (name: string) => (await h.app.services.listDrills()).find((d) => d.name === name)?.nextRunAt;
    await waitFor(() => nextRunOf('ledger-weekly'), { message: 'the first drill scheduled' });
    const logged = logLines.length;
    await acl.setRules('-@all', '+ping');
    try {
      policy.write(
        DRILL_POLICY.replace(
          'drills:\n',
          `drills:\n  - name: orders-nightly\n    source: shop/ledger\n    target: shop/staging\n    schedule: "30 1 * * *"\n    timeZone: UTC\n    channel: ${DRILLS}\n`,
        ),
      );
      await waitFor(() => h.app.services.policy.drills?.some((d) => d.name === 'orders-nightly'), { message: 'the policy reloaded' });
      await waitFor(() => logLines.slice(logged).some((l) => l.includes('could not update the drill schedules')), { message: 'the sync failing' });
    } finally {
      await acl.setRules('+@all');
    }
    const next = await waitFor(() => nextRunOf('orders-nightly'), { message: 'the new drill scheduled after all' });
    expect(new Date(next).toISOString()).toMatch(/T01:30:00\.000Z$/);
    // The schedule is written before the sync that wrote it says so: wait for its word, don't read it at once.
    await waitFor(() => logLines.slice(logged).some((l) => l.includes('drill schedules updated after all')), { message: 'the retry saying it succeeded' });
  });
});
