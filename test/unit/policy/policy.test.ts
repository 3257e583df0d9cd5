import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import {
  clusterKey,
  findCluster,
  listClusters,
  mayApprove,
  mayRequest,
  mayUseChannel,
  rulesFor,
  type MembershipResolver,
} from '../../../src/policy/policy.js';
import { createMembershipResolver } from '../../../src/policy/resolve-usergroups.js';
import type { ClusterRef, RestoreRequest } from '../../../src/restore/types.js';

const policy = parsePolicy(readFileSync(fileURLToPath(new URL('../../fixtures/policy.yaml', import.meta.url)), 'utf8'), 'policy.yaml');
const SHOP = '5e2211c17a3e5a48f5497de3';
const BILLING = '6f3322d28b4f6b59a6508ef4';

// S0456EFGH (requesters group) holds U0GROUPIE.
const resolver = createMembershipResolver(async (id) => (id === 'S0456EFGH' ? ['U0GROUPIE'] : []));
const failing: MembershipResolver = { isMember: () => Promise.reject(new Error('slack down')) };

function ref(text: string): ClusterRef {
  const found = findCluster(policy, text);
  if (!found.ok) throw new Error(found.message);
  return found.cluster;
}

function request(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return {
    id: 'RR-TEST01',
    requester: 'U0123ABCD',
    source: ref('shop/orders'),
    target: ref('shop/orders'),
    snapshot: { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', createdAt: '2026-01-01T00:00:00Z' },
    reason: 'test',
    state: 'pending_approval',
    approvalsRequired: 1,
    approvals: [],
    dryRun: false,
    channel: 'C0ABCDEF1',
    createdAt: '2026-01-01T00:00:00Z',
    approvalExpiresAt: '2026-01-01T00:30:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('listClusters / clusterKey', () => {
  it('lists every cluster with its project and type', () => {
    const all = listClusters(policy);
    expect(all.map(clusterKey)).toEqual(['shop/orders', 'shop/orders-staging', 'shop/events', 'billing/ledger', 'billing/orders']);
    expect(all[0]).toEqual({ project: 'shop', groupId: SHOP, cluster: 'orders', type: 'flex' });
    expect(all[3]?.type).toBeUndefined();
  });
});

describe('findCluster', () => {
  it('finds by bare name, project name and project id (any case)', () => {
    expect(ref('ledger')).toMatchObject({ project: 'billing', cluster: 'ledger' });
    expect(ref('shop/orders').groupId).toBe(SHOP);
    expect(ref(`${BILLING.toUpperCase()}/orders`)).toMatchObject({ project: 'billing', cluster: 'orders' });
    expect(ref('SHOP/Orders-Staging').cluster).toBe('orders-staging');
  });

  it('lists the choices for an ambiguous bare name', () => {
    const r = findCluster(policy, 'orders');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('`shop/orders`');
      expect(r.message).toContain('`billing/orders`');
    }
  });

  it('explains unknown projects and clusters', () => {
    const unknownProject = findCluster(policy, 'nope/orders');
    expect(unknownProject).toEqual({ ok: false, message: expect.stringContaining('no project `nope`') });
    const unknownCluster = findCluster(policy, 'shop/ledger');
    expect(unknownCluster).toEqual({ ok: false, message: expect.stringContaining('`shop/events`') });
    expect(findCluster(policy, 'missing')).toEqual({ ok: false, message: expect.stringContaining('no cluster `missing`') });
    expect(findCluster(policy, '  ').ok).toBe(false);
  });
});

describe('rulesFor', () => {
  it('uses the top level when nothing is overridden', () => {
    expect(rulesFor(policy, ref('shop/orders'))).toEqual({
      requesters: ['U0123ABCD', 'S0456EFGH'],
      approvers: ['U0789IJKL', 'W0ENTERPRISE'],
      approval: { required: 1, allowSelfApproval: false, expiresAfterMinutes: 30 },
      safetySnapshot: { mode: 'off', retentionInDays: 2 }, // the default: the fixture says nothing
    });
  });

  it('cluster overrides beat project overrides beat the top level, field by field', () => {
    expect(rulesFor(policy, ref('shop/orders-staging'))).toEqual({
      requesters: ['U0123ABCD', 'S0456EFGH'],
      approvers: ['U0STAGING1'],
      approval: { required: 1, allowSelfApproval: true, expiresAfterMinutes: 30 },
      safetySnapshot: { mode: 'off', retentionInDays: 2 }, // the default: the fixture says nothing
    });
    expect(rulesFor(policy, ref('billing/ledger'))).toEqual({
      requesters: ['U0BILLING1'],
      approvers: ['U0789IJKL', 'W0ENTERPRISE'],
      approval: { required: 2, allowSelfApproval: false, expiresAfterMinutes: 60 },
      safetySnapshot: { mode: 'off', retentionInDays: 2 }, // the default: the fixture says nothing
    });
  });

  it('gives nobody any rights on a cluster outside the policy', () => {
    const stranger = { project: 'x', groupId: 'f'.repeat(24), cluster: 'x' };
    expect(rulesFor(policy, stranger)).toMatchObject({ requesters: [], approvers: [] });
  });
});

describe('mayUseChannel', () => {
  it('allows listed channels only when channels are set', () => {
    expect(mayUseChannel(policy, 'C0ABCDEF1')).toEqual({ allowed: true });
    expect(mayUseChannel(policy, 'C0OTHER')).toMatchObject({ allowed: false, code: 'POLICY_CHANNEL_NOT_ALLOWED', message: expect.stringContaining('<#C0ABCDEF1>') });
    const open = parsePolicy(`projects: [{name: a, id: ${SHOP}, clusters: [{name: x}]}]`, 't');
    expect(mayUseChannel(open, 'C0ANY')).toEqual({ allowed: true });
  });
});

describe('mayRequest', () => {
  it('allows a listed user and a member of a listed group', async () => {
    expect(await mayRequest(policy, resolver, 'U0123ABCD', ref('shop/orders'), ref('shop/orders-staging'))).toEqual({ allowed: true });
    expect(await mayRequest(policy, resolver, 'U0GROUPIE', ref('shop/orders'), ref('shop/events'))).toEqual({ allowed: true });
  });

  it('needs requester rights on BOTH source and target', async () => {
    const intoBilling = await mayRequest(policy, resolver, 'U0123ABCD', ref('shop/orders'), ref('billing/ledger'));
    expect(intoBilling).toMatchObject({ allowed: false, code: 'POLICY_NOT_REQUESTER', message: expect.stringContaining('into `billing/ledger`') });
    const fromShop = await mayRequest(policy, resolver, 'U0BILLING1', ref('shop/orders'), ref('billing/ledger'));
    expect(fromShop).toMatchObject({ allowed: false, code: 'POLICY_NOT_REQUESTER', message: expect.stringContaining('from `shop/orders`') });
    expect(await mayRequest(policy, resolver, 'U0BILLING1', ref('billing/orders'), ref('billing/ledger'))).toEqual({ allowed: true });
  });

  it('denies clusters outside the policy and strangers', async () => {
    const stranger = { project: 'x', groupId: 'f'.repeat(24), cluster: 'x' };
    expect(await mayRequest(policy, resolver, 'U0123ABCD', ref('shop/orders'), stranger)).toMatchObject({ code: 'POLICY_CLUSTER_UNKNOWN' });
    expect(await mayRequest(policy, resolver, 'U0NOBODY', ref('shop/orders'), ref('shop/orders'))).toMatchObject({ code: 'POLICY_NOT_REQUESTER' });
  });

  it('denies when membership cannot be checked', async () => {
    expect(await mayRequest(policy, failing, 'U0123ABCD', ref('shop/orders'), ref('shop/orders'))).toMatchObject({
      allowed: false,
      code: 'POLICY_MEMBERSHIP_UNAVAILABLE',
    });
  });
});

describe('mayApprove', () => {
  it('allows an approver of the target', async () => {
    expect(await mayApprove(policy, resolver, 'U0789IJKL', request())).toEqual({ allowed: true });
  });

  it("follows the TARGET's approvers, not the source's", async () => {
    const req = request({ source: ref('shop/orders'), target: ref('shop/orders-staging') });
    expect(await mayApprove(policy, resolver, 'U0789IJKL', req)).toMatchObject({ code: 'POLICY_NOT_APPROVER' });
    expect(await mayApprove(policy, resolver, 'U0STAGING1', req)).toEqual({ allowed: true });
  });

  it('refuses self-approval unless the target allows it', async () => {
    const selfApprover = 'U0789IJKL';
    expect(await mayApprove(policy, resolver, selfApprover, request({ requester: selfApprover }))).toMatchObject({ code: 'POLICY_SELF_APPROVAL' });
    const intoStaging = request({ requester: 'U0STAGING1', target: ref('shop/orders-staging') });
    expect(await mayApprove(policy, resolver, 'U0STAGING1', intoStaging)).toEqual({ allowed: true });
  });

  it('refuses a second approval by the same person', async () => {
    const req = request({ approvalsRequired: 2, approvals: [{ user: 'U0789IJKL', at: '2026-01-01T00:01:00Z' }] });
    expect(await mayApprove(policy, resolver, 'U0789IJKL', req)).toMatchObject({ code: 'POLICY_ALREADY_APPROVED' });
    expect(await mayApprove(policy, resolver, 'W0ENTERPRISE', req)).toEqual({ allowed: true });
  });

  it('denies when membership cannot be checked, and for a target removed from the policy', async () => {
    expect(await mayApprove(policy, failing, 'U0789IJKL', request())).toMatchObject({ code: 'POLICY_MEMBERSHIP_UNAVAILABLE' });
    const gone = request({ target: { project: 'old', groupId: 'f'.repeat(24), cluster: 'old' } });
    expect(await mayApprove(policy, resolver, 'U0789IJKL', gone)).toMatchObject({ code: 'POLICY_CLUSTER_UNKNOWN' });
  });

  it('denies for a source removed from the policy: the re-check before the POST would refuse it after the approval', async () => {
    const gone = request({ source: { project: 'old', groupId: 'f'.repeat(24), cluster: 'old' } });
    expect(await mayApprove(policy, resolver, 'U0789IJKL', gone)).toMatchObject({ code: 'POLICY_CLUSTER_UNKNOWN', message: expect.stringContaining('source cluster `old/old`') });
  });
});
