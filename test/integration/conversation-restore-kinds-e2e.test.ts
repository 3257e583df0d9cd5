// Issue 10 end to end, as a user does it: the command (or the form), the card, the approval, and the restore followed
// to its final message, through the real Bolt app against the fake Atlas: a collection restore (CREATE_NEW, its
// progress in the thread), a point-in-time restore, and a whole-cluster restore behind a required safety snapshot.
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, REQUESTER, policyWith, useHarness, waitForState } from './conversation-harness.js';

const POLICY = policyWith({ staging: 'type: dedicated, safetySnapshot: { mode: required, retentionInDays: 2 }' });

// One step of Atlas per poll: jobs and snapshots move on by themselves.
const h = useHarness({ policyYaml: POLICY, stepsPerState: 1 });

async function requestThroughForm(text: string, fields: Parameters<typeof h.submitModal>[2] = {}): Promise<RestoreRequest> {
  const before = new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
  const views = h.slack.views().length;
  const cmd = await h.command(REQUESTER, text);
  expect(cmd.json ?? null, JSON.stringify(cmd.json)).toBeNull();
  const modal = await waitFor(() => h.slack.views().slice(views).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && JSON.stringify(v.blocks).includes('restore_reason') && !JSON.stringify(v.blocks).includes('Loading')), { message: `the form of ${text}` });
  const res = await h.submitModal(modal, REQUESTER, { reason: 'e2e', ...fields });
  expect(res.json ?? null, JSON.stringify(res.json)).toBeNull();
  return waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'the request card' });
}

describe('issue 10 through the form, to the end', () => {
  it('only sales.orders: CREATE_NEW, progress in the thread, the namespace and where it went in the final message', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'sales.orders', documents: 2000 }] });
    const req = await requestThroughForm('shop/ledger only sales.orders');
    expect(req).toMatchObject({ namespaces: [{ sourceNamespace: 'sales.orders' }], writeStrategy: 'CREATE_NEW' });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'completed', 15_000);
    expect(h.threadTexts(req.id).some((t) => /50 % restored/.test(t))).toBe(true);
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toMatch(/`sales\.orders` → `sales\.orders_restored`: restored, 2,000 of 2,000 documents/);
  });

  it('only crm, sales.orders: a whole database and a collection in one job, every namespace in the final message', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'sales.orders', documents: 2000 }, { name: 'crm.users', documents: 400 }] });
    const req = await requestThroughForm('shop/ledger only crm, sales.orders');
    expect(req.namespaces).toEqual([{ sourceNamespace: 'crm' }, { sourceNamespace: 'sales.orders' }]);
    expect(JSON.stringify(h.rootCard(req.id)!.blocks)).toContain('`crm`\\n`sales.orders`');
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'completed', 15_000);
    const post = h.atlas.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/clusters/ledger/collectionRestoreJobs')).at(-1);
    expect(post?.body).toMatchObject({ databases: [{ sourceNamespace: 'crm' }], collections: [{ sourceNamespace: 'sales.orders' }] });
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain('`crm`, `sales.orders` (2 namespaces)');
    expect(final).toMatch(/`crm\.users` → `crm\.users[\w]*`: restored, 400 of 400 documents/);
    expect(final).toMatch(/`sales\.orders` → `sales\.orders_restored[\w]*`: restored, 2,000 of 2,000 documents/);
  });

  it('at <time>: a point-in-time restore of the whole cluster, to that second', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 3 });
    const at = Math.floor(Date.now() / 1000) - 3600;
    const req = await requestThroughForm(`shop/ledger at ${at}`, { confirmation: 'ledger' });
    expect(req.pointInTime).toEqual({ utcSeconds: at });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'completed', 15_000);
    const post = h.atlas.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/clusters/ledger/backup/restoreJobs')).at(-1);
    expect(post?.body).toMatchObject({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: at });
  });

  it('a target whose policy requires a safety snapshot: taken, waited for, then the restore; the final message says how to undo', async () => {
    const req = await requestThroughForm('shop/ledger to shop/staging', { confirmation: 'staging' });
    expect(req.safetySnapshot).toEqual({ retentionInDays: 2 });
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed', 15_000);
    const snapshotPost = h.atlas.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/clusters/staging/backup/snapshots'));
    const restorePost = h.atlas.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/clusters/ledger/backup/restoreJobs') && (r.body as { targetClusterName?: string }).targetClusterName === 'staging');
    expect(snapshotPost).toBeGreaterThanOrEqual(0);
    expect(restorePost).toBeGreaterThan(snapshotPost);
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(`To undo: restore the safety snapshot \`${done.safetySnapshot!.id!}\``);
  });
});
