// Point-in-time requests through the real Bolt app (DESIGN.md §6 "Point in time"): `at <time>` pre-fills the modal,
// the radio switches to it, the submit checks the window (the error names it) and the base snapshot, the card shows
// the exact UTC second and the base snapshot. Up to the request; the restore itself is the pipeline's.
import { beforeAll, describe, expect, it } from 'vitest';
import { utcSecond } from '../../src/slack/views/describe-restore.js';
import { tzOffsetSeconds } from '../fakes/fake-slack-workspace.js';
import { waitFor } from '../helpers/wait-for.js';
import { CHANNEL, GROUP_ID, REQUESTER, snapshotIdOf, useHarness } from './conversation-harness.js';

const h = useHarness();
const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const errorsOf = (json: unknown) => (json as { response_action?: string; errors?: Record<string, string> } | undefined)?.errors ?? {};
const ephemeral = (json: unknown) => (json as { response_type?: string; text?: string } | undefined)?.text ?? '';
/**
 * The requester's zone (Europe/Paris) as the app names it at the times shown between `from` and `to` (seconds): a
 * regex part. "GMT+1" in winter, "GMT+2" in summer (the window's start is a week back, so not always now's offset);
 * either, when the clocks change in between.
 */
function parisZone(from: number, to: number): string {
  const names = [...new Set([from, to].map((s) => `GMT\\+${tzOffsetSeconds('Europe/Paris', new Date(s * 1000)) / 3600}`))];
  return names.length === 1 ? names[0]! : `(?:${names.join('|')})`;
}
const WEEK = 7 * 24 * HOUR;

beforeAll(() => {
  // Continuous cloud backup on the dedicated `ledger` only; `staging` (detected dedicated) keeps it off.
  h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 7 });
});

async function newRequest(before: Set<string>) {
  return waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'posted request' });
}
const requestIds = async () => new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));

describe('a point-in-time restore', () => {
  it('`at <time>` pre-fills the picker and the window; the request stores the second and its base snapshot; the card says both', async () => {
    const started = nowSeconds();
    const at = started - 2 * HOUR; // after the second snapshot (25 h old), before the newest (1 h old)
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    const cmd = await h.command(REQUESTER, `shop/ledger at ${iso(at)}`);
    expect(cmd.json ?? null).toBeNull(); // no refusal: the form opens
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('restore_point_in_time')), { message: 'modal with the picker' });
    const text = JSON.stringify(modal.blocks);
    expect(text).toContain(`"initial_date_time":${at}`);
    // The window's start (a week back) is shown a minute or two after it, in the requester's zone of that time.
    const zone = parisZone(started - WEEK, nowSeconds() - WEEK + 120);
    expect(text).toMatch(new RegExp(String.raw`Restorable window: from \d{4}-\d{2}-\d{2} \d{2}:\d{2} ${zone} to now \(7 days of continuous cloud backup\)\. Times in Europe\/Paris`));
    expect(text).toContain('Anything written to it after the chosen time is lost');
    expect(text).not.toContain('restore_snapshot:'); // no snapshot list: the base is Atlas's choice

    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'ledger', reason: 'bad deploy at 13:00' });
    expect(res.json ?? null).toBeNull();
    const req = await newRequest(before);
    expect(req.pointInTime).toEqual({ utcSeconds: at });
    expect(req.snapshot.id).toBe(snapshotIdOf(h, 'ledger', 1)); // the newest completed snapshot before the time
    expect(req.namespaces).toBeUndefined();
    expect(h.atlas.requests.some((r) => r.method === 'GET' && r.path.endsWith('/clusters/ledger/backup/snapshots') && r.query.pointInTimeUtcSeconds === String(at))).toBe(true);

    const card = JSON.stringify(h.rootCard(req.id)!.blocks);
    expect(card).toContain(utcSecond(at)); // e.g. 2026-12-01 14:05:00 UTC
    expect(card).toContain(req.snapshot.id);
    expect(card).toMatch(/base snapshot/);
    expect(card).toContain('ALL data');
  });

  it('the "from" radio switches the modal to the picker; a time within the hour starts from the newest snapshot', async () => {
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/ledger');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('"block_id":"restore_from"') && JSON.stringify(v.blocks).includes('restore_snapshot:')), { message: 'modal with the from radio' });
    const switched = await h.changeModal(modal, REQUESTER, 'from', { from: 'pointInTime' }, (v) => JSON.stringify(v.blocks).includes('"type":"datetimepicker"'));
    expect(JSON.stringify(switched.blocks)).not.toContain('restore_snapshot:');
    // The picker starts empty: left untouched, it must not restore to the moment the form opened.
    expect(JSON.stringify(switched.blocks)).not.toContain('initial_date_time');
    const untouched = await h.submitModal(switched, REQUESTER, { from: 'pointInTime', confirmation: 'ledger' });
    expect(errorsOf(untouched.json)).toEqual({ restore_point_in_time: 'Choose the date and time to restore to.' });
    expect(await requestIds()).toEqual(before);
    const at = nowSeconds() - 30 * 60;
    const res = await h.submitModal(switched, REQUESTER, { from: 'pointInTime', pointInTime: at, confirmation: 'ledger' });
    expect(res.json ?? null).toBeNull();
    const req = await newRequest(before);
    expect(req.pointInTime).toEqual({ utcSeconds: at });
    expect(req.snapshot.id).toBe(snapshotIdOf(h, 'ledger', 0));
  });

  it('switching to a snapshot and back keeps the time picked; the request is for that time', async () => {
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/ledger');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('"block_id":"restore_from"') && JSON.stringify(v.blocks).includes('restore_snapshot:')), { message: 'modal with the from radio' });
    const picker = (v: { blocks: unknown }) => JSON.stringify(v.blocks).includes('"type":"datetimepicker"');
    const at = nowSeconds() - 3 * HOUR;
    const pit = await h.changeModal(modal, REQUESTER, 'from', { from: 'pointInTime' }, picker);
    // The time is picked, then the user looks at the snapshots instead, and comes back.
    const snapshots = await h.changeModal(pit, REQUESTER, 'from', { from: 'snapshot', pointInTime: at }, (v) => !picker(v));
    const back = await h.changeModal(snapshots, REQUESTER, 'from', { from: 'pointInTime' }, picker);
    expect(JSON.stringify(back.blocks)).toContain(`"initial_date_time":${at}`);
    const res = await h.submitModal(back, REQUESTER, { from: 'pointInTime', confirmation: 'ledger' });
    expect(res.json ?? null).toBeNull();
    expect((await newRequest(before)).pointInTime).toEqual({ utcSeconds: at });
  });

  it('a time outside the window is refused inline, and the error says the window; nothing is requested', async () => {
    const started = nowSeconds();
    const at = started - 8 * 24 * HOUR;
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, `shop/ledger at ${at}`);
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('restore_point_in_time')), { message: 'modal with the picker' });
    // The modal says so already, before any submit.
    expect(JSON.stringify(modal.blocks)).toMatch(/is outside the restorable window of `shop\/ledger`/);
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' });
    const error = errorsOf(res.json)['restore_point_in_time'];
    const zone = parisZone(started - WEEK, nowSeconds() - WEEK + 120);
    expect(error).toMatch(new RegExp(String.raw`is outside the restorable window of shop\/ledger: from \d{4}-\d{2}-\d{2} \d{2}:\d{2} ${zone} to now \(7 days of continuous cloud backup\)`));
    expect(await requestIds()).toEqual(before);
  });

  it('a time near the start of the window is refused inline: it would leave the window while the approval is awaited', async () => {
    // 10 min 30 s inside: the half minute covers the seconds the command and the submit take, which would otherwise
    // make it "9 min" by the check (the window's start moves on with the clock).
    const started = nowSeconds();
    const at = started - WEEK + 10 * 60 + 30;
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, `shop/ledger at ${at}`);
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('restore_point_in_time')), { message: 'modal with the picker' });
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' });
    // The policy's approval window (30 min) and the sending; ledger takes no safety snapshot here. The earliest time
    // offered is those 50 min (and a minute or two) after the window's start.
    const zone = parisZone(started - WEEK, nowSeconds() - WEEK + 52 * 60);
    expect(errorsOf(res.json)['restore_point_in_time']).toMatch(
      new RegExp(
        String.raw`is only 10 min inside the restorable window of shop\/ledger: .* so this time would leave it before the restore can start \(the approval may take up to 30 min and sending the restore up to 20 min\)\. Choose \d{4}-\d{2}-\d{2} \d{2}:\d{2} ${zone} or later\.`,
      ),
    );
    expect(await requestIds()).toEqual(before);
  });

  it('a time inside the window but before the oldest snapshot has no base: refused inline', async () => {
    const before = await requestIds();
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, `shop/ledger at ${iso(nowSeconds() - 4 * 24 * HOUR)}`);
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('restore_point_in_time')), { message: 'modal with the picker' });
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'ledger' });
    expect(errorsOf(res.json)['restore_point_in_time']).toMatch(/Atlas has no snapshot of shop\/ledger taken before .* to start from: choose a later time/);
    expect(await requestIds()).toEqual(before);
  });
});

describe('where a point in time is not possible', () => {
  it('`at` on a Flex source, or on a dedicated one without continuous backup, gets a private why, not a form', async () => {
    const views = h.slack.views().length;
    const flex = await h.command(REQUESTER, `shop/orders at ${iso(nowSeconds() - HOUR)}`);
    expect(ephemeral(flex.json)).toContain('`shop/orders` is a Flex cluster: only dedicated clusters with continuous cloud backup can restore to a point in time');
    expect(ephemeral(flex.json)).toContain('*Usage*');
    const off = await h.command(REQUESTER, `shop/staging at ${iso(nowSeconds() - HOUR)}`);
    expect(ephemeral(off.json)).toContain('Continuous cloud backup is off for `shop/staging`');
    expect(h.slack.views().length).toBe(views);
  });

  it('a time without a zone gets the usage and a request to add one', async () => {
    const res = await h.command(REQUESTER, 'shop/ledger at 2026-12-01T14:05');
    expect(ephemeral(res.json)).toMatch(/has no time zone.*add one/);
    expect(ephemeral(res.json)).toContain('*Usage*');
  });

  it('the modal of a Flex source offers no point in time and says why', async () => {
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/orders', { channel: CHANNEL });
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('restore_snapshot:shop/orders') && !JSON.stringify(v.blocks).includes('Loading')), { message: 'filled modal' });
    const text = JSON.stringify(modal.blocks);
    expect(text).not.toContain('"block_id":"restore_from"');
    expect(text).toContain('only dedicated clusters with continuous cloud backup can restore to a point in time');
  });
});
