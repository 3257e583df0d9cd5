import { describe, expect, it } from 'vitest';
import { stateLostMessage } from '../../../src/slack/views/state-loss-message.js';

const base = { id: 'RR-ABC123', target: '5f0c0ffee0000000000000aa/orders', targetName: 'shop/orders', requester: 'U0REQ', channel: 'C1', cardTs: '1.2' };

describe('stateLostMessage', () => {
  it('a running restore: names its Atlas job and the unlocked target, in the channel too, and calls its requester', () => {
    const m = stateLostMessage({ ...base, state: 'running', atlasJobId: '6748b0a1c1d2e3f4a5b6c7aa' });
    expect(m.text).toContain('I no longer follow restore job `6748b0a1c1d2e3f4a5b6c7aa` of RR-ABC123: Atlas may still be restoring into `shop/orders`');
    expect(m.text).toMatch(/no longer locked[^]*check the restore in the Atlas UI[^]*<@U0REQ>$/);
    expect(m.broadcast).toBe(true);
    expect(m.text).not.toContain('5f0c0ffee0000000000000aa');
  });

  it('a submission without a job id: may or may not have been sent', () => {
    expect(stateLostMessage({ ...base, state: 'submitting' }).text).toContain('RR-ABC123: it may have been sent to Atlas (restoring into `shop/orders`) or not');
  });

  it('a request waiting for approval: gone, can be requested again once Atlas shows no restore of it', () => {
    const m = stateLostMessage({ ...base, state: 'pending_approval' });
    expect(m.text).toMatch(/RR-ABC123 is gone with them and can't be approved any more\./);
    expect(m.broadcast).toBeUndefined();
  });

  it('a request seen waiting for approval may have been approved and sent since that look: never "nothing was sent, request again"', () => {
    // The replica's last look at the requests in flight may be minutes old (the reconcile's read, a metrics scrape):
    // an approval and its POST in between would leave a restore running, its target unlocked, and this message
    // inviting a second one into it.
    const m = stateLostMessage({ ...base, state: 'pending_approval' }, '2026-03-01T10:05:00Z');
    expect(m.text).not.toMatch(/Nothing was sent to Atlas/);
    expect(m.text).toContain('waiting for approval at my last look (<!date^1772359500^');
    expect(m.text).toMatch(/may have been sent to Atlas[^]*check the restores of `shop\/orders` in the Atlas UI before requesting it again/);
  });

  it('seen by a version that kept no names: the cluster from the target, no group id', () => {
    const { targetName: _, requester: __, ...old } = base;
    const m = stateLostMessage({ ...old, state: 'running', atlasJobId: 'j1' });
    expect(m.text).toContain('restoring into `orders`');
    expect(m.text).not.toContain('5f0c0ffee');
  });
});
