// The thread message when the re-check before the POST finds fewer counting approvals than the policy asks for.
import { describe, expect, it } from 'vitest';
import { approvalsDroppedMessage } from '../../../src/slack/views/thread-messages.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const BEFORE_EXPIRY = new Date('2026-03-01T10:10:00Z');
const AFTER_EXPIRY = new Date('2026-03-01T10:31:00Z');

describe('approvalsDroppedMessage', () => {
  it('names whose approval no longer counts and why, and how many are still needed before when', () => {
    const m = approvalsDroppedMessage(sampleRequest({ approvals: [] }), [{ user: 'U0FIRST', at: '2026-03-01T10:05:00Z', why: 'no longer an approver of restores into `shop/orders-staging`' }], BEFORE_EXPIRY);
    expect(m.text).toContain("<@U0FIRST>'s approval no longer counts: no longer an approver");
    expect(m.text).toMatch(/It needs 2 more approvals before <!date\^/);
  });

  it('a raised count with nothing dropped says the policy asks for more', () => {
    const m = approvalsDroppedMessage(sampleRequest({ approvalsRequired: 3, approvals: [{ user: 'U0A', at: 'x' }, { user: 'U0B', at: 'x' }] }), [], BEFORE_EXPIRY);
    expect(m.text).toContain('• The policy now asks for 3 approvals.');
    expect(m.text).toContain('It needs 1 more approval before');
  });

  it('after the approval window closed it names no past time: the request ends', () => {
    const m = approvalsDroppedMessage(sampleRequest({ approvals: [] }), [{ user: 'U0FIRST', at: 'x', why: 'gone' }], AFTER_EXPIRY);
    expect(m.text).toContain('The approval window has closed, so the request ends; nothing was sent to Atlas.');
    expect(m.text).not.toMatch(/more approval/);
  });
});
