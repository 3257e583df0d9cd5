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

describe('a choice that replaces data, sent before the form shows its confirmation box', () => {
  // A collection-level restore beside the live data has no box; choosing "Replace them" adds it only once the form
  // is redrawn. Submitted before that, the error must name a block the form has: Slack refuses any other.
  const namespacesView = buildRestoreModal(
    state({
      selectedSourceKey: 'shop-prod/ledger',
      selectedTargetKey: 'shop-prod/ledger',
      sourceFacts: { status: 'loaded', type: 'dedicated', pitEnabled: false },
      choices: { what: 'namespaces', namespacesText: 'sales.orders', writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL', from: 'snapshot', keepSafetySnapshot: true },
    }),
  );
  const blockIdsOf = (view: ModalView) => view.blocks.flatMap((b) => ('block_id' in b && b.block_id ? [b.block_id] : []));
  const sentEarly: ModalSubmissionView = {
    private_metadata: namespacesView.private_metadata ?? '',
    state: {
      values: {
        restore_source: { restore_source_select: { selected_option: { value: 'shop-prod/ledger' } } },
        [snapshotBlockId('shop-prod/ledger')]: { restore_snapshot_select: { selected_option: { value: SNAPSHOT } } },
        [targetBlockId('shop-prod/ledger')]: { restore_target_select: { selected_option: { value: 'shop-prod/ledger' } } },
        restore_what: { restore_what_select: { selected_option: { value: 'namespaces' } } },
        restore_namespaces: { restore_namespaces_input: { value: 'sales.orders' } },
        restore_write_strategy: { restore_write_strategy_select: { selected_option: { value: 'OVERWRITE_EXISTING' } } },
        restore_index_strategy: { restore_index_strategy_select: { selected_option: { value: 'ALL' } } },
        restore_reason: { restore_reason_input: { value: 'bad deploy' } },
      },
    },
  };

  it('is refused on the choice itself, a block the form has, and asks for the name', () => {
    expect(blockIdsOf(namespacesView)).not.toContain(CONFIRMATION_BLOCK_ID);
    const result = validateModalSubmission(readModalSubmission(sentEarly), facts);
    expect(result.ok).toBe(false);
    const errors = result.ok ? {} : result.response.errors;
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const field of Object.keys(errors)) expect(blockIdsOf(namespacesView)).toContain(field);
    expect(errors.restore_write_strategy).toMatch(/replaces data on the target: type the target cluster name/);
  });
});
