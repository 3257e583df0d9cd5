// The safety snapshot in the modal and on the request (DESIGN.md §6 "Safety snapshot"), through the real Bolt app:
// required → a line, offered → a checkbox ticked by default, off → nothing; a Flex target can't have one (offered:
// the modal says so; required with the type left to detection: refused inline at submit). Taking it is the pipeline's.
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredView } from '../fakes/fake-slack.js';
import { safetySnapshotPlan, safetySnapshotToTake } from '../../src/slack/views/restore-modal-safety.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, GROUP_ID, REQUESTER, useHarness } from './conversation-harness.js';

const policyYaml = `
projects:
  - name: shop
    id: ${GROUP_ID}
    safetySnapshot: { retentionInDays: 4 }
    clusters:
      - { name: orders, type: flex, safetySnapshot: { mode: offered } }
      - { name: ledger, type: dedicated, safetySnapshot: { mode: required, retentionInDays: 3 } }
      - { name: legacy, type: serverless }
      - { name: staging, safetySnapshot: { mode: offered } }
      - { name: flexy, safetySnapshot: { mode: required } }
      - { name: nobackup, type: dedicated, safetySnapshot: { mode: required } }
      - { name: slowtype, safetySnapshot: { mode: required } }
requesters: [${REQUESTER}]
approvers: [${APPROVER}]
channels: [${CHANNEL}]
approval: { required: 1, allowSelfApproval: false, expiresAfterMinutes: 30 }
`;

const h = useHarness({ policyYaml });
const errorsOf = (json: unknown) => (json as { errors?: Record<string, string> } | undefined)?.errors ?? {};
const blockIds = (view: StoredView) => (view.blocks as { block_id?: string }[]).map((b) => b.block_id);
const requestIds = async () => new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
const newRequest = (before: Set<string>) =>
  waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'posted request' });

beforeAll(() => {
  // In the policy without a type: the bot detects that it is a Flex cluster.
  h.atlas.addCluster({ groupId: GROUP_ID, name: 'flexy', type: 'flex', snapshots: 2 });
  // Dedicated, cloud backup off (like the recorded cluster-29): Atlas can take no snapshot of it.
  h.atlas.addCluster({ groupId: GROUP_ID, name: 'nobackup', type: 'dedicated', snapshots: 2, backupEnabled: false });
  h.atlas.addCluster({ groupId: GROUP_ID, name: 'slowtype', type: 'dedicated', snapshots: 2 });
});

async function modalFor(text: string, predicate: (view: StoredView) => boolean = () => true): Promise<StoredView> {
  const viewsBefore = h.slack.views().length;
  await h.command(REQUESTER, text);
  return waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('restore_snapshot:') && !JSON.stringify(v.blocks).includes('Loading') && predicate(v)), {
    message: `modal of ${text}`,
  });
}

describe('safety snapshot: the policy of the target decides', () => {
  it('required: the modal says one is taken (kept N days); the request and its card carry it', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/ledger');
    expect(JSON.stringify(modal.blocks)).toContain('A safety snapshot of the target is taken before the restore (kept 3 days)');
    expect(blockIds(modal)).not.toContain('restore_safety_snapshot'); // a line, not a choice
    expect((await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' })).json ?? null).toBeNull();
    const req = await newRequest(before);
    expect(req.safetySnapshot).toEqual({ retentionInDays: 3 });
    expect(JSON.stringify(h.rootCard(req.id)!.blocks)).toContain('is taken after the last approval, before the restore (kept 3 days)');
  });

  it('offered (type detected, dedicated): a checkbox ticked by default; kept ticked, the request carries it', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/staging', (v) => blockIds(v).includes('restore_safety_snapshot'));
    expect(JSON.stringify(modal.blocks)).toContain('"initial_options"');
    expect((await h.submitModal(modal, REQUESTER, { confirmation: 'staging' })).json ?? null).toBeNull();
    expect((await newRequest(before)).safetySnapshot).toEqual({ retentionInDays: 4 }); // the project's retention
  });

  it('offered, unticked: no safety snapshot', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/staging', (v) => blockIds(v).includes('restore_safety_snapshot'));
    expect((await h.submitModal(modal, REQUESTER, { confirmation: 'staging', safetySnapshot: false })).json ?? null).toBeNull();
    expect((await newRequest(before)).safetySnapshot).toBeUndefined();
  });

  it('changing the target shows the new target’s rules', async () => {
    const modal = await modalFor('shop/staging', (v) => blockIds(v).includes('restore_safety_snapshot'));
    const changed = await h.changeModal(modal, REQUESTER, 'target', { target: 'shop/ledger' }, (v) => JSON.stringify(v.blocks).includes('kept 3 days'));
    expect(blockIds(changed)).not.toContain('restore_safety_snapshot');
  });

  it('offered on a Flex target: the modal says why none is available; the request has none', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/orders');
    expect(JSON.stringify(modal.blocks)).toContain('No safety snapshot is available: `shop/orders` is a Flex cluster, and Atlas takes on-demand snapshots of dedicated clusters only.');
    expect((await h.submitModal(modal, REQUESTER, { confirmation: 'orders' })).json ?? null).toBeNull();
    expect((await newRequest(before)).safetySnapshot).toBeUndefined();
  });

  it('required on a target detected as Flex: the modal warns, and the submission is refused inline with the reason', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/flexy');
    expect(JSON.stringify(modal.blocks)).toContain('no restore into it can be requested');
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'flexy' });
    expect(errorsOf(res.json)['restore_target:shop/flexy']).toBe(
      'The restore policy requires a safety snapshot of the target before a restore, but shop/flexy is a Flex cluster, and Atlas takes on-demand snapshots of dedicated clusters only: no restore into it can be requested. Ask the owners of the restore policy.',
    );
    expect(await requestIds()).toEqual(before);
    const audit = await h.app.services.store.readAudit(50);
    expect(audit.some((e) => e.type === 'refused' && e.detail?.includes('requires a safety snapshot'))).toBe(true);
  });

  it('required on a target whose type Atlas did not confirm in time: refused at submit, saying to submit again; then accepted', async () => {
    // The Flex API's answer about this name (the first probe of the type detection) takes longer than the form waits.
    let answer!: () => void;
    h.atlas.inject({ kind: 'slow', pathIncludes: '/flexClusters/slowtype', until: new Promise<void>((resolve) => (answer = resolve)), count: 10 });
    const before = await requestIds();
    const modal = await modalFor('shop/ledger to shop/slowtype');
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'slowtype' });
    const targetErrors = Object.entries(errorsOf(res.json)).filter(([block]) => block.startsWith('restore_target:'));
    expect(targetErrors.map(([, text]) => text)).toEqual([
      "Atlas didn't answer in time to confirm that shop/slowtype is a dedicated cluster, which a safety snapshot needs. Submit again in a moment.",
    ]);
    expect(await requestIds()).toEqual(before);
    // Atlas answers; the detection that went on has the type, and the same form goes through.
    answer();
    await waitFor(async () => (await h.submitModal(modal, REQUESTER, { confirmation: 'slowtype' })).json === undefined, { message: 'the submit accepted' });
    const req = await newRequest(before);
    expect(req.safetySnapshot).toEqual({ retentionInDays: 4 });
  });

  it('required on a dedicated target with cloud backup off: refused inline at submit, saying why (offered: none, said why)', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/nobackup');
    // The form says so before anyone types the confirmation, as for a Flex target.
    expect(JSON.stringify(modal.blocks)).toContain('cloud backup is off for');
    expect(JSON.stringify(modal.blocks)).not.toContain('A safety snapshot of the target is taken before the restore');
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'nobackup' });
    expect(errorsOf(res.json)['restore_target:shop/nobackup']).toBe(
      'A safety snapshot of the target is required, but cloud backup is off for shop/nobackup in Atlas, so none can be taken and no restore into it can be requested. Turn on cloud backup in Atlas, or have its safetySnapshot.mode set to offered or off in the policy.',
    );
    expect(await requestIds()).toEqual(before);
    const offered = safetySnapshotPlan({ rules: { mode: 'offered', retentionInDays: 2 }, targetKey: 'shop/nobackup', targetType: 'dedicated', backupEnabled: false }, true, true);
    expect(offered).toEqual({ kind: 'unavailable', why: 'No safety snapshot: cloud backup is off for `shop/nobackup` in Atlas.' });
    expect(safetySnapshotToTake(offered)).toBeUndefined();
  });

  it('a restore beside the live data replaces nothing: no safety snapshot even where required, and the modal says why', async () => {
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/ledger only sales.orders');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => blockIds(v).includes('restore_namespaces')), { message: 'modal with namespaces' });
    expect(JSON.stringify(modal.blocks)).toContain('No safety snapshot: this restore writes beside the live data and replaces nothing on the target.');
    expect((await h.submitModal(modal, REQUESTER, {})).json ?? null).toBeNull();
    const req = await newRequest(before);
    expect(req.writeStrategy).toBe('CREATE_NEW');
    expect(req.safetySnapshot).toBeUndefined();
  });
});
