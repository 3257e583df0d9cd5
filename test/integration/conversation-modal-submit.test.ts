// The restore form's submission and its source change, through the real Bolt receiver: the typed confirmation of a
// cluster name found in two projects, a request that could not be stored (a real Redis error), what the inline
// error says about the lock holder (plain text), and the target kept across a change of source.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load-policy.js';
import type { StoredView } from '../fakes/fake-slack.js';
import { sendViewAction } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { filledView } from './modal-fill.js';
import { APPROVER, CHANNEL, DEFAULT_POLICY, GROUP_ID, REQUESTER, SIGNING_SECRET, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

const errorsOf = (json: unknown) => (json as { errors?: Record<string, string> } | undefined)?.errors ?? {};
const requestIds = async (h: Harness) => new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
const blockIds = (view: StoredView) => (view.blocks as { block_id?: string }[]).map((b) => b.block_id);

async function modalFor(h: Harness, text: string, predicate: (view: StoredView) => boolean = () => true): Promise<StoredView> {
  const viewsBefore = h.slack.views().length;
  const cmd = await h.command(REQUESTER, text);
  expect(cmd.json ?? null).toBeNull();
  return waitFor(
    () => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && JSON.stringify(v.blocks).includes('"options"') && !JSON.stringify(v.blocks).includes('Loading') && predicate(v)),
    { message: `modal of ${text}` },
  );
}

/** The target select's selected value in a view. */
function selectedTarget(view: StoredView): string | undefined {
  const block = (view.blocks as { block_id?: string; element?: { initial_option?: { value: string } } }[]).find((b) => b.block_id?.startsWith('restore_target:'));
  return block?.element?.initial_option?.value;
}

describe('the modal submission', () => {
  const h = useHarness();

  it('a Redis error while creating the request: the form says so, and submitting again creates the request', async () => {
    const before = await requestIds(h);
    const modal = await modalFor(h, 'shop/staging');
    // A real fault of the store: the target's lock key holds a string, so Redis answers WRONGTYPE to the lock script.
    const lockKey = `${h.prefix}lock:${GROUP_ID}:staging`;
    await h.redis.set(lockKey, 'not a lock hash');
    const failed = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    expect(errorsOf(failed.json)['restore_target:shop/staging']).toMatch(/couldn't be saved.*nothing was requested.*Submit again/);
    expect(await requestIds(h)).toEqual(before);

    await h.redis.del(lockKey); // the fault passed
    const again = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    expect(again.json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'the request of the second submit' });
    expect(req.target.cluster).toBe('staging');
  });

  it('a form whose metadata can\'t be read (opened before an upgrade, or crafted): replaced by a notice, nothing requested', async () => {
    const before = await requestIds(h);
    const modal = await modalFor(h, 'shop/staging');
    const res = await h.submitModal({ ...modal, private_metadata: 'not the form\'s metadata' }, REQUESTER, { confirmation: 'staging' });
    const answer = res.json as { response_action?: string; view?: { blocks?: unknown[] } };
    expect(answer.response_action).toBe('update');
    expect(JSON.stringify(answer.view?.blocks)).toContain("This form can't be read any more");
    expect(await requestIds(h)).toEqual(before);
  });

  it('a target held by a request waiting for approval, then by a running restore: said in plain words', async () => {
    const first = await requestRestore(h, { source: 'ledger' });
    const modal = await modalFor(h, 'shop/orders to shop/ledger');
    const pending = errorsOf((await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' })).json)['restore_target:shop/orders'];
    expect(pending).toContain(`shop/ledger already has a request waiting for approval: ${first.id} (requested by you) since`);
    expect(pending).not.toMatch(/[<>`]|in progress/);

    await h.click(APPROVER, 'restore_approve', first.id);
    await waitForState(h, first.id, 'running');
    const running = errorsOf((await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' })).json)['restore_target:shop/orders'];
    expect(running).toContain(`shop/ledger already has a running restore: ${first.id} (requested by you) since`);
    expect(running).not.toMatch(/[<>`]/);
  });

  it('a form opened in a channel the policy no longer allows: plain words, no channel mention', async () => {
    const modal = await modalFor(h, 'shop/orders');
    h.app.services.policy = parsePolicy(DEFAULT_POLICY.replace(`channels: [${CHANNEL}]`, 'channels: [C0ELSEWHERE]'), 'test-policy.yaml');
    try {
      const errors = errorsOf((await h.submitModal(modal, REQUESTER, { confirmation: 'orders' })).json);
      expect(errors['restore_source']).toContain('may no longer be used');
      expect(Object.values(errors).join(' ')).not.toMatch(/[<>`]/);
    } finally {
      h.app.services.policy = parsePolicy(DEFAULT_POLICY, 'test-policy.yaml');
    }
  });
});

describe('a change of source', () => {
  const h = useHarness();

  it('keeps the target chosen before: a collection restore into staging stays one into staging', async () => {
    const modal = await modalFor(h, 'shop/ledger only sales.orders to shop/staging', (v) => blockIds(v).includes('restore_namespaces'));
    expect(selectedTarget(modal)).toBe('shop/staging');
    const changed = await h.changeModal(modal, REQUESTER, 'source', { source: 'shop/orders' });
    expect(blockIds(changed)).toContain('restore_target:shop/orders');
    expect(selectedTarget(changed)).toBe('shop/staging');
  });

  it('a target left at its default (the source) follows the new source', async () => {
    const modal = await modalFor(h, 'shop/ledger');
    expect(selectedTarget(modal)).toBe('shop/ledger');
    const changed = await h.changeModal(modal, REQUESTER, 'source', { source: 'shop/staging' });
    expect(selectedTarget(changed)).toBe('shop/staging');
  });
});

describe('Slack refuses to update the form', () => {
  const h = useHarness();
  const notUpdated = (since: number) => h.slack.ephemerals(REQUESTER).slice(since).find((e) => /restore form couldn't be updated/.test(e.text ?? ''));

  it('while it loads: tried once more, then the requester is told (a form left on "Loading…" has no submit button)', async () => {
    const since = h.slack.ephemerals(REQUESTER).length;
    h.slack.failNext('views.update', 'internal_error', 2);
    const cmd = await h.command(REQUESTER, 'shop/ledger');
    expect(cmd.json ?? null).toBeNull();
    const told = await waitFor(() => notUpdated(since), { message: 'the requester told' });
    expect(told.text).toContain('run `/atlas-restore` again');
  });

  it('after a change of source: the same, instead of "Loading snapshots…" for good', async () => {
    const modal = await modalFor(h, 'shop/ledger');
    const since = h.slack.ephemerals(REQUESTER).length;
    const updates = h.slack.calls.filter((c) => c.method === 'views.update').length;
    h.slack.failNext('views.update', 'internal_error', 2);
    const res = await sendViewAction(h.url, SIGNING_SECRET, { actionId: 'restore_source_select', blockId: 'restore_source', userId: REQUESTER, view: filledView(modal, { source: 'shop/staging' }), actionType: 'static_select', selectedOption: { text: 'shop/staging', value: 'shop/staging' } });
    expect(res.status).toBe(200);
    await waitFor(() => notUpdated(since), { message: 'the requester told' });
    expect(h.slack.calls.filter((c) => c.method === 'views.update').slice(updates).map((c) => c.error ?? 'ok')).toEqual(['internal_error', 'internal_error']);
  });
});

describe('a target whose cluster name is in two projects', () => {
  const OTHER_GROUP = '6e2211c17a3e5a48f5497de4';
  const policy = DEFAULT_POLICY.replace(
    'requesters:',
    `  - name: shop-eu
    id: ${OTHER_GROUP}
    clusters:
      - { name: ledger, type: dedicated }
requesters:`,
  );
  const h = useHarness({ policyYaml: policy });

  it('is confirmed by project/cluster only, and the form says so', async () => {
    const before = await requestIds(h);
    const modal = await modalFor(h, 'shop/ledger to shop/ledger');
    expect(JSON.stringify(modal.blocks)).toContain('Type the target project/cluster to confirm');
    const bare = await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' });
    expect(errorsOf(bare.json)).toEqual({ restore_confirmation: 'A cluster named ledger is in more than one project, so type the project too, exactly: shop/ledger' });
    expect(await requestIds(h)).toEqual(before);

    const full = await h.submitModal(modal, REQUESTER, { confirmation: 'shop/ledger' });
    expect(full.json ?? null).toBeNull();
    await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'the request' });
  });
});
