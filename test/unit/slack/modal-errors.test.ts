// Inline errors of the restore modal are plain text: no mention or code markup, and the lock holder said as it is.
import { describe, expect, it } from 'vitest';
import { lockHolderText, plainModalErrors, plainModalText } from '../../../src/slack/views/modal-errors.js';

const base = { targetKey: 'shop/orders-drill', holder: 'RR-0042', since: '2026-03-01T02:00:00Z', viewer: 'U0REQUEST1', timeZone: 'UTC' };

describe('lockHolderText', () => {
  it('a drill holds the target: "a drill", with its name, and no mention markup', () => {
    const text = lockHolderText({ ...base, held: { requester: 'drill:orders-weekly', state: 'running', drill: { name: 'orders-weekly', trigger: 'schedule' } } });
    expect(text).toBe('shop/orders-drill is in use by a drill (orders-weekly): RR-0042 since 2026-03-01 02:00 UTC. Wait for it to end, or pick another target.');
  });

  it('a request waiting for approval is not a restore in progress; someone else is not named with markup', () => {
    const text = lockHolderText({ ...base, held: { requester: 'U0OTHER001', state: 'pending_approval' } });
    expect(text).toContain('already has a request waiting for approval: RR-0042 (requested by someone else)');
    expect(text).not.toMatch(/[<>`]|in progress/);
  });

  it('an approved or running one is a running restore; an unreadable holder is another request', () => {
    expect(lockHolderText({ ...base, held: { requester: 'U0REQUEST1', state: 'submitting' } })).toContain('a running restore: RR-0042 (requested by you)');
    expect(lockHolderText({ ...base, held: null })).toContain('is held by another request: RR-0042');
  });
});

describe('plainModalText', () => {
  it('turns mentions into words and drops code spans', () => {
    expect(plainModalText('Use it in <#C0ABCDEF1|db-ops> or <#C0ABCDEF2>; ask <@U0123ABCD>, <@drill:w>, <!subteam^S0456EFGH>: `shop/orders`.')).toBe(
      'Use it in #db-ops or a channel; ask someone, a drill (w), a user group: shop/orders.',
    );
    expect(plainModalErrors({ a: '`x`', b: 'plain' })).toEqual({ a: 'x', b: 'plain' });
  });
});
