// A complete, valid restore request for unit tests of the views; tests override what they are about.
import type { RestoreRequest } from '../../src/restore/types.js';

export const SAMPLE_GROUP_ID = '5e2211c17a3e5a48f5497de3';

export function sampleRequest(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return {
    id: 'RR-7K3P2Q',
    requester: 'U0REQUESTER',
    source: { project: 'shop', groupId: SAMPLE_GROUP_ID, cluster: 'orders', type: 'flex' },
    target: { project: 'shop', groupId: SAMPLE_GROUP_ID, cluster: 'orders-staging', type: 'dedicated' },
    snapshot: { id: '6748a9f0c1d2e3f4a5b6c7d8', createdAt: '2026-03-01T02:00:00Z' },
    reason: 'fix',
    state: 'pending_approval',
    approvalsRequired: 2,
    approvals: [{ user: 'U0FIRST', at: '2026-03-01T10:05:00Z' }],
    dryRun: false,
    channel: 'C0ABCDEF1',
    createdAt: '2026-03-01T10:00:00Z',
    approvalExpiresAt: '2026-03-01T10:30:00Z',
    updatedAt: '2026-03-01T10:05:00Z',
    ...overrides,
  };
}
