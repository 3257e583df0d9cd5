// `--check` on a policy with drills and safety snapshots: the real entry point as a process, nothing contacted.
import { describe, expect, it } from 'vitest';
import { runMainOffline } from '../helpers/run-main-offline.js';

const POLICY = (drillTarget: string, catalogSafety = '') => `
projects:
  - name: shop
    id: 5e2211c17a3e5a48f5497de3
    clusters:
      - name: orders
        type: dedicated
        safetySnapshot: { mode: required, retentionInDays: 3 }
      - name: orders-drill
        type: dedicated
        scratch: true
      - name: catalog
        type: flex
        ${catalogSafety}
requesters: [U0123ABCD]
approvers: [U0789IJKL]
drills:
  - name: orders-weekly
    source: shop/orders
    target: ${drillTarget}
    schedule: "0 3 * * 1"
    timeZone: Europe/Berlin
    channel: C0ABCDEF1
`;

const check = (policy: string, env: Record<string, string> = {}) => runMainOffline(['--check'], policy, env);

describe('node dist/main.js --check with drills', () => {
  it('accepts a policy whose drill targets a scratch cluster', async () => {
    const result = await check(POLICY('shop/orders-drill'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/policy OK/);
  });

  it('refuses a drill into a cluster that is not scratch, and a safety snapshot a Flex cluster cannot have, on stderr with exit 1', async () => {
    const result = await check(POLICY('shop/orders', 'safetySnapshot: { mode: required }'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('drills[0] (orders-weekly): target shop/orders is not scratch');
    expect(result.stderr).toContain("projects[0].clusters[2].safetySnapshot.mode: a flex cluster can't have a safety snapshot");
  });

  it('lists the policy problems too when the environment is invalid, exit 1', async () => {
    const result = await check(POLICY('shop/orders'), { DRY_RUN: 'maybe' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('DRY_RUN must be "true" or "false"');
    expect(result.stderr).toContain('drills[0] (orders-weekly): target shop/orders is not scratch');
  });
});
