// The end of a collection restore, through the real app against the fake Atlas (one step per poll): a job Atlas calls
// SUCCESSFUL with a namespace NOT_FOUND is no success (the request ends failed and says which namespace and what
// Atlas said), and a failing read of the per-namespace outcome (403, then 500s) is tried again until Atlas answers,
// or, when it never does, the final message says it could not be read and where to look.
import { afterEach, describe, expect, it } from 'vitest';
import { NAMESPACE_READ_RETRIES } from '../../src/restore/collection-progress.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

const h = useHarness({ stepsPerState: 1 });
afterEach(() => h.atlas.reset()); // no fault left for the next test

async function ask(harness: Harness, patch: Partial<RestoreRequest>): Promise<RestoreRequest> {
  const req = await requestRestore(harness, { source: 'ledger', target: 'staging' });
  const updated = await harness.app.services.store.update(req.id, ['pending_approval'], { writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL', ...patch });
  if (!updated.ok) throw new Error('the request was not pending');
  return updated.request;
}
const namespaceReads = () => h.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith('/collections'));

describe('a collection restore Atlas calls SUCCESSFUL', () => {
  it('with a namespace NOT_FOUND: the request fails, saying which and what Atlas said; the rest is listed restored', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'sales.orders', documents: 300 }] });
    const req = await ask(h, { namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.renamed' }] });
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'failed', 15_000);
    expect(h.atlas.collectionRestoreJobs(GROUP_ID, 'ledger')[0]?.['state']).toBe('SUCCESSFUL');
    expect(done.failureReason).toBe('Atlas calls the job SUCCESSFUL, but 1 of 2 namespaces was not restored: `sales.renamed` (not found).');
    const final = await h.waitForThread(req.id, /Restore failed: not everything was restored/);
    expect(final).toContain('Atlas calls the job SUCCESSFUL, but 1 of 2 namespaces');
    expect(final).not.toContain('Atlas says:'); // the verdict is the bot's
    expect(final).toContain('`sales.orders` (in place): restored, 300 of 300 documents');
    expect(final).toContain('`sales.renamed`: not found'); // written nowhere
    expect(JSON.stringify(h.rootCard(req.id)?.blocks)).toContain('Restore failed: not everything was restored*');
    const audit = (await h.app.services.store.readAudit(500)).find((e) => e.requestId === req.id && e.type === 'finished');
    expect(audit?.detail).toContain('SUCCESSFUL, but 1 of 2 namespaces was not restored');
  });
});

describe('reading the per-namespace outcome at the end', () => {
  it('refused (403), then failing (500), then answering: tried again, and the final message lists every namespace', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'crm.users', documents: 40 }] });
    const req = await ask(h, { namespaces: [{ sourceNamespace: 'crm.users' }] });
    h.atlas.inject({ kind: 'status', status: 403, errorCode: 'USER_CANNOT_ACCESS_ORG', count: 1, method: 'GET', pathIncludes: '/collections' });
    // The client's own retries of a 500 (4 attempts) fail too: one more try of the step's.
    h.atlas.inject({ kind: 'status', status: 500, count: 4, method: 'GET', pathIncludes: '/collections' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed', 20_000);
    expect(namespaceReads().map((r) => r.status)).toEqual([403, 500, 500, 500, 500, 200]);
    expect(done.namespaceResults).toEqual([expect.objectContaining({ sourceNamespace: 'crm.users', state: 'restored', effectiveTargetNamespace: 'crm.users' })]);
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain('`crm.users` (in place): restored, 40 of 40 documents');
    expect(final).not.toContain('did not give the outcome');
  });

  it('refused every time: after the last try the restore ends, saying the outcome could not be read and where to look', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'crm.leads', documents: 7 }] });
    const req = await ask(h, { namespaces: [{ sourceNamespace: 'crm.leads' }] });
    h.atlas.inject({ kind: 'status', status: 403, errorCode: 'USER_CANNOT_ACCESS_ORG', count: 1000, method: 'GET', pathIncludes: '/collections' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed', 20_000);
    expect(namespaceReads()).toHaveLength(1 + NAMESPACE_READ_RETRIES);
    expect(done.namespaceResults).toBeUndefined();
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain("Atlas did not give the outcome of each namespace (reading it failed), so I can't say which were restored or where they were written");
    expect(final).toContain(`collection restore job \`${done.atlasJobId}\` of \`shop/ledger\` (dedicated) in Atlas`);
  });
});
