// One form submission delivered twice (Slack's retry with X-Slack-Retry-Num after a slow answer, or a double delivery):
// whichever answer Slack keeps must tell the truth. A copy that finds the other attempt at work waits for its outcome:
// the form closes only when a request was made, and a refusal (the target held) is shown by both.
import { describe, expect, it } from 'vitest';
import type { StoredView } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import { GROUP_ID, REQUESTER, isFilledModal, requestRestore, useHarness, type Harness } from './conversation-harness.js';

const errorsOf = (json: unknown) => (json as { errors?: Record<string, string> } | undefined)?.errors ?? {};

async function modalFor(h: Harness, text: string): Promise<StoredView> {
  const viewsBefore = h.slack.views().length;
  await h.command(REQUESTER, text);
  return waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: `modal of ${text}` });
}

describe('a form submission delivered twice', () => {
  const h = useHarness();

  it('for a target another request holds: both deliveries answer with the refusal, neither closes the form with nothing requested', async () => {
    const holder = await requestRestore(h, { source: 'orders' });
    const modal = await modalFor(h, 'shop/ledger to shop/orders');
    const before = (await h.app.services.store.listRecent(100)).length;
    const answers = await Promise.all([
      h.submitModal(modal, REQUESTER, { confirmation: 'orders' }),
      h.submitModal(modal, REQUESTER, { confirmation: 'orders' }, { retryNum: 1 }),
    ]);
    for (const answer of answers) expect(errorsOf(answer.json)['restore_target:shop/ledger']).toContain(`already has a request waiting for approval: ${holder.id}`);
    expect((await h.app.services.store.listRecent(100)).length).toBe(before);
  });

  it('while Redis refuses the request: both say it could not be saved, and the form submitted again later goes through', async () => {
    const modal = await modalFor(h, 'shop/staging');
    const lockKey = `${h.prefix}lock:${GROUP_ID}:staging`;
    await h.redis.set(lockKey, 'not a lock hash'); // a real fault: the lock script meets WRONGTYPE
    const answers = await Promise.all([
      h.submitModal(modal, REQUESTER, { confirmation: 'staging' }),
      h.submitModal(modal, REQUESTER, { confirmation: 'staging' }, { retryNum: 1 }),
    ]);
    for (const answer of answers) expect(errorsOf(answer.json)['restore_target:shop/staging']).toMatch(/couldn't be saved.*nothing was requested/);
    await h.redis.del(lockKey);
    expect((await h.submitModal(modal, REQUESTER, { confirmation: 'staging' })).json ?? null).toBeNull();
    await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => r.target.cluster === 'staging' && r.cardTs), { message: 'the request of the later submit' });
  });

  it('that goes through: both close the form, one request', async () => {
    const modal = await modalFor(h, 'shop/legacy');
    const before = (await h.app.services.store.listRecent(100)).length;
    const answers = await Promise.all([
      h.submitModal(modal, REQUESTER, { confirmation: 'legacy' }),
      h.submitModal(modal, REQUESTER, { confirmation: 'legacy' }, { retryNum: 1 }),
    ]);
    expect(answers.map((a) => a.json ?? null)).toEqual([null, null]);
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => r.target.cluster === 'legacy' && r.cardTs), { message: 'the request' });
    await h.waitForThread(req.id, /asks to restore/);
    expect((await h.app.services.store.listRecent(100)).length).toBe(before + 1);
  });
});
