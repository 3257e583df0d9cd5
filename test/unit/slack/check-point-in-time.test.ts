// The point-in-time check of a submission, pure: facts, window, base snapshot, and what the requester reads.
import { describe, expect, it } from 'vitest';
import { pointInTimeMargin } from '../../../src/restore/point-in-time-window.js';
import { checkPointInTime, type BaseSnapshot } from '../../../src/slack/check-point-in-time.js';
import type { SourceFacts } from '../../../src/slack/views/source-facts.js';

const NOW = Date.UTC(2026, 11, 8, 12, 0) / 1000;
const DAY = 86_400;
const PIT: SourceFacts = { status: 'loaded', type: 'dedicated', pitEnabled: true, restoreWindowDays: 7 };
const BASE: BaseSnapshot = { kind: 'found', snapshot: { id: 'b'.repeat(24), status: 'completed', createdAt: '2026-12-07T03:00:00Z', raw: {} } };
/** The window's own edges, without the margin of a request's wait (tested below). */
const NO_MARGIN = { seconds: 0, why: '' };
const check = (utcSeconds: number, facts: SourceFacts | undefined = PIT, base: BaseSnapshot = BASE, margin = NO_MARGIN) =>
  checkPointInTime({ sourceKey: 'shop/ledger', facts, utcSeconds, nowSeconds: NOW, timeZone: 'America/New_York', base, margin });

describe('checkPointInTime', () => {
  it('inside the window with a base snapshot: ok, with that base', () => {
    expect(check(NOW - DAY)).toEqual({ ok: true, base: BASE.kind === 'found' ? BASE.snapshot : undefined });
    expect(check(NOW - 7 * DAY).ok).toBe(true); // the window's first second is in it
  });

  it('outside the window: the message names the window, in the viewer zone', () => {
    expect(check(NOW - 7 * DAY - 1)).toEqual({
      ok: false,
      field: 'time',
      message: '2026-12-01 06:59 EST is outside the restorable window of shop/ledger: from 2026-12-01 07:01 EST to now (7 days of continuous cloud backup).',
    });
    expect(check(NOW + 120)).toMatchObject({ ok: false, field: 'time', message: expect.stringMatching(/is in the future\. Restorable: from 2026-12-01 07:01 EST to now/) });
  });

  it('the window start shown is a minute that is restorable, not one the check would refuse', () => {
    const now = NOW + 37; // the window starts at a second inside a minute
    const refused = checkPointInTime({ sourceKey: 'shop/ledger', facts: PIT, utcSeconds: now - 7 * DAY - 1, nowSeconds: now, timeZone: 'UTC', base: BASE, margin: NO_MARGIN });
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining('from 2026-12-01 12:02 UTC to now') });
    const shown = Date.UTC(2026, 11, 1, 12, 2) / 1000;
    expect(checkPointInTime({ sourceKey: 'shop/ledger', facts: PIT, utcSeconds: shown, nowSeconds: now + 59, timeZone: 'UTC', base: BASE, margin: NO_MARGIN }).ok).toBe(true);
  });

  it('a source that cannot: the error goes on the "from" choice', () => {
    expect(check(NOW - DAY, { status: 'loaded', type: 'dedicated', pitEnabled: false })).toMatchObject({ ok: false, field: 'from', message: expect.stringContaining('Continuous cloud backup is off') });
    expect(check(NOW - DAY, { status: 'loaded', type: 'flex', pitEnabled: false })).toMatchObject({ ok: false, field: 'from', message: expect.stringContaining('is a Flex cluster') });
  });

  it('no base snapshot, no answer in time, an Atlas error: each says what to do', () => {
    expect(check(NOW - DAY, PIT, { kind: 'none' })).toMatchObject({ ok: false, message: expect.stringContaining('choose a later time') });
    expect(check(NOW - DAY, PIT, { kind: 'timeout' })).toMatchObject({ ok: false, message: expect.stringContaining('Submit again in a moment') });
    expect(check(NOW - DAY, PIT, { kind: 'error', message: 'Atlas says no.' })).toMatchObject({ ok: false, message: 'Atlas says no.' });
    const noFacts = checkPointInTime({ sourceKey: 'shop/ledger', facts: undefined, utcSeconds: NOW - DAY, nowSeconds: NOW, timeZone: 'UTC', base: BASE, margin: NO_MARGIN });
    expect(noFacts).toMatchObject({ ok: false, message: expect.stringContaining("didn't answer in time to confirm the restore window") });
  });

  describe('the margin: the time must still be in the window when the restore is sent', () => {
    const START = NOW - 7 * DAY; // the window's first second now
    const noSnapshot = pointInTimeMargin({ approvalMinutes: 30, safetySnapshot: false }); // 30 + 15 + 5 min
    const withSnapshot = pointInTimeMargin({ approvalMinutes: 30, safetySnapshot: true }); // and 1 h

    it('a time a minute inside the window, fine now, is refused: it would be out of it after the approval', () => {
      const refused = check(START + 60, PIT, BASE, noSnapshot);
      expect(refused).toEqual({
        ok: false,
        field: 'time',
        message:
          '2026-12-01 07:01 EST is only 1 min inside the restorable window of shop/ledger: from 2026-12-01 07:01 EST to now (7 days of continuous cloud backup). ' +
          "The window's start moves on with the clock, so this time would leave it before the restore can start (the approval may take up to 30 min and sending the restore up to 20 min). Choose 2026-12-01 07:51 EST or later.",
      });
    });

    it('the time it offers, and any time the margin inside, are accepted; a second less is not', () => {
      expect(check(START + 50 * 60, PIT, BASE, noSnapshot).ok).toBe(true);
      expect(check(START + 50 * 60 - 1, PIT, BASE, noSnapshot).ok).toBe(false);
      expect(check(Date.UTC(2026, 11, 1, 12, 51) / 1000, PIT, BASE, noSnapshot).ok).toBe(true); // 07:51 EST, as offered
    });

    it('a safety snapshot to take adds its hour, and the message says so', () => {
      expect(withSnapshot.seconds).toBe(110 * 60);
      expect(check(START + 60 * 60, PIT, BASE, withSnapshot)).toMatchObject({
        ok: false,
        message: expect.stringContaining('is only 1 h inside the restorable window of shop/ledger: from 2026-12-01 07:01 EST to now (7 days of continuous cloud backup). The window\'s start moves on with the clock, so this time would leave it before the restore can start (the approval may take up to 30 min, the safety snapshot about 1 h and sending the restore up to 20 min). Choose 2026-12-01 08:51 EST or later.'),
      });
      expect(check(START + 110 * 60, PIT, BASE, withSnapshot).ok).toBe(true);
    });

    it('the approval window is the target policy\'s: a longer one asks for more', () => {
      const day = pointInTimeMargin({ approvalMinutes: 24 * 60, safetySnapshot: false });
      expect(day).toEqual({ seconds: (24 * 60 + 20) * 60, why: 'the approval may take up to 24 h and sending the restore up to 20 min' });
      expect(check(NOW - 6 * DAY + 20 * 60 - 1, PIT, BASE, day).ok).toBe(false); // a day and 20 min inside, less a second
      expect(check(NOW - 6 * DAY + 20 * 60, PIT, BASE, day).ok).toBe(true);
    });

    it('outside the window or in the future still says that, not the margin', () => {
      expect(check(START - 1, PIT, BASE, noSnapshot)).toMatchObject({ message: expect.stringContaining('is outside the restorable window') });
      expect(check(NOW + 120, PIT, BASE, noSnapshot)).toMatchObject({ message: expect.stringContaining('is in the future') });
    });
  });
});
