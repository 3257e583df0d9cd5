import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { FINAL_REQUEST_STATES, type RequestState, type RestoreRequest } from '../../../src/restore/types.js';
import { ACTION_IDS } from '../../../src/slack/views/ids.js';
import { buildRequestCard } from '../../../src/slack/views/request-card.js';
import { SAMPLE_GROUP_ID, sampleRequest } from '../../helpers/sample-request.js';

const G = SAMPLE_GROUP_ID;
const NOW = new Date('2026-03-01T10:10:00Z');

function request(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return sampleRequest({ reason: 'Bad migration <dropped> the index\nsecond line', ...overrides });
}

const buttonsOf = (blocks: KnownBlock[]): Button[] =>
  blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
const allText = (card: { text: string; blocks: KnownBlock[] }) => `${card.text}\n${JSON.stringify(card.blocks)}`;

describe('buildRequestCard', () => {
  it('pending: shows who, what, snapshot, reason, expiry and progress, with three buttons carrying only the id', () => {
    const card = buildRequestCard(request(), NOW);
    const text = allText(card);
    for (const part of ['<@U0REQUESTER>', '`shop/orders`', '`shop/orders-staging`', '6748a9f0c1d2e3f4a5b6c7d8', '<!date^1772330400^', '1 of 2: <@U0FIRST>']) {
      expect(text).toContain(part);
    }
    // The card stays in the channel: a relative "in 20 min" would go stale; the expiry is a Slack date token.
    expect(text).not.toMatch(/\(in \d+ min\)/);
    expect(text).toContain(`<!date^${Date.parse('2026-03-01T10:30:00Z') / 1000}^`);
    expect(text).toContain('&lt;dropped&gt;'); // user text is escaped
    expect(JSON.stringify(card.blocks)).toContain('>second line'); // multi-line quote
    const buttons = buttonsOf(card.blocks);
    expect(buttons.map((b) => [b.action_id, b.text.text, b.style])).toEqual([
      [ACTION_IDS.approve, 'Approve', 'primary'],
      [ACTION_IDS.reject, 'Reject', 'danger'],
      [ACTION_IDS.cancel, 'Cancel request', undefined],
    ]);
    for (const b of buttons) expect(b.value).toBe('RR-7K3P2Q');
  });

  it('Approve has a confirm dialog naming the target and saying its data will be replaced', () => {
    const approve = buttonsOf(buildRequestCard(request(), NOW).blocks)[0];
    expect(approve?.confirm?.text.text).toContain('ALL data on shop/orders-staging will be replaced');
    expect(approve?.confirm?.confirm?.text.length).toBeLessThanOrEqual(30);
    expect(approve?.confirm?.text.text.length).toBeLessThanOrEqual(300);
  });

  it('marks a dry run', () => {
    const card = buildRequestCard(request({ dryRun: true }), NOW);
    expect(card.text).toContain('(DRY RUN)');
    expect(JSON.stringify(card.blocks)).toContain('DRY RUN');
    expect(buttonsOf(card.blocks)[0]?.confirm?.text.text).toMatch(/^Dry run: nothing will be sent/);
  });

  it('running: no button (Atlas cannot stop a restore), and the card says so plainly', () => {
    for (const type of ['dedicated', 'flex', undefined] as const) {
      const running = request({ state: 'running', atlasJobId: 'job123', submittedAt: '2026-03-01T10:06:00Z', source: { project: 'shop', groupId: G, cluster: 'ledger', type } });
      const card = buildRequestCard(running, NOW);
      expect(buttonsOf(card.blocks)).toEqual([]);
      expect(allText(card)).toContain("Atlas can't stop a restore once it has started");
      expect(allText(card)).toContain('Atlas job `job123`');
    }
  });

  it('a very long failure reason is clipped to what Slack accepts', () => {
    const card = buildRequestCard(request({ state: 'failed', failureReason: 'x'.repeat(10_000) }), NOW);
    for (const block of card.blocks as { text?: { text: string }; elements?: { text: string }[] }[]) {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      for (const e of block.elements ?? []) expect(e.text?.length ?? 0).toBeLessThanOrEqual(3000);
    }
  });

  it('approved / submitting: no buttons, says who approved', () => {
    for (const state of ['approved', 'submitting'] as RequestState[]) {
      const card = buildRequestCard(request({ state, approvals: [{ user: 'U0A', at: NOW.toISOString() }, { user: 'U0B', at: NOW.toISOString() }] }), NOW);
      expect(buttonsOf(card.blocks)).toEqual([]);
      expect(allText(card)).toContain('Approved by <@U0A>, <@U0B>');
    }
  });

  it.each(FINAL_REQUEST_STATES.map((s) => [s]))('final state %s: no buttons', (state) => {
    const card = buildRequestCard(request({ state, atlasJobId: 'job123', target: { ...request().target, type: 'dedicated' } }), NOW);
    expect(buttonsOf(card.blocks)).toEqual([]);
    expect(card.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('final states say who and what', () => {
    const at = (s: Partial<RestoreRequest>) => allText(buildRequestCard(request(s), NOW));
    expect(at({ state: 'rejected', rejectedBy: 'U0NO' })).toContain(':no_entry: *Request rejected* by <@U0NO>.');
    expect(at({ state: 'cancelled', cancelledBy: 'U0REQUESTER' })).toContain('*Request cancelled* by <@U0REQUESTER>');
    expect(at({ state: 'cancelled', cancelledBy: 'U0OPS', atlasJobId: 'j1' })).toContain('*Restore cancelled* by <@U0OPS>');
    expect(at({ state: 'approval_expired' })).toContain('*Approval expired*');
    expect(at({ state: 'completed', atlasJobId: 'j1', submittedAt: '2026-03-01T10:06:00Z', finishedAt: '2026-03-01T11:11:00Z' })).toContain(
      '*Restore completed* after 1 h 5 min (Atlas job `j1`)',
    );
    expect(at({ state: 'failed', atlasJobId: 'j1', failureReason: 'disk full' })).toContain('*Restore failed*');
    expect(at({ state: 'failed', atlasJobId: 'j1', failureReason: 'disk full' })).toContain(': disk full');
    expect(at({ state: 'expired', atlasJobId: 'j1' })).toContain('*Restore expired*');
  });

  it('has a notification text for every state', () => {
    const states: RequestState[] = ['pending_approval', 'approved', 'submitting', 'running', ...FINAL_REQUEST_STATES];
    for (const state of states) {
      const card = buildRequestCard(request({ state }), NOW);
      expect(card.text).toMatch(/^Restore request RR-7K3P2Q from <@U0REQUESTER>: shop\/orders → shop\/orders-staging, \w/);
    }
  });
});
