// The policy keys of issues 10 and 11: safetySnapshot (top, project, cluster; field by field), scratch clusters,
// and drills. Every refusal names the path of the bad field, and a drill's problems name the drill.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { findCluster, rulesFor } from '../../../src/policy/policy.js';
import { policyProblems } from '../../helpers/policy-problems.js';

const SHOP = '5e2211c17a3e5a48f5497de3';

/** A valid policy with two dedicated clusters (one scratch), a Flex one and one left to detection, plus `extra`. */
function policyText(extra = '', clusterExtra: Record<string, string> = {}): string {
  return `
projects:
  - name: shop
    id: ${SHOP}
    clusters:
      - name: orders
        type: dedicated
        ${clusterExtra['orders'] ?? ''}
      - name: orders-drill
        type: dedicated
        scratch: true
        ${clusterExtra['orders-drill'] ?? ''}
      - name: catalog
        type: flex
        ${clusterExtra['catalog'] ?? ''}
      - name: legacy
        ${clusterExtra['legacy'] ?? ''}
requesters: [U0123ABCD]
approvers: [U0789IJKL]
${extra}`;
}

const problemsOf = policyProblems;

const ref = (policy: ReturnType<typeof parsePolicy>, text: string) => {
  const found = findCluster(policy, text);
  if (!found.ok) throw new Error(found.message);
  return found.cluster;
};

describe('safetySnapshot', () => {
  it('defaults to off with 2 days, and is overridden field by field: cluster over project over top level', () => {
    const bare = parsePolicy(policyText(), 'p.yaml');
    expect(bare.safetySnapshot).toEqual({ mode: 'off', retentionInDays: 2 });
    expect(rulesFor(bare, ref(bare, 'orders')).safetySnapshot).toEqual({ mode: 'off', retentionInDays: 2 });

    const text = policyText('safetySnapshot: { mode: offered, retentionInDays: 5 }', { orders: 'safetySnapshot: { mode: required }' })
      .replace(`id: ${SHOP}`, `id: ${SHOP}\n    safetySnapshot: { retentionInDays: 3 }`);
    const policy = parsePolicy(text, 'p.yaml');
    expect(rulesFor(policy, ref(policy, 'orders')).safetySnapshot).toEqual({ mode: 'required', retentionInDays: 3 });
    expect(rulesFor(policy, ref(policy, 'orders-drill')).safetySnapshot).toEqual({ mode: 'offered', retentionInDays: 3 });
    expect(rulesFor(policy, { project: 'x', groupId: 'f'.repeat(24), cluster: 'x' }).safetySnapshot).toEqual({ mode: 'offered', retentionInDays: 5 });
  });

  it('refuses bad values with their paths', () => {
    expect(problemsOf(policyText('safetySnapshot: { mode: always, retentionInDays: 0 }', { orders: 'safetySnapshot: { retentionInDays: 1.5, keep: true }' }))).toEqual(
      expect.arrayContaining([
        'projects[0].clusters[0].safetySnapshot.retentionInDays: retentionInDays must be a whole number of days',
        'projects[0].clusters[0].safetySnapshot.keep: unknown key "keep"',
        'safetySnapshot.mode: expected one of required|offered|off',
        'safetySnapshot.retentionInDays: retentionInDays must be at least 1',
      ]),
    );
  });

  it('refuses required for a declared Flex cluster, set on it or inherited; a cluster left to detection is not checked at load', () => {
    expect(problemsOf(policyText('', { catalog: 'safetySnapshot: { mode: required }' }))).toEqual([
      "projects[0].clusters[2].safetySnapshot.mode: a flex cluster can't have a safety snapshot (Atlas takes on-demand snapshots of dedicated clusters only); use offered or off",
    ]);
    expect(problemsOf(policyText('safetySnapshot: { mode: required }'))).toEqual([
      "projects[0].clusters[2] (shop/catalog): safetySnapshot.mode required comes from the top-level safetySnapshot, but a flex cluster can't have a safety snapshot (Atlas takes on-demand snapshots of dedicated clusters only); set safetySnapshot.mode: off (or offered) on this cluster",
    ]);
    // Overridden on the Flex cluster, the top-level requirement is fine; `legacy` has no declared type.
    const policy = parsePolicy(policyText('safetySnapshot: { mode: required }', { catalog: 'safetySnapshot: { mode: offered }' }), 'p.yaml');
    expect(rulesFor(policy, ref(policy, 'legacy')).safetySnapshot.mode).toBe('required');
  });
});

describe('drills', () => {
  const drill = (fields: Record<string, string>) => {
    const all = { name: 'orders-weekly', source: 'shop/orders', target: 'shop/orders-drill', schedule: '"0 3 * * 1"', channel: 'C0ABCDEF1', ...fields };
    return `  - ${Object.entries(all)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n    ')}`;
  };

  it('loads a valid drill with its defaults; none at all is an empty list', () => {
    expect(parsePolicy(policyText(), 'p.yaml').drills).toEqual([]);
    const policy = parsePolicy(policyText(`drills:\n${drill({})}\n${drill({ name: 'orders-collections', source: 'orders', timeZone: 'Europe/Berlin', only: '[sales.orders, sales.customers]' })}`), 'p.yaml');
    expect(policy.drills).toEqual([
      { name: 'orders-weekly', source: 'shop/orders', target: 'shop/orders-drill', schedule: '0 3 * * 1', timeZone: 'UTC', channel: 'C0ABCDEF1' },
      { name: 'orders-collections', source: 'orders', target: 'shop/orders-drill', schedule: '0 3 * * 1', timeZone: 'Europe/Berlin', channel: 'C0ABCDEF1', only: ['sales.orders', 'sales.customers'] },
    ]);
  });

  it('a target that is not scratch, and unknown clusters, are refused naming the drill', () => {
    const problems = problemsOf(policyText(`drills:\n${drill({ target: 'shop/orders' })}\n${drill({ name: 'ghost', source: 'shop/nope', target: 'elsewhere/orders-drill' })}`));
    expect(problems).toEqual([
      expect.stringMatching(/^drills\[0\] \(orders-weekly\): target shop\/orders is not scratch \(/),
      expect.stringMatching(/^drills\[1\] \(ghost\): source shop\/nope: Project `shop` has no cluster `nope`/),
      expect.stringMatching(/^drills\[1\] \(ghost\): target elsewhere\/orders-drill: There is no project `elsewhere`/),
    ]);
  });

  it('bad cron expressions, time zones, channels and names are refused with the path of the field and the drill', () => {
    const problems = problemsOf(
      policyText(`drills:
${drill({ schedule: '"0 3 * *"' })}
${drill({ name: 'b', schedule: '"61 3 * * 1"', timeZone: 'Mars/Olympus' })}
${drill({ name: 'c', schedule: '"@daily"', channel: 'general' })}
${drill({ name: 'd', schedule: '"0 0 3 * * 1"' })}
${drill({ name: 'bad name' })}
${drill({ name: 'e', schedule: '"H 3 * * 1"' })}
${drill({ name: 'f', schedule: '"0 3,H(0-5) * * 1"' })}
${drill({ name: 'g', schedule: '"30 2 * * THU,sat"' })}`),
    );
    expect(problems).toEqual([
      'drills[0] (orders-weekly).schedule: "0 3 * *" is not a cron expression of 5 fields (minute hour day-of-month month day-of-week), it has 4',
      'drills[1] (b).schedule: "61 3 * * 1" is not a valid cron expression (Constraint error, got value 61 expected range 0-59)',
      'drills[1] (b).timeZone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin, UTC)',
      'drills[2] (c).schedule: "@daily" is not a cron expression of 5 fields (minute hour day-of-month month day-of-week), it has 1',
      'drills[2] (c).channel: expected a Slack channel id (C…, G… or D…)',
      'drills[3] (d).schedule: "0 0 3 * * 1" is not a cron expression of 5 fields (minute hour day-of-month month day-of-week), it has 6',
      'drills[4] (bad name).name: expected a drill name of letters, digits, ".", "_" or "-" (no spaces), at most 64',
      'drills[5] (e).schedule: "H 3 * * 1" uses H (a random minute or hour): give the time itself, e.g. "17 3 * * 1"',
      'drills[6] (f).schedule: "0 3,H(0-5) * * 1" uses H (a random minute or hour): give the time itself, e.g. "17 3 * * 1"',
    ]);
  });

  it('two drills with one name, unknown keys and missing fields are refused', () => {
    const problems = problemsOf(policyText(`drills:\n${drill({})}\n${drill({ name: 'Orders-Weekly', colour: 'red', channel: '' })}`));
    expect(problems).toEqual(
      expect.arrayContaining([
        'drills[1] (Orders-Weekly).channel: is required',
        'drills[1] (Orders-Weekly).colour: unknown key "colour"',
        'drills[1] (Orders-Weekly).name: duplicate drill name "Orders-Weekly" (also drills[0])',
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('only: the namespace grammar, and a dedicated source', () => {
    expect(problemsOf(policyText(`drills:\n${drill({ only: '["sales.$x", "sales", "sales.orders", ""]' })}`))).toEqual([
      'drills[0] (orders-weekly).only: sales.$x: a collection name must not contain "$"',
      'drills[0] (orders-weekly).only: item 4 is empty (two commas in a row, or one at the end?)',
      'drills[0] (orders-weekly).only: sales.orders is already part of sales, which is listed too',
    ]);
    expect(problemsOf(policyText(`drills:\n${drill({ source: 'shop/catalog', only: '[sales.orders]' })}`))).toEqual([
      'drills[0] (orders-weekly): only restores single databases or collections, which needs a dedicated source, but shop/catalog is flex',
    ]);
    // A source whose type is left to detection can't be checked here (the runtime refuses it later).
    expect(parsePolicy(policyText(`drills:\n${drill({ source: 'shop/legacy', only: '[sales.orders]' })}`), 'p.yaml').drills).toHaveLength(1);
  });

  it('scratch must be a boolean', () => {
    expect(problemsOf(policyText('', { orders: 'scratch: yes please' }))).toEqual(['projects[0].clusters[0].scratch: expected true or false']);
  });
});
