// The App Home at its extremes, read for what it says (block-kit-extremes.test.ts checks that Slack takes it): an
// approver must still see a request's expiry and reason, and every entry of their history, whole.
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../../src/restore/types.js';
import { buildHomeView, type HomeState } from '../../../src/slack/views/home-view.js';
import { messageToText } from '../../fakes/flatten-blocks.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T10:10:00Z');
const G = '5e2211c17a3e5a48f5497de3';
const name = (prefix: string, i: number, n = 64) => `${prefix}-${i}-`.padEnd(n, 'x');

function home(overrides: Partial<Extract<HomeState, { kind: 'member' }>>): { text: string; blocks: unknown[] } {
  const view = buildHomeView({ kind: 'member', user: 'U0VIEWER', now: NOW, awaiting: [], inFlight: [], history: [], drills: [], ...overrides });
  expect(slackRefusal('home', view)?.messages ?? []).toEqual([]);
  return { text: messageToText({ blocks: view.blocks }), blocks: view.blocks };
}

describe('the App Home keeps what an approver decides on', () => {
  it('a request of 100 long namespaces still shows its expiry and its reason beside the buttons', () => {
    const namespaces = Array.from({ length: 100 }, (_, i) => ({ sourceNamespace: `${name('db', i, 63)}.${name('collection', i, 191)}` }));
    const req = sampleRequest({ namespaces, writeStrategy: 'OVERWRITE_EXISTING', reason: 'INC-4711: orders were dropped by a migration' });
    const { text } = home({ awaiting: [req] });
    expect(text).toContain('Waiting for approval');
    expect(text).toMatch(/Expires <!date\^\d+\^/);
    expect(text).toContain('INC-4711: orders were dropped by a migration');
    expect(text).toContain('100 namespaces');
  });

  it('a history of 10 requests between clusters of 64-character names shows every one, none cut', () => {
    const history: RestoreRequest[] = Array.from({ length: 10 }, (_, i) =>
      sampleRequest({
        id: `RR-00000${i}`,
        requester: 'U0VIEWER',
        state: 'completed',
        dryRun: true,
        finishedAt: '2026-03-01T09:00:00Z',
        namespaces: [{ sourceNamespace: 'sales' }],
        pointInTime: { utcSeconds: 1_772_000_000 },
        source: { project: name('project', i), groupId: G, cluster: name('cluster', i) },
        target: { project: name('project', i + 1), groupId: G, cluster: name('cluster', i + 1) },
      }),
    );
    const { text } = home({ history });
    for (const r of history) expect(text).toMatch(new RegExp(`\\*${r.id}\\* \\(dry run\\).*dry run completed <!date\\^\\d+\\^[^>]+> \\(you requested it\\)`));
  });
});

describe('the App Home says what the card says about a restore in flight', () => {
  it('a running restore Atlas cannot be checked for says why, and a collection restore how far it is', () => {
    const req = sampleRequest({
      state: 'running',
      atlasJobId: 'a'.repeat(24),
      lastJobState: 'running',
      namespaces: [{ sourceNamespace: 'sales.orders' }],
      progress: { restoredDocuments: 500, totalDocuments: 2000, announcedStep: 0 },
      waitingFor: { reason: 'Atlas refused the API key: check it (ATLAS_UNAUTHORIZED)', since: '2026-03-01T10:00:00Z' },
    });
    const { text } = home({ inFlight: [req] });
    expect(text).toContain('Atlas refused the API key: check it (ATLAS_UNAUTHORIZED)');
    expect(text).toContain('25 % restored (500 of 2,000 documents)');
  });
});
