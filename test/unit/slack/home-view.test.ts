import type { ActionsBlock, AnyBlock, Button } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { DrillSummary } from '../../../src/restore/drill-types.js';
import type { RestoreRequest } from '../../../src/restore/types.js';
import { buildHomeView, buildNoticeModal, HOME_MAX_BLOCKS, type HomeState } from '../../../src/slack/views/home-view.js';
import { APPROVE_ACTION_ID, HOME_NEW_RESTORE_ACTION_ID, REJECT_ACTION_ID } from '../../../src/slack/views/ids.js';
import { buildRequestCard } from '../../../src/slack/views/request-card.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';
import { messageToText } from '../../fakes/flatten-blocks.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T10:10:00Z');
const VIEWER = 'U0VIEWER';

function member(overrides: Partial<Extract<HomeState, { kind: 'member' }>> = {}): HomeState {
  return { kind: 'member', user: VIEWER, now: NOW, awaiting: [], inFlight: [], history: [], drills: [], ...overrides };
}

const text = (state: HomeState) => messageToText({ blocks: buildHomeView(state).blocks });
const buttons = (blocks: AnyBlock[]): Button[] => blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
const many = (n: number, overrides: Partial<RestoreRequest> = {}) =>
  Array.from({ length: n }, (_, i) => sampleRequest({ id: `RR-${String(i).padStart(6, '0')}`, reason: 'x'.repeat(2500), ...overrides }));

describe('buildHomeView', () => {
  it('lists what waits for the viewer with the card’s own Approve (same confirm dialog) and Reject, carrying only the id', () => {
    const req = sampleRequest({ reason: 'index <dropped>' });
    const view = buildHomeView(member({ awaiting: [req] }));
    expect(view.type).toBe('home');
    const [approve, reject] = buttons(view.blocks).filter((b) => b.value === req.id);
    const card = buttons(buildRequestCard(req, NOW).blocks);
    expect(approve).toEqual(card.find((b) => b.action_id === APPROVE_ACTION_ID));
    expect(approve?.confirm?.text.text).toMatch(/ALL data on shop\/orders-staging will be replaced/);
    expect(reject).toEqual(card.find((b) => b.action_id === REJECT_ACTION_ID));
    const shown = text(member({ awaiting: [req] }));
    expect(shown).toContain('Waiting for your approval* (1)');
    expect(shown).toContain('&lt;dropped&gt;'); // the requester's text is escaped
    expect(shown).toMatch(/replaces \*ALL data\*/);
    expect(shown).toContain('1 of 2: <@U0FIRST>');
  });

  it('gives every request’s buttons a block id of their own (Slack refuses duplicates in a view)', () => {
    const view = buildHomeView(member({ awaiting: many(3) }));
    const ids = view.blocks.map((b) => b.block_id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('home_decide:RR-000002');
  });

  it('shows restores in flight, the viewer’s history with their part in it, and a New restore button', () => {
    const running = sampleRequest({ id: 'RR-RUNNIN', state: 'running', lastJobState: 'running', atlasJobId: '6a793f812c88faeba59bc399' });
    const done = sampleRequest({ id: 'RR-DONE01', state: 'completed', requester: 'U0OTHER', approvals: [{ user: VIEWER, at: '2026-03-01T09:00:00Z' }], finishedAt: '2026-03-01T09:30:00Z' });
    const rejected = sampleRequest({ id: 'RR-REJECT', state: 'rejected', rejectedBy: VIEWER, approvals: [] });
    const view = buildHomeView(member({ inFlight: [running], history: [done, rejected] }));
    const shown = messageToText({ blocks: view.blocks });
    expect(shown).toMatch(/In flight\* \(1\)[\s\S]*RR-RUNNIN[\s\S]*Restore running\* \(Atlas job `6a793f812c88faeba59bc399`\)/);
    expect(shown).toMatch(/RR-DONE01\* `shop\/orders` → `shop\/orders-staging`: restore completed .* \(you approved it\)/);
    expect(shown).toMatch(/RR-REJECT.*rejected .*\(you rejected it\)/);
    expect(shown).toContain('Nothing waits for your approval');
    expect(buttons(view.blocks).map((b) => b.action_id)).toEqual([HOME_NEW_RESTORE_ACTION_ID]);
  });

  it('says "No drills in the policy" when there are none, and shows each drill’s schedule and last result', () => {
    expect(text(member())).toContain('No drills in the policy');
    expect(text(member({ drills: 'unavailable' }))).toContain('could not be read');
    const drill: DrillSummary = {
      name: 'orders-weekly',
      source: 'shop/orders',
      target: 'shop/orders-drill',
      schedule: '0 3 * * 1',
      timeZone: 'Europe/Berlin',
      channel: 'C0ABCDEF1',
      nextRunAt: '2026-03-02T02:00:00Z',
      lastRun: { requestId: 'RR-DRILL1', state: 'completed', finishedAt: '2026-02-23T02:14:00Z', restoreMs: 14 * 60_000, snapshotAgeMs: 65 * 60_000 },
    };
    const shown = text(member({ drills: [drill, { ...drill, name: 'never', lastRun: undefined, nextRunAt: undefined }] }));
    expect(shown).toMatch(/orders-weekly\* `shop\/orders` → `shop\/orders-drill`, `0 3 \* \* 1` \(Europe\/Berlin\) in <#C0ABCDEF1>/);
    expect(shown).toContain(`Next run <!date^${Date.parse('2026-03-02T02:00:00Z') / 1000}^`);
    expect(shown).toMatch(/Last run \*RR-DRILL1\*: completed .*, restore time 14 min, snapshot age 1 h 5 min/);
    expect(shown).toMatch(/never\*[\s\S]*Not run yet/);
    expect(shown).not.toContain('No drills in the policy');
  });

  it('shows someone outside the policy no request and says why; no New restore button', () => {
    const view = buildHomeView({ kind: 'outsider', now: NOW });
    const shown = messageToText({ blocks: view.blocks });
    expect(shown).toMatch(/not named in the restore policy/);
    expect(shown).not.toMatch(/RR-/);
    expect(buttons(view.blocks)).toEqual([]);
    expect(text({ kind: 'unavailable', now: NOW })).toMatch(/cannot be reached right now/);
    expect(text({ kind: 'unavailable', now: NOW, because: 'membership' })).toMatch(/Slack couldn't tell just now whether you are in the restore policy's user groups/);
  });

  it('stays within Slack’s limits however much there is (100 blocks, text lengths), and says what it left out', () => {
    const state = member({
      awaiting: many(60),
      inFlight: many(40, { state: 'running', failureReason: 'y'.repeat(5000) }),
      history: many(30, { state: 'failed', failureReason: 'z'.repeat(5000) }),
      drills: Array.from({ length: 30 }, (_, i) => ({ name: `d${i}`, source: 'a/b', target: 'a/c', schedule: '* * * * *', timeZone: 'UTC', channel: 'C1' })),
    });
    const view = buildHomeView(state);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    expect(slackRefusal('home', view)).toBeUndefined();
    const shown = messageToText({ blocks: view.blocks });
    expect(shown).toContain('Waiting for your approval* (60)');
    expect(shown).toContain('…and 45 more');
    expect(shown).toContain('…and 30 more');
    expect(shown).toContain('…and 20 more: `/atlas-restore drills`');
  });

  it('the limit check it relies on does fail on a view over the limits', () => {
    const blocks = Array.from({ length: HOME_MAX_BLOCKS + 1 }, () => ({ type: 'divider' }));
    expect(slackRefusal('home', { type: 'home', blocks })?.error).toBe('invalid_arguments');
    expect(slackRefusal('home', { type: 'home', blocks: [{ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }] })?.error).toBe('invalid_arguments');
  });

  it('is a pure function of its state', () => {
    const state = member({ awaiting: many(2), history: many(1, { state: 'completed' }) });
    expect(buildHomeView(state)).toEqual(buildHomeView(structuredClone(state)));
  });
});

describe('buildNoticeModal', () => {
  it('is a modal with a short title and a close button only', () => {
    const modal = buildNoticeModal('New restore', 'Run `/atlas-restore` in a channel.');
    expect(modal).toMatchObject({ type: 'modal', title: { text: 'New restore' }, close: { text: 'OK' } });
    expect(modal.submit).toBeUndefined();
    expect(messageToText({ blocks: modal.blocks })).toContain('Run `/atlas-restore` in a channel.');
  });
});
