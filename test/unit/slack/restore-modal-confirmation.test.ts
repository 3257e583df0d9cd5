// The typed confirmation must name exactly one cluster: a name found in several projects needs its project too.
import type { ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { ClusterRef } from '../../../src/restore/types.js';
import { CONFIRMATION_BLOCK_ID } from '../../../src/slack/views/ids.js';
import {
  buildRestoreModal,
  readModalSubmission,
  sharedClusterNames,
  snapshotBlockId,
  targetBlockId,
  validateModalSubmission,
  type ModalSubmissionView,
  type RestoreModalState,
} from '../../../src/slack/views/restore-modal.js';

const prod: ClusterRef = { project: 'shop-prod', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders', type: 'dedicated' };
const staging: ClusterRef = { project: 'shop-staging', groupId: '6e2211c17a3e5a48f5497de3', cluster: 'orders', type: 'dedicated' };
const ledger: ClusterRef = { project: 'shop-prod', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'ledger', type: 'dedicated' };
const SNAPSHOT = 'a1'.padEnd(24, '0');

function state(overrides: Partial<RestoreModalState> = {}): RestoreModalState {
  return {
    meta: { channel: 'C0ABCDEF1' },
    timeZone: 'UTC',
    sources: [prod, staging, ledger],
    targets: [prod, staging, ledger],
    selectedSourceKey: 'shop-staging/orders',
    selectedTargetKey: 'shop-prod/orders',
    snapshots: { status: 'loaded', snapshots: [{ id: SNAPSHOT, createdAt: '2026-03-01T02:00:00Z', status: 'completed' }] },
    sharedClusterNames: sharedClusterNames([prod, staging, ledger]),
    ...overrides,
  };
}

function submitted(view: ModalView, target: string, confirmation: string): ModalSubmissionView {
  return {
    private_metadata: view.private_metadata ?? '',
    state: {
      values: {
        restore_source: { restore_source_select: { selected_option: { value: 'shop-staging/orders' } } },
        [snapshotBlockId('shop-staging/orders')]: { restore_snapshot_select: { selected_option: { value: SNAPSHOT } } },
        [targetBlockId('shop-staging/orders')]: { restore_target_select: { selected_option: { value: target } } },
        restore_reason: { restore_reason_input: { value: 'bad deploy' } },
        [CONFIRMATION_BLOCK_ID]: { restore_confirmation_input: { value: confirmation } },
      },
    },
  };
}

const confirmationBlock = (view: ModalView) => view.blocks.find((b) => 'block_id' in b && b.block_id === CONFIRMATION_BLOCK_ID) as { label: { text: string }; hint: { text: string } };
const facts = { snapshot: { id: SNAPSHOT, status: 'completed', createdAt: '2026-03-01T02:00:00Z' } };

describe('sharedClusterNames', () => {
  it('names the clusters found in more than one project, case-insensitively', () => {
    expect(sharedClusterNames([prod, staging, ledger])).toEqual(['orders']);
    expect(sharedClusterNames([prod, { ...staging, cluster: 'ORDERS' }])).toEqual(['orders']);
    expect(sharedClusterNames([prod, ledger])).toEqual([]);
  });
});

describe('the typed confirmation of a cluster name in two projects', () => {
  const view = buildRestoreModal(state());

  it('the label and hint ask for project/cluster', () => {
    const block = confirmationBlock(view);
    expect(block.label.text).toBe('Type the target project/cluster to confirm');
    expect(block.hint.text).toContain('type the project too, exactly shop-prod/orders');
  });

  it('the bare name does not confirm shop-prod/orders; the full key does', () => {
    const bare = validateModalSubmission(readModalSubmission(submitted(view, 'shop-prod/orders', 'orders')), { ...facts, targetNameShared: true });
    expect(bare).toMatchObject({
      ok: false,
      response: { errors: { [CONFIRMATION_BLOCK_ID]: 'A cluster named orders is in more than one project, so type the project too, exactly: shop-prod/orders' } },
    });
    const full = validateModalSubmission(readModalSubmission(submitted(view, 'shop-prod/orders', 'shop-prod/orders')), { ...facts, targetNameShared: true });
    expect(full.ok).toBe(true);
  });

  it('a name in one project only is still confirmed by the name alone', () => {
    const ledgerView = buildRestoreModal(state({ selectedTargetKey: 'shop-prod/ledger' }));
    const block = confirmationBlock(ledgerView);
    expect(block.label.text).toBe('Type the target cluster name to confirm');
    expect(block.hint.text).toContain('Type its cluster name exactly: ledger');
    expect(validateModalSubmission(readModalSubmission(submitted(ledgerView, 'shop-prod/ledger', 'ledger')), { ...facts, targetNameShared: false }).ok).toBe(true);
  });
});
