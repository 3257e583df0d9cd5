// The final message of a collection restore lists every namespace with its outcome and where it was written
// (DESIGN.md §6), within Slack's limits for a message, and never loses the undo line or a drill's figures to it.
import { describe, expect, it } from 'vitest';
import type { NamespaceResult, RestoreRequest } from '../../../src/restore/types.js';
import { finalMessage } from '../../../src/slack/views/thread-messages.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T12:00:00Z');

function collectionRestore(results: NamespaceResult[], overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return sampleRequest({
    state: 'completed',
    atlasJobId: 'job-42',
    submittedAt: '2026-03-01T10:00:00Z',
    finishedAt: '2026-03-01T10:14:00Z',
    requester: 'drill:nightly',
    drill: { name: 'nightly', trigger: 'schedule' },
    namespaces: results.map((r) => ({ sourceNamespace: r.sourceNamespace })),
    // Replaced on the target, so the safety snapshot taken before has an undo line to give.
    writeStrategy: 'OVERWRITE_EXISTING',
    indexStrategy: 'ALL',
    safetySnapshot: { retentionInDays: 3, id: 'safe0000000000000000abcd', status: 'completed' },
    namespaceResults: results,
    ...overrides,
  });
}

/** A long namespace (a database name of 60 characters, a collection of 150), written beside the live data. */
function longResult(i: number, errorMessage?: string): NamespaceResult {
  const source = `db_${'d'.repeat(57)}.coll_${'c'.repeat(140)}_${String(i).padStart(3, '0')}`;
  return { sourceNamespace: source, effectiveTargetNamespace: `${source}_restored`, state: errorMessage ? 'FAILED' : 'SUCCESSFUL', restoredDocuments: 1000 + i, totalDocuments: 1000 + i, errorMessage };
}

const sectionTexts = (m: ReturnType<typeof finalMessage>) => (m.blocks ?? []).map((b) => (b as { text: { text: string } }).text.text);

describe('the final message of a collection restore of 100 long namespaces', () => {
  const results = Array.from({ length: 100 }, (_, i) => longResult(i));
  const m = finalMessage(collectionRestore(results), NOW, []);
  const sections = sectionTexts(m);

  it('is within Slack limits: at most 50 blocks, each section ≤ 3000 characters, a short fallback text', () => {
    expect(slackRefusal('message', { blocks: m.blocks })).toBeUndefined();
    expect(sections.every((t) => t.length <= 3000)).toBe(true);
    expect(m.text.length).toBeLessThanOrEqual(3000);
    expect(m.text).toBe('Drill nightly: restore completed: RR-7K3P2Q (shop/orders → shop/orders-staging)');
  });

  it('keeps the undo line and the drill figures, before the namespaces', () => {
    // Too many names for one command: the same namespaces, from the safety snapshot, replaced again (never the whole snapshot).
    expect(sections[0]).toContain('To undo: restore the same 100 namespaces from the safety snapshot `safe0000000000000000abcd`');
    expect(sections[0]).toContain('choose "Replace them on the target"');
    expect(sections[0]).toContain('*Restore time:* 14 min');
    expect(sections[0]).toContain('and 97 more (100 namespaces)');
    expect(sections[0]).not.toContain('…');
  });

  it('lists every namespace whole, with its outcome and where it was written, in order', () => {
    const listed = sections.slice(1).join('\n');
    expect(listed.startsWith('*Namespaces* (100):')).toBe(true);
    for (const r of results) expect(listed).toContain(`• \`${r.sourceNamespace}\` → \`${r.effectiveTargetNamespace}\`: SUCCESSFUL, ${(1000 + results.indexOf(r)).toLocaleString('en-US')} of`);
    expect(listed).not.toContain('…');
  });
});

describe('more namespaces than one message holds', () => {
  it('ends with how many are left and where to see them all, within the limits', () => {
    const results = Array.from({ length: 400 }, (_, i) => longResult(i, `Atlas could not restore this collection: ${'reason '.repeat(60)}`));
    const m = finalMessage(collectionRestore(results, { state: 'failed', failureReason: 'some namespaces failed' }), NOW, []);
    expect(slackRefusal('message', { blocks: m.blocks })).toBeUndefined();
    const sections = sectionTexts(m);
    expect(sections[0]).toContain('To undo');
    const last = sections[sections.length - 1]!;
    const more = /…and (\d+) more \(see `\/atlas-restore status RR-7K3P2Q`\)$/.exec(last);
    expect(more).not.toBeNull();
    const bullets = (sections.slice(1).join('\n').match(/^• /gm) ?? []).length;
    expect(bullets).toBeGreaterThan(100);
    expect(bullets + Number(more![1])).toBe(400);
  });
});
