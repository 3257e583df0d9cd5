// What the last words of the newer restore kinds say beyond "completed": a collection restore that left namespaces
// behind, one whose per-namespace outcome Atlas didn't give, the undo advice of a restore that replaced only some
// namespaces, and a failed safety snapshot (thread and card).
import { describe, expect, it } from 'vitest';
import type { NamespaceResult, RestoreRequest } from '../../../src/restore/types.js';
import { newRequestText } from '../../../src/restore/safety-snapshot-step.js';
import { buildRequestCard, statusLine } from '../../../src/slack/views/request-card.js';
import { renderStatus } from '../../../src/slack/views/status-views.js';
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
  const REASON = 'Atlas calls the job SUCCESSFUL, but 1 of 2 namespaces was not restored: `crm.users` (not found).';
  const partial = (overrides: Partial<RestoreRequest> = {}) => collectionRestore({ state: 'failed', namespaceResults: results, failureReason: REASON, ...overrides });
  const drill = { requester: 'drill:nightly', drill: { name: 'nightly', trigger: 'schedule' as const } };

  it("is titled so, and gives the bot's verdict as its own, not as Atlas's words", () => {
    const m = finalMessage(partial(), NOW);
    expect(m.text).toBe('Restore failed: not everything was restored: RR-7K3P2Q (shop/ledger → shop/ledger-staging)');
    expect(text(m)).toContain(`\n${REASON}\n`);
    expect(text(m)).not.toContain('Atlas says:');
    expect(text(m)).toContain('• `crm.users`: not found');
  });

  it('a reason Atlas gave for a job it failed is still introduced as its own', () => {
    const m = finalMessage(partial({ failureReason: 'oplog gap' }), NOW);
    expect(m.text).toMatch(/^Restore failed: not everything was restored:/);
    expect(text(m)).toContain('Atlas says: oplog gap');
  });

  it('the card and status use the same title as the thread, with the same reason', () => {
    const req = partial();
    const line = `:x: *Restore failed: not everything was restored* after 14 min (Atlas job \`job-42\`): ${REASON}`;
    expect(statusLine(req, NOW)).toContain(line);
    expect(messageToText(buildRequestCard(req, NOW))).toContain(line);
    expect(renderStatus(req, undefined, NOW)).toContain(line);
  });

  it('a drill names itself in the broadcast title, and says what to do about a namespace not found', () => {
    const req = partial(drill);
    const m = finalMessage(req, NOW);
    expect(m.text).toBe('Drill nightly: restore failed, not everything was restored: RR-7K3P2Q (shop/ledger → shop/ledger-staging)');
    expect(text(m)).toMatch(/^:x: \*Drill nightly: restore failed, not everything was restored\* after 14 min: /);
    expect(text(m)).toContain('If it was renamed or dropped in production, update the `only:` list of drill `nightly` in the policy.');
    expect(lastWord(req, m).broadcast).toBe(true);
    // Not for a request made by someone: its namespaces are not the policy's.
    expect(text(finalMessage(partial(), NOW))).not.toContain('`only:` list');
    expect(finalMessage(collectionRestore({ ...drill, namespaceResults: [restored('sales.orders')] }), NOW).text).toMatch(/^Drill nightly: restore completed: /);
  });

  it('says no namespace was restored when none was', () => {
    const m = finalMessage(collectionRestore({ state: 'failed', namespaceResults: [{ sourceNamespace: 'crm', state: 'not_found' }] }), NOW);
    expect(m.text).toMatch(/^Restore failed: no namespace was restored:/);
  });

  it("says no namespace was restored when a database's other collection is one Atlas skips by kind", () => {
    // `only crm`: crm.users failed, crm.ts (unsupported) was never restored either.
    const req = collectionRestore({
      state: 'failed',
      namespaces: [{ sourceNamespace: 'crm' }],
      namespaceResults: [{ sourceNamespace: 'crm.users', state: 'failed' }, { sourceNamespace: 'crm.ts', state: 'unsupported' }],
      failureReason: "Atlas calls the job SUCCESSFUL, but its one namespace was not restored: `crm.users` (failed); and `crm.ts` was left out, a kind of collection Atlas's collection restore doesn't support.",
    });
    expect(finalMessage(req, NOW).text).toMatch(/^Restore failed: no namespace was restored:/);
    expect(statusLine(req, NOW)).toContain('*Restore failed: no namespace was restored*');
    // The reason names the skipped collection: no second line about it.
    expect(text(finalMessage(req, NOW))).not.toContain('1 collection of a listed database');
  });
});

describe("a database's collection that Atlas's collection restore doesn't support", () => {
  const req = collectionRestore({
    namespaces: [{ sourceNamespace: 'crm' }],
    namespaceResults: [restored('crm.users'), { sourceNamespace: 'crm.ts', state: 'unsupported' }],
  });

  it('a completed restore says under its title that it was not restored, and how to copy it', () => {
    const m = text(finalMessage(req, NOW));
    expect(m).toContain("\n:warning: 1 collection of a listed database was not restored: Atlas's collection restore doesn't support it (`crm.ts`). Copy it another way (e.g. mongodump/mongorestore) if you need it.");
    expect(m).toContain("• `crm.ts`: not restored (unsupported by Atlas's collection restore)");
    const two = { ...req, namespaceResults: [...req.namespaceResults!, { sourceNamespace: 'crm.ts2', state: 'unsupported' }] };
    expect(text(finalMessage(two, NOW))).toContain("2 collections of listed databases were not restored: Atlas's collection restore doesn't support them (`crm.ts`, `crm.ts2`). Copy them another way");
  });

  it('says nothing of the kind when every collection was restored', () => {
    expect(text(finalMessage({ ...req, namespaceResults: [restored('crm.users')] }, NOW))).not.toContain('mongodump');
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
  const AGAIN = 'A new request is needed: run `/atlas-restore shop/orders 6748a9f0c1d2e3f4a5b6c7d8 to shop/orders-staging`; a new safety snapshot is taken after its approval.';
  const failed = sampleRequest({
    state: 'failed',
    approvals: [{ user: 'U0FIRST', at: '2026-03-01T10:05:00Z' }],
    finishedAt: '2026-03-01T16:05:00Z',
    failureReason: `Not submitted: the safety snapshot \`s1\` of the target failed: it was still queued in Atlas after 6 h, so nothing was restored. ${AGAIN}`,
    safetySnapshot: { retentionInDays: 1, id: 's1', status: 'failed' },
  });

  it('the thread says a new request is needed, with the command, and that nothing was restored once', () => {
    const m = notSubmittedMessage(failed).text;
    expect(m).toContain(AGAIN);
    expect(m.match(/nothing was restored/gi)).toHaveLength(1);
  });

  it('the card says it was not submitted, not that a restore failed, and that nothing was restored once', () => {
    const card = messageToText(buildRequestCard(failed, NOW));
    expect(card).toContain(`:no_entry: *Not submitted*: the safety snapshot \`s1\` of the target failed: it was still queued in Atlas after 6 h, so nothing was restored. ${AGAIN}`);
    expect(card).toContain(':x: The safety snapshot `s1` of `shop/orders-staging` (dedicated) failed.');
    expect(card).not.toMatch(/Restore failed|after 6 h:|Not submitted: /);
    expect(card.match(/nothing was restored/gi)).toHaveLength(1);
    // Another reason that doesn't say it gets it said once.
    expect(statusLine({ ...failed, failureReason: 'Not submitted: snapshot `x` no longer exists in Atlas.' }, NOW)).toBe(
      ':no_entry: *Not submitted*: snapshot `x` no longer exists in Atlas. Nothing was restored. Approved by <@U0FIRST>.',
    );
  });

  it('the command asks for the same restore again: snapshot or point in time, namespaces, target', () => {
    expect(newRequestText(failed)).toBe(AGAIN);
    const pit = sampleRequest({ pointInTime: { utcSeconds: Date.UTC(2026, 1, 28, 14, 5, 7) / 1000 }, namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'crm' }] });
    expect(newRequestText(pit)).toContain('run `/atlas-restore shop/orders at 2026-02-28T14:05:07Z only sales.orders,crm to shop/orders-staging`;');
    // Too long to spell out, or a name the command would need quoted: what to give it instead.
    const many = sampleRequest({ namespaces: Array.from({ length: 40 }, (_, i) => ({ sourceNamespace: `database_${i}.collection_${i}` })) });
    expect(newRequestText(many)).toBe('A new request is needed: run `/atlas-restore` again for the same source, snapshot, namespaces and target; a new safety snapshot is taken after its approval.');
    expect(newRequestText(sampleRequest({ namespaces: [{ sourceNamespace: 'sales.my orders' }] }))).toContain('again for the same source, snapshot, namespaces and target');
  });

  it('the card no longer says the restore waits for it, whatever status the snapshot was left with', () => {
    for (const status of ['failed', 'requested', undefined] as const) {
      const card = messageToText(buildRequestCard({ ...failed, safetySnapshot: { retentionInDays: 1, id: 's1', status } }, NOW));
      expect(card, String(status)).not.toContain('waits for it');
      expect(card, String(status)).not.toContain('is taken after the last approval');
    }
  });
});
