// The point-in-time check of a submission, pure: facts, window, base snapshot, and what the requester reads.
import { describe, expect, it } from 'vitest';
import { checkPointInTime, type BaseSnapshot } from '../../../src/slack/check-point-in-time.js';
import type { SourceFacts } from '../../../src/slack/views/source-facts.js';

const NOW = Date.UTC(2026, 11, 8, 12, 0) / 1000;
const DAY = 86_400;
const PIT: SourceFacts = { status: 'loaded', type: 'dedicated', pitEnabled: true, restoreWindowDays: 7 };
const BASE: BaseSnapshot = { kind: 'found', snapshot: { id: 'b'.repeat(24), status: 'completed', createdAt: '2026-12-07T03:00:00Z', raw: {} } };
const check = (utcSeconds: number, facts: SourceFacts | undefined = PIT, base: BaseSnapshot = BASE) =>
  checkPointInTime({ sourceKey: 'shop/ledger', facts, utcSeconds, nowSeconds: NOW, timeZone: 'America/New_York', base });

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
    const refused = checkPointInTime({ sourceKey: 'shop/ledger', facts: PIT, utcSeconds: now - 7 * DAY - 1, nowSeconds: now, timeZone: 'UTC', base: BASE });
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining('from 2026-12-01 12:02 UTC to now') });
    const shown = Date.UTC(2026, 11, 1, 12, 2) / 1000;
    expect(checkPointInTime({ sourceKey: 'shop/ledger', facts: PIT, utcSeconds: shown, nowSeconds: now + 59, timeZone: 'UTC', base: BASE }).ok).toBe(true);
  });

  it('a source that cannot: the error goes on the "from" choice', () => {
    expect(check(NOW - DAY, { status: 'loaded', type: 'dedicated', pitEnabled: false })).toMatchObject({ ok: false, field: 'from', message: expect.stringContaining('Continuous cloud backup is off') });
    expect(check(NOW - DAY, { status: 'loaded', type: 'flex', pitEnabled: false })).toMatchObject({ ok: false, field: 'from', message: expect.stringContaining('is a Flex cluster') });
  });

  it('no base snapshot, no answer in time, an Atlas error: each says what to do', () => {
    expect(check(NOW - DAY, PIT, { kind: 'none' })).toMatchObject({ ok: false, message: expect.stringContaining('choose a later time') });
    expect(check(NOW - DAY, PIT, { kind: 'timeout' })).toMatchObject({ ok: false, message: expect.stringContaining('Submit again in a moment') });
    expect(check(NOW - DAY, PIT, { kind: 'error', message: 'Atlas says no.' })).toMatchObject({ ok: false, message: 'Atlas says no.' });
    const noFacts = checkPointInTime({ sourceKey: 'shop/ledger', facts: undefined, utcSeconds: NOW - DAY, nowSeconds: NOW, timeZone: 'UTC', base: BASE });
    expect(noFacts).toMatchObject({ ok: false, message: expect.stringContaining("didn't answer in time to confirm the restore window") });
  });
});
