import { randomBytes } from 'node:crypto';
import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { slackRefusal } from '../../fakes/block-kit-limits.js';
import { DEFAULT_CHOICES } from '../../../src/slack/views/modal-choices.js';
import type { Snapshot } from '../../../src/atlas/types.js';
import type { ClusterRef } from '../../../src/restore/types.js';
import {
  ACTION_IDS,
  CONFIRMATION_BLOCK_ID,
  REASON_BLOCK_ID,
  RESTORE_MODAL_CALLBACK_ID,
  SOURCE_BLOCK_ID,
} from '../../../src/slack/views/ids.js';
import {
  ALL_DATA_REPLACED_WARNING,
  buildLoadingModal,
  buildModalMeta,
  buildRestoreModal,
  parseModalMeta,
  readModalSubmission,
  snapshotBlockId,
  targetBlockId,
  validateModalSubmission,
  type ModalSubmissionView,
  type RestoreModalState,
} from '../../../src/slack/views/restore-modal.js';

const G = '5e2211c17a3e5a48f5497de3';
const orders: ClusterRef = { project: 'shop', groupId: G, cluster: 'orders', type: 'flex' };
const staging: ClusterRef = { project: 'shop', groupId: G, cluster: 'orders-staging', type: 'dedicated' };

function snap(id: string, createdAt: string, status = 'completed', snapshotType?: string): Snapshot {
  return { id: id.padEnd(24, '0'), createdAt, status, snapshotType, raw: {} };
}

const snapshots = [
  snap('a1', '2026-03-01T02:00:00Z', 'completed', 'scheduled'),
  snap('a3', '2026-03-03T02:00:00Z', 'inProgress'),
  snap('a2', '2026-03-02T23:30:00Z', 'completed', 'onDemand'),
];

function state(overrides: Partial<RestoreModalState> = {}): RestoreModalState {
  return {
    meta: { channel: 'C0ABCDEF1' },
    timeZone: 'Europe/Berlin',
    sources: [orders, staging],
    targets: [orders, staging],
    selectedSourceKey: 'shop/orders',
    snapshots: { status: 'loaded', snapshots },
    ...overrides,
  };
}

function block(view: ModalView, blockId: string): KnownBlock {
  const found = view.blocks.find((b) => 'block_id' in b && b.block_id === blockId);
  if (!found) throw new Error(`no block ${blockId}`);
  return found as KnownBlock;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const el = (b: KnownBlock): any => (b.type === 'input' ? b.element : undefined);

/** What Slack would send for this view after the user filled it in. */
function submitted(view: ModalView, fill: { source?: string; snapshot?: string; target?: string; reason?: string; confirmation?: string }): ModalSubmissionView {
  const values: ModalSubmissionView['state']['values'] = {};
  for (const b of view.blocks) {
    if (b.type !== 'input' || !b.block_id) continue;
    const e = el(b as KnownBlock);
    const pick = b.block_id === SOURCE_BLOCK_ID ? fill.source : b.block_id.startsWith('restore_snapshot') ? fill.snapshot : fill.target;
    if (e.type === 'static_select') {
      const chosen = pick ?? e.initial_option?.value;
      values[b.block_id] = { [e.action_id]: { selected_option: chosen ? { value: chosen } : null } };
    } else {
      const text = b.block_id === REASON_BLOCK_ID ? fill.reason : fill.confirmation;
      values[b.block_id] = { [e.action_id]: { value: text ?? null } };
    }
  }
  return { private_metadata: view.private_metadata ?? '', state: { values } };
}

describe('buildLoadingModal', () => {
  it('opens with the callback id, a loading text and no submit button', () => {
    const view = buildLoadingModal({ channel: 'C0ABCDEF1' });
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe(RESTORE_MODAL_CALLBACK_ID);
    expect(view.submit).toBeUndefined();
    expect(JSON.stringify(view.blocks)).toMatch(/Loading/);
    expect(parseModalMeta(view.private_metadata ?? '')).toEqual({ channel: 'C0ABCDEF1' });
  });
});

/** 90 names of random letters: about 2,900 characters that deflate to nothing shorter. */
const randomNamespaces = () => Array.from({ length: 90 }, () => `d${randomBytes(18).toString('base64url')}.c${randomBytes(3).toString('base64url')}`).join('\n');

describe('modal metadata', () => {
  it('round-trips and rejects foreign metadata', () => {
    expect(parseModalMeta(buildModalMeta({ channel: 'C1', timeZone: 'Asia/Tokyo' }))).toEqual({ channel: 'C1', timeZone: 'Asia/Tokyo' });
    expect(() => parseModalMeta('not json')).toThrow(expect.objectContaining({ code: 'SLACK_MODAL_METADATA_INVALID' }));
    expect(() => parseModalMeta('{"channel_id":"C1"}')).toThrow(/no valid channel/);
  });

  it('keeps the inputs of hidden blocks within Slack\'s 3000 characters: a full box deflated, and one that even so is too long is the one thing dropped', () => {
    const kept = { namespacesText: 'sales.orders\nsales.customers', pointInTime: 1_780_000_000 };
    expect(buildModalMeta({ channel: 'C1', kept })).toContain('"namespacesText"');
    expect(parseModalMeta(buildModalMeta({ channel: 'C1', kept }))).toEqual({ channel: 'C1', kept });
    const full = { namespacesText: Array.from({ length: 99 }, (_, i) => `sales.orders_of_the_year_${1950 + i}`).join('\n'), pointInTime: 1_780_000_000 };
    expect(full.namespacesText.length).toBeGreaterThan(2900);
    const packed = buildModalMeta({ channel: 'C1', timeZone: 'Asia/Tokyo', kept: full });
    expect(packed.length).toBeLessThanOrEqual(3000);
    expect(parseModalMeta(packed)).toEqual({ channel: 'C1', timeZone: 'Asia/Tokyo', kept: full });
    // Names with nothing in common (random ones) do not deflate enough.
    const random = { namespacesText: randomNamespaces(), pointInTime: 1_780_000_000 };
    const dropped = buildModalMeta({ channel: 'C1', timeZone: 'Asia/Tokyo', kept: random });
    expect(dropped.length).toBeLessThanOrEqual(3000);
    expect(parseModalMeta(dropped)).toEqual({ channel: 'C1', timeZone: 'Asia/Tokyo', kept: { pointInTime: 1_780_000_000 } });
    expect(buildModalMeta({ channel: 'C1', kept: { namespacesText: '' } })).toBe('{"channel":"C1"}');
    expect(() => parseModalMeta(JSON.stringify({ channel: 'C1', kept: { namespacesPacked: 'not deflate' } }))).toThrow(/cannot be read/);
  });

  it('keeps only what the box holds of a command\'s list, however long and however well it deflates', () => {
    // 100 databases and 100 collections of long, alike names: 13,000 characters that deflate to little.
    const names = [...Array.from({ length: 100 }, (_, i) => `database_number_${String(i).padStart(3, '0')}_of_the_shop`), ...Array.from({ length: 100 }, (_, i) => `orders.collection_number_${String(i).padStart(3, '0')}_of_orders`)];
    const view = buildRestoreModal(state({ choices: { ...DEFAULT_CHOICES, what: 'namespaces', namespacesText: names.join('\n') } }));
    const kept = parseModalMeta(view.private_metadata ?? '').kept;
    expect(kept?.namespacesText?.length).toBeLessThanOrEqual(3000);
    expect(names.join('\n').startsWith(kept?.namespacesText ?? '-')).toBe(true);
    expect(kept?.leftOut?.count).toBe(names.length - (kept?.namespacesText ?? '').split('\n').length);
  });

  it('keeps the names left out of the box beside a full box, and refuses more than it names', () => {
    const leftOut = { first: ['a'.repeat(256), 'b.c', 'd'], count: 40 };
    const namespacesText = randomNamespaces();
    const text = buildModalMeta({ channel: 'C1', timeZone: 'Asia/Tokyo', kept: { namespacesText, leftOut } });
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(parseModalMeta(text).kept).toEqual({ leftOut });
    expect(() => parseModalMeta(JSON.stringify({ channel: 'C1', kept: { leftOut: { first: ['a', 'b', 'c', 'd'], count: 4 } } }))).toThrow(/no valid channel/);
  });
});

describe('buildRestoreModal', () => {
  const view = buildRestoreModal(state());

  it('warns that ALL data on the target will be replaced, and asks for the target name', () => {
    expect(JSON.stringify(view.blocks)).toContain(JSON.stringify(ALL_DATA_REPLACED_WARNING).slice(1, -1));
    const confirmation = block(view, CONFIRMATION_BLOCK_ID);
    expect(confirmation.type === 'input' && confirmation.label.text).toBe('Type the target cluster name to confirm');
    expect(view.submit?.text).toBe('Request restore');
  });

  it('source select dispatches an action and keeps the selection', () => {
    const source = block(view, SOURCE_BLOCK_ID);
    expect(source.type === 'input' && source.dispatch_action).toBe(true);
    expect(el(source).action_id).toBe(ACTION_IDS.sourceSelect);
    expect(el(source).initial_option.value).toBe('shop/orders');
    expect(el(source).options.map((o: { value: string }) => o.value)).toEqual(['shop/orders', 'shop/orders-staging']);
  });

  it('lists the completed snapshots newest first with the time in the viewer zone, and counts the one in progress', () => {
    const options = el(block(view, snapshotBlockId('shop/orders'))).options;
    expect(options.map((o: { value: string }) => o.value)).toEqual([snapshots[2]?.id, snapshots[0]?.id]);
    expect(options[0].text.text).toBe('2026-03-03 00:30 GMT+1 · onDemand'); // 23:30Z is past midnight in Berlin
    expect(options[0].description.text).toBe(`completed · ${snapshots[2]?.id}`);
    for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
    expect(JSON.stringify(view.blocks)).toContain('1 snapshot in progress, not restorable yet.');
  });

  it('a dedicated snapshot being taken has no time: it is counted, never offered', () => {
    const running: Snapshot = { id: 'c1'.padEnd(24, '0'), status: 'queued', raw: {} };
    const failed = snap('c2', '2026-03-02T00:00:00Z', 'failed');
    const v = buildRestoreModal(state({ snapshots: { status: 'loaded', snapshots: [running, { ...running, id: 'c3'.padEnd(24, '0'), status: 'inProgress' }, failed, snapshots[0]!] } }));
    expect(el(block(v, snapshotBlockId('shop/orders'))).options.map((o: { value: string }) => o.value)).toEqual([snapshots[0]?.id]);
    expect(JSON.stringify(v.blocks)).toContain('2 snapshots in progress, not restorable yet. 1 failed snapshot is not listed.');

    const onlyRunning = buildRestoreModal(state({ snapshots: { status: 'loaded', snapshots: [running] }, selectedSnapshotId: running.id }));
    expect(onlyRunning.blocks.some((b) => 'block_id' in b && b.block_id?.startsWith('restore_snapshot:'))).toBe(false);
    const text = JSON.stringify(onlyRunning.blocks);
    expect(text).toContain('`shop/orders` has no completed snapshot to restore from yet. 1 snapshot in progress, not restorable yet.');
    expect(text).toContain(`Snapshot \`${running.id}\` is queued: only completed snapshots can be restored.`);
  });

  it('caps the snapshot list at 100 and says so', () => {
    const many = Array.from({ length: 130 }, (_, i) => snap(`b${i}`, new Date(Date.UTC(2026, 0, 1) + i * 3600_000).toISOString()));
    const big = buildRestoreModal(state({ snapshots: { status: 'loaded', snapshots: many } }));
    expect(el(block(big, snapshotBlockId('shop/orders'))).options).toHaveLength(100);
    expect(JSON.stringify(big.blocks)).toContain('Showing the 100 newest of 130 snapshots');
  });

  it('target defaults to the source; an explicit target wins', () => {
    expect(el(block(view, targetBlockId('shop/orders'))).initial_option.value).toBe('shop/orders');
    const other = buildRestoreModal(state({ selectedTargetKey: 'shop/orders-staging', selectedSnapshotId: snapshots[2]?.id, reason: 'oops' }));
    expect(el(block(other, targetBlockId('shop/orders'))).initial_option.value).toBe('shop/orders-staging');
    expect(el(block(other, snapshotBlockId('shop/orders'))).initial_option.value).toBe(snapshots[2]?.id);
    expect(el(block(other, REASON_BLOCK_ID)).initial_value).toBe('oops');
  });

  it('shows loading and error texts instead of the snapshot select', () => {
    const loading = buildRestoreModal(state({ snapshots: { status: 'loading' } }));
    expect(loading.blocks.some((b) => 'block_id' in b && b.block_id?.startsWith('restore_snapshot:'))).toBe(false);
    expect(JSON.stringify(loading.blocks)).toContain('Loading snapshots of `shop/orders`');
    const failed = buildRestoreModal(state({ snapshots: { status: 'error', message: 'Atlas said <no>' } }));
    expect(JSON.stringify(failed.blocks)).toContain("couldn't be loaded: Atlas said &lt;no&gt;");
  });

  it('says when a pre-selected snapshot is not listed', () => {
    const v = buildRestoreModal(state({ selectedSnapshotId: 'f'.repeat(24) }));
    expect(JSON.stringify(v.blocks)).toContain(`Snapshot \`${'f'.repeat(24)}\` isn't among`);
  });

  it('has no submit when the requester may use no cluster', () => {
    const v = buildRestoreModal(state({ sources: [], targets: [] }));
    expect(v.submit).toBeUndefined();
  });

  it('keeps the timezone in the metadata for rebuilds', () => {
    expect(parseModalMeta(view.private_metadata ?? '')).toEqual({ channel: 'C0ABCDEF1', timeZone: 'Europe/Berlin' });
  });

  it('falls back to UTC for an unknown timezone', () => {
    const v = buildRestoreModal(state({ timeZone: 'Mars/Olympus' }));
    expect(el(block(v, snapshotBlockId('shop/orders'))).options[0].text.text).toBe('2026-03-02 23:30 UTC · onDemand');
  });
});

describe('readModalSubmission + validateModalSubmission', () => {
  const view = buildRestoreModal(state());
  const good = { snapshot: snapshots[2]?.id, target: 'shop/orders-staging', reason: ' bad migration ', confirmation: ' orders-staging ' };

  it('reads every field and accepts a correct submission', () => {
    const sub = readModalSubmission(submitted(view, good));
    expect(sub).toMatchObject({
      sourceKey: 'shop/orders',
      snapshotId: snapshots[2]?.id,
      targetKey: 'shop/orders-staging',
      reason: 'bad migration',
      confirmation: 'orders-staging',
      meta: { channel: 'C0ABCDEF1' },
    });
    const result = validateModalSubmission(sub, { snapshot: { id: snapshots[2]?.id ?? '', status: 'completed', createdAt: snapshots[2]?.createdAt } });
    expect(result).toEqual({ ok: true, value: { sourceKey: 'shop/orders', snapshotId: snapshots[2]?.id, targetKey: 'shop/orders-staging', reason: 'bad migration' } });
  });

  it('refuses a snapshot without a time inline, even a completed one', () => {
    const sub = readModalSubmission(submitted(view, good));
    const result = validateModalSubmission(sub, { snapshot: { id: snapshots[2]?.id ?? '', status: 'completed', createdAt: undefined } });
    expect(result).toMatchObject({ ok: false, response: { errors: { [snapshotBlockId('shop/orders')]: expect.stringContaining('no time') } } });
  });

  it('flags wrong confirmation, missing reason and a non-completed snapshot, keyed by block id', () => {
    const sub = readModalSubmission(submitted(view, { ...good, snapshot: snapshots[1]?.id, reason: '   ', confirmation: 'orders' }));
    const result = validateModalSubmission(sub, { snapshot: { id: snapshots[1]?.id ?? '', status: 'inProgress' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.response.response_action).toBe('errors');
    expect(result.response.errors).toEqual({
      [CONFIRMATION_BLOCK_ID]: 'Type the target cluster name exactly: orders-staging',
      [REASON_BLOCK_ID]: expect.stringContaining('why'),
      [snapshotBlockId('shop/orders')]: 'This snapshot is inProgress; only completed snapshots can be restored.',
    });
  });

  it('passes policy refusals through to the right fields', () => {
    const sub = readModalSubmission(submitted(view, good));
    const result = validateModalSubmission(sub, { sourceError: 'not allowed from here', targetError: 'a restore is running there', snapshot: null });
    expect(result).toMatchObject({
      ok: false,
      response: {
        errors: {
          [SOURCE_BLOCK_ID]: 'not allowed from here',
          [targetBlockId('shop/orders')]: 'a restore is running there',
          [snapshotBlockId('shop/orders')]: expect.stringContaining('no longer exists'),
        },
      },
    });
  });

  it('puts the snapshot error on the source when no snapshot could be listed', () => {
    const loading = buildRestoreModal(state({ snapshots: { status: 'error', message: 'down' } }));
    const sub = readModalSubmission(submitted(loading, { ...good, target: 'shop/orders-staging' }));
    expect(sub.snapshotId).toBeUndefined();
    const result = validateModalSubmission(sub);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.response.errors)).toEqual([SOURCE_BLOCK_ID]);
      // every error must point at an input block present in the view
      for (const id of Object.keys(result.response.errors)) expect(() => block(loading, id)).not.toThrow();
    }
  });

  it('reads a view with nothing chosen without throwing', () => {
    const empty = buildRestoreModal(state({ selectedSourceKey: undefined }));
    const sub = readModalSubmission(submitted(empty, {}));
    expect(sub.sourceKey).toBeUndefined();
    const result = validateModalSubmission(sub);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.response.errors[SOURCE_BLOCK_ID]).toBe('Choose the cluster to restore from.');
      for (const id of Object.keys(result.response.errors)) expect(() => block(empty, id)).not.toThrow();
    }
  });
});

describe('Slack limits', () => {
  it('a very long notice (many clusters named) is clipped, so views.update never fails on it', () => {
    const many: ClusterRef[] = Array.from({ length: 100 }, (_, i) => ({ project: 'shop', groupId: G, cluster: `cluster-${'x'.repeat(50)}-${i}` }));
    const notice = many.map((c) => `You may not use \`shop/${c.cluster}\` as a source, so it was not pre-selected.`).join(' ');
    const view = buildRestoreModal(state({ notice, sources: many, targets: many }));
    expect(slackRefusal('modal', view)).toBeUndefined();
    const noticeBlock = (view.blocks as { block_id?: string; text?: { text: string } }[]).find((b) => b.block_id === 'restore_notice');
    expect(noticeBlock?.text?.text.length).toBeLessThanOrEqual(3000);
    expect(noticeBlock?.text?.text.endsWith('…')).toBe(true);
  });

  it('more than 100 clusters: every one can be chosen (grouped by project), also as the selected source and target', () => {
    const many: ClusterRef[] = Array.from({ length: 150 }, (_, i) => ({ project: i < 120 ? 'shop' : 'billing', groupId: G, cluster: `c${i}`, type: 'dedicated' }));
    const view = buildRestoreModal(state({ sources: many, targets: many, selectedSourceKey: 'shop/c110', selectedTargetKey: 'billing/c149' }));
    expect(slackRefusal('modal', view)).toBeUndefined();
    const select = (id: string) => (view.blocks as { block_id?: string; element?: { option_groups?: { options: { value: string }[] }[]; initial_option?: { value: string } } }[]).find((b) => b.block_id?.startsWith(id))?.element;
    expect(select('restore_source')?.option_groups?.flatMap((g) => g.options).map((o) => o.value)).toHaveLength(150);
    expect(select('restore_source')?.initial_option?.value).toBe('shop/c110');
    expect(select('restore_target:')?.initial_option?.value).toBe('billing/c149');
  });
});
