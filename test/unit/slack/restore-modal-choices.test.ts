// The restore modal's choices: what to restore, from what, the safety snapshot; built, read back and checked.
import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { ClusterRef } from '../../../src/restore/types.js';
import {
  CONFIRMATION_BLOCK_ID,
  FROM_BLOCK_ID,
  INDEX_STRATEGY_BLOCK_ID,
  NAMESPACES_BLOCK_ID,
  POINT_IN_TIME_BLOCK_ID,
  SAFETY_SNAPSHOT_BLOCK_ID,
  WHAT_BLOCK_ID,
  WRITE_STRATEGY_BLOCK_ID,
} from '../../../src/slack/views/ids.js';
import { DEFAULT_CHOICES, parseNamespacesText, type ModalChoices } from '../../../src/slack/views/modal-choices.js';
import {
  ALL_DATA_REPLACED_AT_TIME_WARNING,
  ALL_DATA_REPLACED_WARNING,
  BESIDE_LIVE_DATA_NOTE,
  NAMESPACES_REPLACED_WARNING,
  buildRestoreModal,
  readModalSubmission,
  snapshotBlockId,
  targetBlockId,
  validateModalSubmission,
  type ModalSubmissionView,
  type RestoreModalState,
  type SourceFacts,
} from '../../../src/slack/views/restore-modal.js';
import { safetySnapshotPlan, safetySnapshotToTake } from '../../../src/slack/views/restore-modal-safety.js';
import { plainModalText } from '../../../src/slack/views/modal-errors.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';

const G = '5e2211c17a3e5a48f5497de3';
const ledger: ClusterRef = { project: 'shop', groupId: G, cluster: 'ledger', type: 'dedicated' };
const orders: ClusterRef = { project: 'shop', groupId: G, cluster: 'orders', type: 'flex' };
const NOW = Date.UTC(2026, 11, 8, 12, 0) / 1000;
const SNAP = 'a1'.padEnd(24, '0');
const PIT: SourceFacts = { status: 'loaded', type: 'dedicated', pitEnabled: true, restoreWindowDays: 7 };

function state(overrides: Partial<RestoreModalState> = {}, choices: Partial<ModalChoices> = {}): RestoreModalState {
  return {
    meta: { channel: 'C0ABCDEF1' },
    timeZone: 'Europe/Paris',
    sources: [ledger, orders],
    targets: [ledger, orders],
    selectedSourceKey: 'shop/ledger',
    selectedSnapshotId: SNAP,
    snapshots: { status: 'loaded', snapshots: [{ id: SNAP, status: 'completed', createdAt: '2026-12-07T02:00:00Z' }] },
    sourceFacts: PIT,
    choices: { ...DEFAULT_CHOICES, ...choices },
    nowSeconds: NOW,
    ...overrides,
  };
}

const ids = (view: ModalView) => view.blocks.map((b) => ('block_id' in b ? b.block_id : undefined)).filter(Boolean);
const text = (view: ModalView) => JSON.stringify(view.blocks);
function block(view: ModalView, id: string): KnownBlock {
  const found = view.blocks.find((b) => 'block_id' in b && b.block_id === id);
  if (!found) throw new Error(`no block ${id} in ${ids(view).join(', ')}`);
  return found as KnownBlock;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const el = (b: KnownBlock): any => (b.type === 'input' ? b.element : undefined);

/** What Slack sends for this view: every input at its initial value unless `fill` says otherwise. */
function submitted(view: ModalView, fill: Record<string, unknown> = {}): ModalSubmissionView {
  const values: ModalSubmissionView['state']['values'] = {};
  for (const b of view.blocks) {
    if (b.type !== 'input' || !b.block_id) continue;
    const e = el(b as KnownBlock);
    const given = fill[b.block_id];
    if (e.type === 'static_select' || e.type === 'radio_buttons') {
      const value = (given as string | undefined) ?? e.initial_option?.value;
      values[b.block_id] = { [e.action_id]: { selected_option: value ? { value } : null } };
    } else if (e.type === 'checkboxes') {
      const on = (given as boolean | undefined) ?? (e.initial_options?.length ?? 0) > 0;
      values[b.block_id] = { [e.action_id]: { selected_options: on ? [{ value: e.options[0].value }] : [] } };
    } else if (e.type === 'datetimepicker') {
      values[b.block_id] = { [e.action_id]: { selected_date_time: (given as number | undefined) ?? e.initial_date_time ?? null } };
    } else {
      values[b.block_id] = { [e.action_id]: { value: (given as string | undefined) ?? e.initial_value ?? null } };
    }
  }
  return { private_metadata: view.private_metadata ?? '', state: { values } };
}

describe('what to restore', () => {
  it('a dedicated source offers the whole cluster or namespaces, as a radio that dispatches; the whole cluster by default', () => {
    const view = buildRestoreModal(state());
    const what = block(view, WHAT_BLOCK_ID);
    expect(what.type === 'input' && what.dispatch_action).toBe(true);
    expect(el(what).type).toBe('radio_buttons');
    expect(el(what).options.map((o: { value: string }) => o.value)).toEqual(['cluster', 'namespaces']);
    expect(el(what).initial_option.value).toBe('cluster');
    expect(ids(view)).not.toContain(NAMESPACES_BLOCK_ID);
    expect(text(view)).toContain(JSON.stringify(ALL_DATA_REPLACED_WARNING).slice(1, -1));
    expect(slackRefusal('modal', view)).toBeUndefined();
  });

  it('namespaces: the box (pre-filled), CREATE_NEW and all indexes by default, no typed confirmation, the live data left as it is', () => {
    const view = buildRestoreModal(state({}, { what: 'namespaces', namespacesText: 'sales.orders\nsales.customers' }));
    expect(el(block(view, NAMESPACES_BLOCK_ID))).toMatchObject({ type: 'plain_text_input', multiline: true, initial_value: 'sales.orders\nsales.customers', max_length: 3000 });
    const write = block(view, WRITE_STRATEGY_BLOCK_ID);
    expect(write.type === 'input' && write.dispatch_action).toBe(true);
    expect(el(write).initial_option.value).toBe('CREATE_NEW');
    expect(el(write).options[0].description.text).toMatch(/renames/);
    expect(el(block(view, INDEX_STRATEGY_BLOCK_ID)).initial_option.value).toBe('ALL');
    expect(ids(view)).not.toContain(CONFIRMATION_BLOCK_ID);
    expect(text(view)).toContain(JSON.stringify(BESIDE_LIVE_DATA_NOTE).slice(1, -1));
    expect(text(view)).not.toContain('ALL data');
    expect(slackRefusal('modal', view)).toBeUndefined();
  });

  it('OVERWRITE_EXISTING brings back the warning and the typed confirmation', () => {
    const view = buildRestoreModal(state({}, { what: 'namespaces', writeStrategy: 'OVERWRITE_EXISTING' }));
    expect(ids(view)).toContain(CONFIRMATION_BLOCK_ID);
    expect(text(view)).toContain(JSON.stringify(NAMESPACES_REPLACED_WARNING).slice(1, -1));
    expect(JSON.stringify(block(view, targetBlockId('shop/ledger')))).toContain('the listed namespaces will be replaced');
  });

  it('a Flex source restores the whole cluster, and the modal says why', () => {
    const view = buildRestoreModal(state({ selectedSourceKey: 'shop/orders', sourceFacts: { status: 'loaded', type: 'flex', pitEnabled: false } }, { what: 'namespaces', from: 'pointInTime' }));
    expect(ids(view)).not.toContain(WHAT_BLOCK_ID);
    expect(ids(view)).not.toContain(FROM_BLOCK_ID);
    expect(text(view)).toContain('`shop/orders` is a Flex cluster: Atlas restores single databases or collections of dedicated clusters only.');
    expect(text(view)).toContain('only dedicated clusters with continuous cloud backup can restore to a point in time');
    expect(ids(view)).toContain(snapshotBlockId('shop/orders'));
    expect(ids(view)).toContain(CONFIRMATION_BLOCK_ID); // the whole cluster is replaced
  });

  it('while the facts load, or when they could not be read, one line says so and only the basic restore shows', () => {
    const loading = buildRestoreModal(state({ sourceFacts: { status: 'loading' } }, { what: 'namespaces' }));
    expect(text(loading)).toContain('Loading what `shop/ledger` supports');
    expect(ids(loading)).not.toContain(WHAT_BLOCK_ID);
    const failed = buildRestoreModal(state({ sourceFacts: { status: 'error', message: 'Atlas said <no>' } }));
    expect(text(failed)).toContain("couldn't be checked (Atlas said &lt;no&gt;)");
    expect(text(failed)).toContain('only a whole-cluster restore from a snapshot is offered');
  });
});

describe('from', () => {
  it('a source with continuous backup offers a point in time: an empty datetimepicker (never now by default), the window in the viewer zone', () => {
    const view = buildRestoreModal(state({}, { from: 'pointInTime' }));
    const from = block(view, FROM_BLOCK_ID);
    expect(from.type === 'input' && from.dispatch_action).toBe(true);
    expect(el(from).initial_option.value).toBe('pointInTime');
    expect(el(block(view, POINT_IN_TIME_BLOCK_ID))).toMatchObject({ type: 'datetimepicker' });
    expect(el(block(view, POINT_IN_TIME_BLOCK_ID))).not.toHaveProperty('initial_date_time');
    expect(block(view, POINT_IN_TIME_BLOCK_ID)).not.toHaveProperty('optional');
    expect(ids(view)).not.toContain(snapshotBlockId('shop/ledger'));
    expect(text(view)).toContain('Restorable window: from 2026-12-01 13:01 GMT+1 to now (7 days of continuous cloud backup)');
    expect(text(view)).toContain(JSON.stringify(ALL_DATA_REPLACED_AT_TIME_WARNING).slice(1, -1));
    expect(slackRefusal('modal', view)).toBeUndefined();
  });

  it('keeps a chosen time; a time Slack could not show (not 10 digits) starts empty', () => {
    expect(el(block(buildRestoreModal(state({}, { from: 'pointInTime', pointInTime: NOW - 3600 })), POINT_IN_TIME_BLOCK_ID)).initial_date_time).toBe(NOW - 3600);
    expect(el(block(buildRestoreModal(state({}, { from: 'pointInTime', pointInTime: 5 })), POINT_IN_TIME_BLOCK_ID))).not.toHaveProperty('initial_date_time');
  });

  it('continuous backup off: from a snapshot only, and why', () => {
    const view = buildRestoreModal(state({ sourceFacts: { status: 'loaded', type: 'dedicated', pitEnabled: false } }, { from: 'pointInTime' }));
    expect(ids(view)).not.toContain(FROM_BLOCK_ID);
    expect(text(view)).toContain('Continuous cloud backup is off for `shop/ledger`');
    expect(ids(view)).toContain(WHAT_BLOCK_ID); // namespaces are still possible
  });
});

describe('safety snapshot', () => {
  const rules = (mode: 'required' | 'offered' | 'off') => ({ mode, retentionInDays: 3 });
  const safety = (mode: 'required' | 'offered' | 'off', targetType: 'dedicated' | 'flex' | undefined = 'dedicated') => ({ rules: rules(mode), targetKey: 'shop/ledger', targetType });

  it('required: a line; offered: a checkbox, ticked by default, optional; off: nothing', () => {
    expect(text(buildRestoreModal(state({ safety: safety('required') })))).toContain('A safety snapshot of the target is taken before the restore (kept 3 days)');
    const offered = buildRestoreModal(state({ safety: safety('offered') }));
    const box = block(offered, SAFETY_SNAPSHOT_BLOCK_ID);
    expect(box.type === 'input' && box.optional).toBe(true);
    expect(el(box).type).toBe('checkboxes');
    expect(el(box).initial_options).toHaveLength(1);
    expect(slackRefusal('modal', offered)).toBeUndefined();
    const off = buildRestoreModal(state({ safety: safety('off') }));
    expect(text(off)).not.toMatch(/safety snapshot/i);
  });

  it('a Flex target: offered says it is not available; required says no restore into it can be requested', () => {
    expect(text(buildRestoreModal(state({ safety: safety('offered', 'flex') })))).toContain('No safety snapshot is available: `shop/ledger` is a Flex cluster');
    expect(text(buildRestoreModal(state({ safety: safety('required', 'flex') })))).toContain('no restore into it can be requested');
  });

  it('cloud backup off: required says both fixes, offered says none is taken; plain, the error stays within 300', () => {
    const off = (mode: 'required' | 'offered', targetKey = 'shop/vault') => safetySnapshotPlan({ ...safety(mode), targetKey, backupEnabled: false }, true, true);
    expect(off('required')).toEqual({
      kind: 'impossible',
      why: 'A safety snapshot of the target is required, but cloud backup is off for `shop/vault` in Atlas, so none can be taken and no restore into it can be requested. Turn on cloud backup in Atlas, or have its safetySnapshot.mode set to offered or off in the policy.',
    });
    expect(off('offered')).toEqual({ kind: 'unavailable', why: 'No safety snapshot: cloud backup is off for `shop/vault` in Atlas.' });
    expect(text(buildRestoreModal(state({ safety: { ...safety('required'), backupEnabled: false } })))).toContain(':no_entry: A safety snapshot of the target is required, but cloud backup is off for `shop/ledger` in Atlas');
    // The longest names there are (64 characters each): the error leaves the name to the target field it is shown under.
    const long = off('required', `${'p'.repeat(64)}/${'c'.repeat(64)}`);
    expect(long.kind === 'impossible' && plainModalText(long.why)).toBe(
      'A safety snapshot of the target is required, but its cloud backup is off in Atlas, so none can be taken and no restore into it can be requested. Turn on cloud backup in Atlas, or have its safetySnapshot.mode set to offered or off in the policy.',
    );
  });

  it('a restore beside the live data replaces nothing: no safety snapshot, and the modal says why', () => {
    const view = buildRestoreModal(state({ safety: safety('required') }, { what: 'namespaces' }));
    expect(text(view)).toContain('No safety snapshot: this restore writes beside the live data and replaces nothing on the target.');
    expect(safetySnapshotToTake(safetySnapshotPlan(safety('required'), false, true))).toBeUndefined();
  });

  it('the plan says what will be taken', () => {
    expect(safetySnapshotToTake(safetySnapshotPlan(safety('required'), true, false))).toEqual({ retentionInDays: 3 });
    expect(safetySnapshotToTake(safetySnapshotPlan(safety('offered'), true, true))).toEqual({ retentionInDays: 3 });
    expect(safetySnapshotToTake(safetySnapshotPlan(safety('offered'), true, false))).toBeUndefined();
    expect(safetySnapshotPlan(safety('required', 'flex'), true, true).kind).toBe('impossible');
    // Type unknown (detection didn't answer): planned; the restore's job checks the type before taking it.
    expect(safetySnapshotToTake(safetySnapshotPlan(safety('required', undefined), true, true))).toEqual({ retentionInDays: 3 });
  });
});

describe('reading and checking the choices', () => {
  it('a collection restore reads back with its namespaces and strategies; the box forgives blank lines and trailing commas', () => {
    const view = buildRestoreModal(state({ safety: { rules: { mode: 'offered', retentionInDays: 2 }, targetKey: 'shop/ledger', targetType: 'dedicated' } }, { what: 'namespaces' }));
    const sub = readModalSubmission(submitted(view, { [NAMESPACES_BLOCK_ID]: 'sales.orders,\n\n sales.customers , sales.items\n', [INDEX_STRATEGY_BLOCK_ID]: 'ALL_EXCEPT_TTL', restore_reason: 'x' }));
    expect(sub.choices).toMatchObject({ what: 'namespaces', writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL_EXCEPT_TTL', from: 'snapshot', keepSafetySnapshot: true });
    const result = validateModalSubmission(sub, {});
    expect(result).toEqual({
      ok: true,
      value: { sourceKey: 'shop/ledger', targetKey: 'shop/ledger', reason: 'x', snapshotId: SNAP, namespaces: ['sales.orders', 'sales.customers', 'sales.items'], writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL_EXCEPT_TTL' },
    });
  });

  it('bad namespaces come back inline on the box, every problem at once', () => {
    const view = buildRestoreModal(state({}, { what: 'namespaces' }));
    const sub = readModalSubmission(submitted(view, { [NAMESPACES_BLOCK_ID]: 'sales.$x\nsales.system.users\nsales', restore_reason: 'x' }));
    const result = validateModalSubmission(sub, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = result.response.errors[NAMESPACES_BLOCK_ID]!;
    expect(error).toContain('a collection name must not contain "$"');
    expect(error).toContain("system collections (system.*) can't be restored");
    expect(result.response.errors[CONFIRMATION_BLOCK_ID]).toBeUndefined(); // CREATE_NEW needs none
    expect(validateModalSubmission(readModalSubmission(submitted(view, { [NAMESPACES_BLOCK_ID]: '  \n', restore_reason: 'x' })), {})).toMatchObject({
      ok: false,
      response: { errors: { [NAMESPACES_BLOCK_ID]: expect.stringContaining('List the databases or collections') } },
    });
  });

  it('OVERWRITE_EXISTING without the typed name is refused inline', () => {
    const view = buildRestoreModal(state({}, { what: 'namespaces', writeStrategy: 'OVERWRITE_EXISTING' }));
    const sub = readModalSubmission(submitted(view, { [NAMESPACES_BLOCK_ID]: 'sales.orders', restore_reason: 'x' }));
    expect(sub.choices.writeStrategy).toBe('OVERWRITE_EXISTING');
    expect(validateModalSubmission(sub, {})).toMatchObject({ ok: false, response: { errors: { [CONFIRMATION_BLOCK_ID]: 'Type the target cluster name exactly: ledger' } } });
    const typed = readModalSubmission(submitted(view, { [NAMESPACES_BLOCK_ID]: 'sales.orders', restore_reason: 'x', [CONFIRMATION_BLOCK_ID]: 'ledger' }));
    expect(validateModalSubmission(typed, {})).toMatchObject({ ok: true, value: { writeStrategy: 'OVERWRITE_EXISTING' } });
  });

  it('a point in time reads back as seconds; its problems and the facts land on their own fields', () => {
    const view = buildRestoreModal(state({}, { from: 'pointInTime' }));
    const sub = readModalSubmission(submitted(view, { [POINT_IN_TIME_BLOCK_ID]: NOW - 600, restore_reason: 'x', [CONFIRMATION_BLOCK_ID]: 'ledger' }));
    expect(sub.choices).toMatchObject({ from: 'pointInTime', pointInTime: NOW - 600 });
    expect(validateModalSubmission(sub, {})).toEqual({ ok: true, value: { sourceKey: 'shop/ledger', targetKey: 'shop/ledger', reason: 'x', pointInTime: NOW - 600 } });
    expect(validateModalSubmission(sub, { pointInTimeError: 'outside the window' })).toMatchObject({ ok: false, response: { errors: { [POINT_IN_TIME_BLOCK_ID]: 'outside the window' } } });
    expect(validateModalSubmission(sub, { fromError: 'continuous backup off' })).toMatchObject({ ok: false, response: { errors: { [FROM_BLOCK_ID]: 'continuous backup off' } } });
  });

  it('a time or namespaces kept from a hidden block never make a snapshot restore of the whole cluster anything else', () => {
    const view = buildRestoreModal(state({}, { from: 'snapshot', what: 'cluster', pointInTime: NOW - 600, namespacesText: 'sales.orders' }));
    expect(ids(view)).not.toContain(POINT_IN_TIME_BLOCK_ID);
    expect(ids(view)).not.toContain(NAMESPACES_BLOCK_ID);
    const sub = readModalSubmission(submitted(view, { restore_reason: 'x', [CONFIRMATION_BLOCK_ID]: 'ledger' }));
    expect(sub.choices).toMatchObject({ from: 'snapshot', what: 'cluster', pointInTime: NOW - 600, namespacesText: 'sales.orders' });
    expect(validateModalSubmission(sub, { snapshot: { id: SNAP, status: 'completed', createdAt: '2026-12-07T02:00:00Z' } })).toEqual({
      ok: true,
      value: { sourceKey: 'shop/ledger', targetKey: 'shop/ledger', snapshotId: SNAP, reason: 'x' },
    });
  });

  it('an unticked safety snapshot reads as unticked', () => {
    const view = buildRestoreModal(state({ safety: { rules: { mode: 'offered', retentionInDays: 2 }, targetKey: 'shop/ledger', targetType: 'dedicated' } }));
    expect(readModalSubmission(submitted(view, { [SAFETY_SNAPSHOT_BLOCK_ID]: false })).choices.keepSafetySnapshot).toBe(false);
    expect(readModalSubmission(submitted(view)).choices.keepSafetySnapshot).toBe(true);
  });

  it('parseNamespacesText: one per line or comma-separated, with the grammar of the command', () => {
    expect(parseNamespacesText('a.b\nc.d, e.f')).toMatchObject({ ok: true, namespaces: [{ text: 'a.b' }, { text: 'c.d' }, { text: 'e.f' }] });
    expect(parseNamespacesText(Array.from({ length: 101 }, (_, i) => `db.c${i}`).join('\n'))).toMatchObject({ ok: false, problems: [expect.stringContaining('at most 100')] });
  });
});
