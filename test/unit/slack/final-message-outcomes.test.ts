// What the last words of the newer restore kinds say beyond "completed": a collection restore that left namespaces
// behind, one whose per-namespace outcome Atlas didn't give, the undo advice of a restore that replaced only some
// namespaces, and a failed safety snapshot (thread and card).
import { describe, expect, it } from 'vitest';
import type { NamespaceResult, RestoreRequest } from '../../../src/restore/types.js';
import { buildRequestCard } from '../../../src/slack/views/request-card.js';
import { undoLine } from '../../../src/slack/views/restore-progress-messages.js';
import { finalMessage, lastWord, notSubmittedMessage } from '../../../src/slack/views/thread-messages.js';
import { messageToText } from '../../fakes/flatten-blocks.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const SAFETY = { retentionInDays: 2, id: 'safe0000000000000000abcd', status: 'completed' as const };

function collectionRestore(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return sampleRequest({
    state: 'completed',
    atlasJobId: 'job-42',
    submittedAt: '2026-03-01T10:00:00Z',
    finishedAt: '2026-03-01T10:14:00Z',
    source: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'ledger', type: 'dedicated' },
    target: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'ledger-staging', type: 'dedicated' },
    namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'crm' }],
    writeStrategy: 'OVERWRITE_EXISTING',
    indexStrategy: 'ALL',
    ...overrides,
  });
}
const text = (m: ReturnType<typeof finalMessage>) => messageToText(m);
const restored = (ns: string): NamespaceResult => ({ sourceNamespace: ns, effectiveTargetNamespace: ns, state: 'restored', restoredDocuments: 5, totalDocuments: 5 });

describe('the undo line', () => {
  it('OVERWRITE_EXISTING: the same namespaces from the safety snapshot, replaced again, never the whole cluster', () => {
    const line = undoLine(collectionRestore({ safetySnapshot: SAFETY }))!;
    expect(line).toContain('`/atlas-restore shop/ledger-staging safe0000000000000000abcd only sales.orders,crm`');
    expect(line).toContain('choose "Replace them on the target" in the form');
    expect(line).not.toMatch(/`\/atlas-restore shop\/ledger-staging safe0000000000000000abcd`/);
  });

  it('a whole-cluster restore keeps its whole-cluster undo; CREATE_NEW replaced nothing and has none', () => {
    expect(undoLine(sampleRequest({ state: 'completed', safetySnapshot: SAFETY }))).toContain('`/atlas-restore shop/orders-staging safe0000000000000000abcd`.');
    expect(undoLine(collectionRestore({ writeStrategy: 'CREATE_NEW', safetySnapshot: SAFETY }))).toBeUndefined();
  });
});

describe('a collection restore that did not restore everything', () => {
  const results: NamespaceResult[] = [restored('sales.orders'), { sourceNamespace: 'crm.users', state: 'not_found' }];

  it('is titled so, says what Atlas said, and is broadcast for a drill', () => {
    const req = collectionRestore({
      state: 'failed',
      namespaceResults: results,
      failureReason: 'the collection restore job is SUCCESSFUL, but 1 of 2 namespaces was not restored in full: `crm.users` not found.',
      requester: 'drill:nightly',
      drill: { name: 'nightly', trigger: 'schedule' },
    });
    const m = finalMessage(req, NOW);
    expect(m.text).toBe('Restore failed: not everything was restored: RR-7K3P2Q (shop/ledger → shop/ledger-staging)');
    expect(text(m)).toContain('Atlas says: the collection restore job is SUCCESSFUL, but 1 of 2 namespaces was not restored in full: `crm.users` not found.');
    expect(text(m)).toContain('• `crm.users`: not found');
    expect(lastWord(req, m).broadcast).toBe(true);
  });

  it('says no namespace was restored when none was', () => {
    const m = finalMessage(collectionRestore({ state: 'failed', namespaceResults: [{ sourceNamespace: 'crm', state: 'not_found' }] }), NOW);
    expect(m.text).toMatch(/^Restore failed: no namespace was restored:/);
  });

  it('a plain completed one, every namespace restored, is titled as before', () => {
    expect(finalMessage(collectionRestore({ namespaceResults: [restored('sales.orders'), restored('crm.users')] }), NOW).text).toMatch(/^Restore completed: /);
  });
});

describe('a collection restore whose per-namespace outcome could not be read', () => {
  it('says so and where to look in Atlas; one with the outcome read does not', () => {
    const m = text(finalMessage(collectionRestore(), NOW));
    expect(m).toContain("Atlas did not give the outcome of each namespace (reading it failed), so I can't say which were restored or where they were written");
    expect(m).toContain('collection restore job `job-42` of `shop/ledger` (dedicated) in Atlas');
    expect(m).toContain('`GET …/clusters/ledger/collectionRestoreJobs/job-42/collections`');
    expect(text(finalMessage(collectionRestore({ namespaceResults: [restored('sales.orders')] }), NOW))).not.toContain('did not give the outcome');
    expect(text(finalMessage(sampleRequest({ state: 'completed', atlasJobId: 'job-1' }), NOW))).not.toContain('did not give the outcome');
  });
});

describe('a failed safety snapshot', () => {
  const failed = sampleRequest({
    state: 'failed',
    failureReason: 'Not submitted: the safety snapshot `s1` of the target failed in Atlas, so nothing was restored. A new request is needed: request the restore again, and a new safety snapshot is taken after its approval.',
    safetySnapshot: { retentionInDays: 1, id: 's1', status: 'failed' },
  });

  it('the thread says a new request is needed, and that nothing was restored once', () => {
    const m = notSubmittedMessage(failed).text;
    expect(m).toMatch(/A new request is needed: request the restore again/);
    expect(m.match(/nothing was restored/gi)).toHaveLength(1);
  });

  it('the card no longer says the restore waits for it, whatever status the snapshot was left with', () => {
    for (const status of ['failed', 'requested', undefined] as const) {
      const card = messageToText(buildRequestCard({ ...failed, safetySnapshot: { retentionInDays: 1, id: 's1', status } }, NOW));
      expect(card, String(status)).not.toContain('waits for it');
      expect(card, String(status)).not.toContain('is taken after the last approval');
    }
  });
});
