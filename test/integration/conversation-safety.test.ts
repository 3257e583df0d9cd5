// Safety rules of DESIGN.md §5 at every entry point, through the real HTTP receiver.
import { describe, expect, it } from 'vitest';
import { sendSlashCommand } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, CHANNEL, OUTSIDER, REQUESTER, SIGNING_SECRET, logLines, requestRestore, useHarness, waitForState } from './conversation-harness.js';

const h = useHarness();

const atlasCalls = () => h.atlas.requests.length;

describe('request signatures', () => {
  it.each(['forged', 'unsigned', 'stale'] as const)('a %s slash command gets 401 and changes nothing', async (tamper) => {
    const calls = h.slack.calls.length;
    const audit = (await h.app.services.store.readAudit(1000)).length;
    const res = await sendSlashCommand(h.url, SIGNING_SECRET, { text: 'shop/orders', userId: REQUESTER, channelId: CHANNEL }, { tamper });
    expect(res.status).toBe(401);
    expect(h.slack.calls.length).toBe(calls);
    expect((await h.app.services.store.readAudit(1000)).length).toBe(audit);
  });
});

describe('malformed commands', () => {
  it.each(['to', 'shop/orders to', 'status a b c', 'shop/orders nothex to x', '!!!', 'list please', '\u0000<>&', 'x'.repeat(3000)])(
    'malformed input #%# gets a private explanation with the usage in the ack',
    async (text) => {
      const res = await sendSlashCommand(h.url, SIGNING_SECRET, { text, userId: REQUESTER, channelId: CHANNEL });
      expect(res.status).toBe(200);
      const body = res.json as { text: string; response_type: string };
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toMatch(/Usage/);
    },
  );

  it('answers in the ack body: what was wrong and the usage', async () => {
    const res = await sendSlashCommand(h.url, SIGNING_SECRET, { text: 'shop/orders 123 to', userId: REQUESTER, channelId: CHANNEL });
    expect(res.status).toBe(200);
    const body = res.json as { text: string; response_type: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/Usage/);
  });

  it('help lists the commands', async () => {
    const res = await sendSlashCommand(h.url, SIGNING_SECRET, { text: 'help', userId: OUTSIDER, channelId: CHANNEL });
    expect((res.json as { text: string }).text).toContain('/atlas-restore status');
  });

  it('refuses a channel outside the policy, with a message', async () => {
    const res = await sendSlashCommand(h.url, SIGNING_SECRET, { text: '', userId: REQUESTER, channelId: 'C0ELSEWHERE' });
    expect((res.json as { text: string }).text).toMatch(/channel/i);
  });
});

describe('the allow-list at every entry point', () => {
  it('command: someone not on the list sees why, and Atlas is not called', async () => {
    const before = atlasCalls();
    const viewsBefore = h.slack.views().length;
    const { json } = await h.command(OUTSIDER, '');
    expect(json).toMatchObject({ response_type: 'ephemeral' });
    expect(String((json as { text: string }).text)).toMatch(/not allowed to request restores/);
    expect(h.slack.views().length).toBe(viewsBefore); // a private answer, not a form
    expect(atlasCalls()).toBe(before);
    const audit = await h.app.services.store.readAudit(50);
    expect(audit.some((e) => e.type === 'refused' && e.user === OUTSIDER)).toBe(true);
  });

  it('modal submit: a crafted submission by an outsider gets field errors and creates nothing', async () => {
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/orders');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => JSON.stringify(v.blocks).includes('restore_snapshot_select') && JSON.stringify(v.blocks).includes('"options"')));
    const requestsBefore = (await h.app.services.store.listRecent(100)).length;
    const res = await h.submitModal(modal, OUTSIDER, { confirmation: 'orders' });
    const body = res.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.values(body.errors).join(' ')).toMatch(/not allowed/);
    expect((await h.app.services.store.listRecent(100)).length).toBe(requestsBefore);
  });

  it('modal submit: a reason longer than the form lets anyone type is refused inline, not stored', async () => {
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/orders');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => JSON.stringify(v.blocks).includes('restore_snapshot_select') && JSON.stringify(v.blocks).includes('"options"')));
    const requestsBefore = (await h.app.services.store.listRecent(100)).length;
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'orders', reason: 'x'.repeat(20_000) });
    const body = res.json as { response_action: string; errors: Record<string, string> };
    expect(body).toEqual({ response_action: 'errors', errors: { restore_reason: expect.stringContaining('500') } });
    expect((await h.app.services.store.listRecent(100)).length).toBe(requestsBefore);
  });

  it('modal submit: a wrong confirmation comes back inline, nothing is lost', async () => {
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/orders');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => JSON.stringify(v.blocks).includes('"options"') && JSON.stringify(v.blocks).includes('restore_snapshot')));
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'order' });
    const body = res.json as { response_action: string; errors: Record<string, string> };
    expect(body).toEqual({ response_action: 'errors', errors: { restore_confirmation: expect.stringContaining('orders') } });
  });

  it('approve: an outsider is refused privately, with no Atlas call and no state change', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    const before = atlasCalls();
    await h.click(OUTSIDER, 'restore_approve', req.id);
    await waitFor(() => h.ephemeralTexts(OUTSIDER).find((t) => t.includes('not an approver')));
    expect(atlasCalls()).toBe(before);
    expect((await h.request(req.id))!.state).toBe('pending_approval');
    // Counted once the handler has finished, just after the private answer went out.
    await waitFor(async () => /atlas_restore_slack_requests_total\{kind="action",outcome="refused"\} [1-9]/.test(await (await fetch(`${h.url}/metrics`)).text()), { message: 'refused click counted' });
  });

  it('approve: the requester cannot approve their own request', async () => {
    const req = await requestRestore(h, { source: 'ledger' });
    const before = atlasCalls();
    await h.click(REQUESTER, 'restore_approve', req.id);
    await waitFor(() => h.ephemeralTexts(REQUESTER).find((t) => t.includes('someone else has to approve')));
    expect(atlasCalls()).toBe(before);
    expect((await h.request(req.id))!.state).toBe('pending_approval');
  });
});

describe('exactly once', () => {
  it('20 concurrent Approve clicks submit exactly one restore job', async () => {
    const req = await requestRestore(h, { source: 'legacy' });
    const posts = h.postsToAtlas();
    const clicks = await Promise.all(Array.from({ length: 20 }, (_, i) => h.click(i % 2 ? APPROVER : APPROVER_2, 'restore_approve', req.id)));
    expect(clicks.every((c) => c.status === 200)).toBe(true);
    const running = await waitForState(h, req.id, 'running');
    // Give every click time to finish its work before counting: wait until all have been answered privately or counted.
    await waitFor(() => h.ephemeralTexts(APPROVER).length + h.ephemeralTexts(APPROVER_2).length >= 19, { timeoutMs: 8000 });
    expect(h.postsToAtlas() - posts).toBe(1);
    expect(running.approvals).toHaveLength(1);
    const submittedOf = async () => (await h.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id && e.type === 'submitted');
    // The audit entry follows the state change: wait for it, then make sure it is the only one.
    await waitFor(async () => (await submittedOf()).length > 0, { message: 'the submitted audit entry' });
    expect(await submittedOf()).toHaveLength(1);
  });

  it('a Slack retry of the same modal submission creates one request', async () => {
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/staging');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => JSON.stringify(v.blocks).includes('"options"') && JSON.stringify(v.blocks).includes('restore_snapshot')));
    const before = (await h.app.services.store.listRecent(100)).length;
    const cards = () => h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && m.text.startsWith('Restore request'));
    const cardsBefore = cards().length;
    const [a, b] = await Promise.all([
      h.submitModal(modal, REQUESTER, { confirmation: 'staging' }),
      h.submitModal(modal, REQUESTER, { confirmation: 'staging' }, { retryNum: 1 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // Both close the form: the retry is recognised as the same submission, not refused as a second request.
    expect([a.json ?? null, b.json ?? null]).toEqual([null, null]);
    // Wait until the one request is fully published (card and first thread message), then count.
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => r.target.cluster === 'staging' && r.cardTs));
    await h.waitForThread(req.id, /asks to restore/);
    expect((await h.app.services.store.listRecent(100)).length).toBe(before + 1);
    expect(cards().length).toBe(cardsBefore + 1);
  });
});

describe('one restore at a time per target', () => {
  it('a second request for a busy target is refused inline with who holds it and since when', async () => {
    const first = await requestRestore(h, { source: 'orders' });
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/ledger to shop/orders');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => JSON.stringify(v.blocks).includes('"options"') && JSON.stringify(v.blocks).includes('restore_snapshot')));
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'orders' });
    const body = res.json as { errors: Record<string, string> };
    const message = Object.values(body.errors).join(' ');
    expect(message).toContain(first.id);
    // Plain text on the form: no mention markup, and a pending request is not called a restore in progress.
    expect(message).toContain('a request waiting for approval');
    expect(message).toContain('requested by you');
    expect(message).not.toContain('<@');
    expect(message).toMatch(/since/);
  });
});

describe('audit', () => {
  it('logs every decision as one structured line, besides the Redis stream', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    await h.click(OUTSIDER, 'restore_approve', req.id);
    const line = await waitFor(() => logLines.find((l) => l.includes('"audit"') && l.includes('"refused"') && l.includes(req.id)));
    const parsed = JSON.parse(line) as { audit: { type: string; requestId: string; user: string; detail: string; streamId: string } };
    expect(parsed.audit).toMatchObject({ type: 'refused', requestId: req.id, user: OUTSIDER });
    expect(parsed.audit.detail).toMatch(/not an approver/);
    const stream = await h.app.services.store.readAudit(1000);
    expect(stream.some((e) => e.type === 'refused' && e.requestId === req.id)).toBe(true);
    expect(logLines.some((l) => l.includes('"audit"') && l.includes('"requested"') && l.includes(req.id))).toBe(true);
  });
});

describe('the snapshot is confirmed before a request is made', () => {
  it('when Atlas does not answer in time on a cache miss, the form says so and nothing is created', async () => {
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/ledger');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => JSON.stringify(v.blocks).includes('"options"') && JSON.stringify(v.blocks).includes('restore_snapshot')));
    h.atlas.inject({ kind: 'hang', method: 'GET', pathIncludes: '/backup/snapshots/', count: 1 });
    const before = (await h.app.services.store.listRecent(100)).length;
    // Another view id: the snapshots shown in this modal are not cached for it, so Atlas is asked.
    const res = await h.submitModal({ ...modal, id: 'V0NOTCACHED' }, REQUESTER, { confirmation: 'ledger' });
    const body = res.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.values(body.errors).join(' ')).toMatch(/didn't answer in time/);
    expect((await h.app.services.store.listRecent(100)).length).toBe(before);
  });
});
