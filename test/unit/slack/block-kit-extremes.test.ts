// The builders at the extremes a user can reach: big policies, long names, many snapshots, namespaces, approvers and
// long texts. Whatever they hold, Slack must take what they build (block-kit-limits.ts says what it refuses), or
// the user sees no form, no card, no final message.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { DrillSummary } from '../../../src/restore/drill-types.js';
import type { ClusterRef, NamespaceResult, RestoreRequest } from '../../../src/restore/types.js';
import { clusterKey } from '../../../src/policy/policy.js';
import { buildHomeView, type HomeState } from '../../../src/slack/views/home-view.js';
import { buildRequestCard } from '../../../src/slack/views/request-card.js';
import { DEFAULT_CHOICES } from '../../../src/slack/views/modal-choices.js';
import { buildRestoreModal, type RestoreModalState } from '../../../src/slack/views/restore-modal.js';
import { renderDrills } from '../../../src/slack/views/drill-messages.js';
import { splitText } from '../../../src/slack/views/format.js';
import { renderList, renderStatus } from '../../../src/slack/views/status-views.js';
import * as thread from '../../../src/slack/views/thread-messages.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T10:10:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const G = '5e2211c17a3e5a48f5497de3';
/** A name of exactly `n` characters (the policy takes project and cluster names of up to 64). */
const name = (prefix: string, i: number, n = 64) => `${prefix}-${i}-`.padEnd(n, 'x');
const long = (n: number) => 'Lorem <ipsum> & dolor, sit amet.\n'.repeat(Math.ceil(n / 33)).slice(0, n);
/** Slack's 40,000 characters of top-level text: past it, Slack cuts the message. */
const MAX_TEXT = 40_000;

function clusters(n: number, projects: number): ClusterRef[] {
  return Array.from({ length: n }, (_, i) => ({ project: name('project', i % projects), groupId: G, cluster: name('cluster', i), type: 'dedicated' as const }));
}
/** 100 databases and 100 collections of long names (databases at most 63 bytes, namespaces 255). */
const namespaces = () => [
  ...Array.from({ length: 100 }, (_, i) => ({ sourceNamespace: name('db', i, 63) })),
  ...Array.from({ length: 100 }, (_, i) => ({ sourceNamespace: `${name('db', i, 63)}.${name('collection', i, 191)}` })),
];

const drill = (i: number): DrillSummary => ({
  name: name('drill', i),
  source: `${name('project', i)}/${name('cluster', i)}`,
  target: `${name('project', i)}/${name('cluster', i + 1)}`,
  schedule: '0,5,10,15,20,25,30,35,40,45,50,55 0,2,4,6,8,10,12,14,16,18,20,22 1-31 1-12 0-6',
  timeZone: 'America/Argentina/ComodRivadavia',
  channel: 'C0ABCDEF1',
  nextRunAt: '2026-03-02T02:00:00Z',
  lastRun: { requestId: 'RR-DRILL1', state: 'not_started', reason: long(3000), finishedAt: '2026-02-23T02:14:00Z' },
});

function refusal(surface: 'message' | 'modal' | 'home', payload: object): string[] {
  return slackRefusal(surface, payload)?.messages ?? [];
}
const options = (view: ModalView, blockIdPrefix: string): PlainTextOption[] => {
  const b = view.blocks.find((x) => 'block_id' in x && x.block_id?.startsWith(blockIdPrefix)) as KnownBlock | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const el: any = b?.type === 'input' ? b.element : undefined;
  return el?.options ?? el?.option_groups?.flatMap((g: { options: PlainTextOption[] }) => g.options) ?? [];
};

describe('the restore modal at its extremes', () => {
  const big = clusters(150, 3);
  const last = clusterKey(big.at(-1)!);
  const snapshots = Array.from({ length: 300 }, (_, i) => ({
    id: i.toString(16).padStart(24, '0'),
    status: i % 7 === 0 ? 'failed' : i % 11 === 0 ? 'inProgress' : 'completed',
    createdAt: new Date(NOW.getTime() - i * 3_600_000).toISOString(),
    snapshotType: i % 2 ? 'scheduled' : 'onDemand',
  }));
  const state = (overrides: Partial<RestoreModalState> = {}): RestoreModalState => ({
    meta: { channel: 'C0ABCDEF1' },
    timeZone: 'America/Argentina/ComodRivadavia',
    sources: big,
    targets: big,
    selectedSourceKey: last,
    selectedTargetKey: clusterKey(big[0]!),
    snapshots: { status: 'loaded', snapshots },
    selectedSnapshotId: snapshots[1]!.id,
    sourceFacts: { status: 'loaded', type: 'dedicated', pitEnabled: true, restoreWindowDays: 35 },
    nowSeconds: NOW_SECONDS,
    reason: long(3000),
    notice: big.map((c) => `You may not use \`${clusterKey(c)}\` as a source, so it was not pre-selected.`).join(' '),
    safety: { rules: { mode: 'offered', retentionInDays: 35 }, targetKey: clusterKey(big[0]!), targetType: 'dedicated' },
    sharedClusterNames: [big[0]!.cluster.toLowerCase()],
    ...overrides,
  });

  it('150 clusters of 64-character names in 3 projects, 300 snapshots, a 3000-character reason: Slack takes it, every cluster can be chosen', () => {
    const view = buildRestoreModal(state());
    expect(refusal('modal', view)).toEqual([]);
    expect(options(view, 'restore_source').map((o) => o.value).sort()).toEqual(big.map(clusterKey).sort());
    expect(options(view, 'restore_target').map((o) => o.value).sort()).toEqual(big.map(clusterKey).sort());
    expect(options(view, 'restore_snapshot')).toHaveLength(100);
  });

  it('150 clusters in 150 projects: still every cluster can be chosen, as source and as target', () => {
    const spread = clusters(150, 150);
    const view = buildRestoreModal(state({ sources: spread, targets: spread, selectedSourceKey: clusterKey(spread.at(-1)!), selectedTargetKey: clusterKey(spread.at(-2)!) }));
    expect(refusal('modal', view)).toEqual([]);
    expect(options(view, 'restore_source').map((o) => o.value).sort()).toEqual(spread.map(clusterKey).sort());
    expect(options(view, 'restore_target').map((o) => o.value).sort()).toEqual(spread.map(clusterKey).sort());
  });

  it('100 databases and 100 collections from the command: the box starts with the whole ones that fit and names the others', () => {
    const all = namespaces().map((n) => n.sourceNamespace);
    const view = buildRestoreModal(state({ choices: { ...DEFAULT_CHOICES, what: 'namespaces', namespacesText: all.join('\n') } }));
    expect(refusal('modal', view)).toEqual([]);
    const box = view.blocks.find((b) => b.block_id === 'restore_namespaces') as KnownBlock;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const boxed: string[] = (box.type === 'input' ? (box.element as any).initial_value : '').split('\n');
    expect(boxed.length).toBeGreaterThan(10);
    expect(boxed).toEqual(all.slice(0, boxed.length));
    const note = JSON.stringify(view.blocks.find((b) => b.block_id === 'restore_namespaces_info'));
    expect(note).toContain(`${all.length - boxed.length} of the namespaces from the command did not fit in the box`);
    expect(note).toContain(all[boxed.length]);
  });

  it('every choice shown at once (namespaces, overwrite, point in time, safety snapshot, typed confirmation)', () => {
    const namespacesText = namespaces().map((n) => n.sourceNamespace).join('\n');
    for (const choices of [
      { ...DEFAULT_CHOICES, what: 'namespaces' as const, namespacesText, writeStrategy: 'OVERWRITE_EXISTING' as const, from: 'pointInTime' as const, pointInTime: NOW_SECONDS - 3600 },
      { ...DEFAULT_CHOICES, from: 'pointInTime' as const },
      DEFAULT_CHOICES,
    ]) {
      expect(refusal('modal', buildRestoreModal(state({ choices })))).toEqual([]);
    }
  });

  it('the source’s facts or snapshots could not be read, with a long error', () => {
    expect(refusal('modal', buildRestoreModal(state({ sourceFacts: { status: 'error', message: long(5000) } })))).toEqual([]);
    expect(refusal('modal', buildRestoreModal(state({ snapshots: { status: 'error', message: long(5000) } })))).toEqual([]);
  });
});

describe('the request card at its extremes', () => {
  const approvers = Array.from({ length: 150 }, (_, i) => ({ user: `U0APPROVER${String(i).padStart(3, '0')}`, at: '2026-03-01T10:05:00Z' }));
  const base = (overrides: Partial<RestoreRequest> = {}) =>
    sampleRequest({
      source: { project: name('project', 1), groupId: G, cluster: name('cluster', 1), type: 'dedicated' },
      target: { project: name('project', 2), groupId: G, cluster: name('cluster', 2), type: 'dedicated' },
      reason: long(3000),
      approvalsRequired: 200,
      approvals: approvers,
      droppedApprovals: approvers.slice(0, 20).map((a) => ({ ...a, why: long(1000) })),
      namespaces: namespaces(),
      writeStrategy: 'OVERWRITE_EXISTING',
      indexStrategy: 'ALL_EXCEPT_TTL',
      pointInTime: { utcSeconds: NOW_SECONDS - 3600 },
      safetySnapshot: { retentionInDays: 35, id: 'f'.repeat(24), status: 'requested' },
      failureReason: long(3000),
      waitingFor: { reason: long(3000), since: '2026-03-01T10:06:00Z' },
      atlasJobId: 'a'.repeat(24),
      drill: { name: name('drill', 1), trigger: 'command', by: 'U0APPROVER000' },
      ...overrides,
    });

  it('in every state: long names and reasons, 100 databases and 100 collections, 150 approvals, 20 dropped', () => {
    for (const state of ['pending_approval', 'approved', 'submitting', 'running', 'completed', 'failed', 'cancelled', 'expired', 'rejected', 'approval_expired'] as const) {
      for (const [dryRun, drill] of [[false, false], [true, false], [false, true]]) {
        const req = base({ state, dryRun, lastJobState: 'running', progress: { restoredDocuments: 1, totalDocuments: 3, announcedStep: 0 }, ...(drill ? {} : { drill: undefined }) });
        const card = buildRequestCard(req, NOW);
        expect(refusal('message', card), `${state}${dryRun ? ' (dry run)' : ''}${drill ? ' (drill)' : ''}`).toEqual([]);
        expect(card.text.length).toBeLessThanOrEqual(MAX_TEXT);
      }
    }
  });
});

describe('the App Home at its extremes', () => {
  const req = (i: number, overrides: Partial<RestoreRequest> = {}) =>
    sampleRequest({
      id: `RR-${String(i).padStart(6, '0')}`,
      source: { project: name('project', i), groupId: G, cluster: name('cluster', i), type: 'dedicated' },
      target: { project: name('project', i + 1), groupId: G, cluster: name('cluster', i + 1), type: 'dedicated' },
      reason: long(3000),
      namespaces: namespaces(),
      writeStrategy: 'OVERWRITE_EXISTING',
      pointInTime: { utcSeconds: NOW_SECONDS - 3600 },
      safetySnapshot: { retentionInDays: 35 },
      waitingFor: { reason: long(3000), since: '2026-03-01T10:06:00Z' },
      approvals: Array.from({ length: 60 }, (_, j) => ({ user: `U0APPROVER${String(j).padStart(3, '0')}`, at: '2026-03-01T10:05:00Z' })),
      approvalsRequired: 100,
      ...overrides,
    });

  it('40 requests waiting, 40 in flight, 40 in the history, 40 drills, every one as long as it gets: Slack takes it', () => {
    const state: HomeState = {
      kind: 'member',
      user: 'U0VIEWER',
      now: NOW,
      awaiting: Array.from({ length: 40 }, (_, i) => req(i)),
      inFlight: Array.from({ length: 40 }, (_, i) => req(100 + i, { state: 'approved' })),
      history: Array.from({ length: 40 }, (_, i) => req(200 + i, { state: 'failed', failureReason: long(3000), finishedAt: '2026-03-01T09:00:00Z' })),
      drills: Array.from({ length: 40 }, (_, i) => drill(i)),
    };
    expect(refusal('home', buildHomeView(state))).toEqual([]);
  });
});

describe('thread messages and command answers at their extremes', () => {
  const results: NamespaceResult[] = namespaces().map((n, i) => ({
    sourceNamespace: n.sourceNamespace,
    effectiveTargetNamespace: `${n.sourceNamespace}_restored`,
    state: i % 2 ? 'COMPLETED' : 'FAILED',
    restoredDocuments: 1_000_000_000,
    totalDocuments: 2_000_000_000,
    errorMessage: long(2000),
  }));
  const req = sampleRequest({
    source: { project: name('project', 1), groupId: G, cluster: name('cluster', 1), type: 'dedicated' },
    target: { project: name('project', 2), groupId: G, cluster: name('cluster', 2), type: 'dedicated' },
    state: 'failed',
    failureReason: long(3000),
    reason: long(3000),
    namespaces: namespaces(),
    namespaceResults: results,
    writeStrategy: 'OVERWRITE_EXISTING',
    safetySnapshot: { retentionInDays: 35, id: 'f'.repeat(24), status: 'completed' },
    atlasJobId: 'a'.repeat(24),
    finishedAt: '2026-03-01T12:00:00Z',
    drill: { name: name('drill', 1), trigger: 'schedule' },
  });

  it('the final message of 200 namespaces, each with a long error: within a message’s limits', () => {
    for (const state of ['completed', 'failed', 'cancelled', 'expired'] as const) {
      const m = thread.finalMessage({ ...req, state, cancelledBy: 'U0CANCEL' }, NOW, []);
      expect(refusal('message', m), state).toEqual([]);
      expect(m.text.length).toBeLessThanOrEqual(MAX_TEXT);
    }
  });

  it('text-only messages stay under Slack’s 40,000 characters (past them Slack cuts them)', () => {
    const approvers = Array.from({ length: 500 }, (_, i) => `U0APPROVER${String(i).padStart(3, '0')}`);
    // Every approval of a request dropped at once, each with a long reason (the app words them: a sentence each).
    const dropped = approvers.slice(0, 20).map((user) => ({ user, at: '2026-03-01T10:05:00Z', why: long(1000) }));
    const texts = [
      thread.requestPostedMessage(req, approvers).text,
      thread.approvalsDroppedMessage(req, dropped, NOW).text,
      thread.notSubmittedMessage(req).text,
      thread.submitRefusedMessage(req, { message: long(3000), code: '400 INVALID' }).text,
      renderStatus(req, 'https://example.slack.com/archives/C0ABCDEF1/p1', NOW),
    ];
    texts.forEach((text, i) => expect(text.length, `text ${i}`).toBeLessThanOrEqual(MAX_TEXT));
  });

  it('`list` and `drills` of a big policy go out in several messages, cut between lines, nothing left out', () => {
    // One request in flight per target of a 150-cluster policy, with 64-character names, and its card's link.
    const active = Array.from({ length: 150 }, (_, i) => ({ ...req, id: `RR-${String(i).padStart(6, '0')}`, state: 'pending_approval' as const }));
    const links = new Map(active.map((r) => [r.id, `https://acme-corp.slack.com/archives/C0ABCDEF1/p17723592001${String(active.indexOf(r)).padStart(5, '0')}`]));
    const drills = Array.from({ length: 150 }, (_, i) => ({ ...drill(i), lastRun: { state: 'not_started', reason: long(300) } }));
    for (const text of [renderList(active, active.slice(0, 5), links), renderDrills(drills)]) {
      expect(text.length).toBeGreaterThan(MAX_TEXT);
      const parts = splitText(text, undefined, 5);
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(MAX_TEXT);
      expect(parts.join('\n')).toBe(text);
    }
  });
});

describe('splitText', () => {
  it('cuts between lines, clips a line longer than a message, and says when parts were left out', () => {
    expect(splitText('a\nb\nc', 3)).toEqual(['a\nb', 'c']);
    expect(splitText('abcdef\ng', 4)).toEqual(['abc…', 'g']);
    expect(splitText('short', 100)).toEqual(['short']);
    const parts = splitText(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'), 60, 2);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toMatch(/_…cut short: \d+ more messages of it would not fit._$/);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(60);
  });
});
