// A point in time submitted in the restore modal: inside the source's restorable window, far enough inside that it
// is still in it when the restore is sent (the window's start moves on while the request waits: margin), and with a
// base snapshot (the newest completed one before it, which the card shows and the approval re-checks). Atlas has the
// last word at the POST (INVALID_PIT_RESTORE_TIME); this spares the approvers a request Atlas would refuse.
import { isAtlasApiError } from '../atlas/errors.js';
import { isRestorable, type Snapshot } from '../atlas/types.js';
import type { PointInTimeMargin } from '../restore/point-in-time-window.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { withDeadline } from './with-deadline.js';
import { formatDuration } from './views/format.js';
import { windowText, zonedTime } from './views/restore-modal-from.js';
import { pointInTimeUnavailable, pointInTimeWindow, type SourceFacts } from './views/source-facts.js';

/** The base snapshot as Atlas answered: found, none before the time, no answer in time, or an error to show. */
export type BaseSnapshot = { kind: 'found'; snapshot: Snapshot } | { kind: 'none' } | { kind: 'timeout' } | { kind: 'error'; message: string };

export async function findBaseSnapshot(services: Services, source: ClusterRef, utcSeconds: number, budgetMs: number): Promise<BaseSnapshot> {
  const where = { groupId: source.groupId, clusterName: source.cluster, type: source.type };
  const lookup = services.atlas.findSnapshotForPointInTime(where, utcSeconds).then(
    (snapshot): BaseSnapshot => (snapshot ? { kind: 'found', snapshot } : { kind: 'none' }),
    (err: unknown): BaseSnapshot => ({ kind: 'error', message: isAtlasApiError(err) ? err.hint : 'Atlas could not be asked for the snapshot this restore starts from; submit again in a moment.' }),
  );
  return (await withDeadline(lookup, budgetMs)) ?? { kind: 'timeout' };
}

export type PointInTimeCheck =
  | { ok: true; base: Snapshot & { createdAt: string } }
  /** `field: 'from'`: the source can't restore to a time at all; `'time'`: this time won't do. */
  | { ok: false; field: 'from' | 'time'; message: string };

/**
 * Pure: the facts (undefined: Atlas didn't answer in time), the time, now, Atlas's base snapshot, and how far inside
 * the window's start the time must be (pointInTimeMargin: the request's wait for approval and safety snapshot).
 */
export function checkPointInTime(input: {
  sourceKey: string;
  facts: SourceFacts | undefined;
  utcSeconds: number;
  nowSeconds: number;
  timeZone: string;
  base: BaseSnapshot;
  margin: PointInTimeMargin;
}): PointInTimeCheck {
  const { sourceKey, facts, utcSeconds, nowSeconds, timeZone, base, margin } = input;
  if (!facts) return { ok: false, field: 'time', message: "Atlas didn't answer in time to confirm the restore window. Submit again in a moment." };
  const unavailable = pointInTimeUnavailable(sourceKey, facts);
  const window = pointInTimeWindow(facts, nowSeconds);
  if (unavailable || !window) return { ok: false, field: 'from', message: unavailable ?? `\`${sourceKey}\` can't restore to a point in time.` };
  if (utcSeconds > window.toUnixSeconds) return { ok: false, field: 'time', message: `${zonedTime(utcSeconds, timeZone)} is in the future. Restorable: ${windowText(window, timeZone)}.` };
  if (utcSeconds < window.fromUnixSeconds) {
    return { ok: false, field: 'time', message: `${zonedTime(utcSeconds, timeZone)} is outside the restorable window of ${sourceKey}: ${windowText(window, timeZone)}.` };
  }
  const inside = utcSeconds - window.fromUnixSeconds;
  if (inside < margin.seconds) {
    // The earliest whole minute that is still far enough inside a minute from now (people pick minutes).
    const earliest = Math.ceil((window.fromUnixSeconds + margin.seconds + 60) / 60) * 60;
    return {
      ok: false,
      field: 'time',
      message:
        `${zonedTime(utcSeconds, timeZone)} is only ${formatDuration(inside * 1000)} inside the restorable window of ${sourceKey}: ${windowText(window, timeZone)}. ` +
        `The window's start moves on with the clock, so this time would leave it before the restore can start (${margin.why}). Choose ${zonedTime(earliest, timeZone)} or later.`,
    };
  }
  switch (base.kind) {
    case 'timeout':
      return { ok: false, field: 'time', message: "Atlas didn't answer in time to find the snapshot this restore starts from. Submit again in a moment." };
    case 'error':
      return { ok: false, field: 'time', message: base.message };
    case 'none':
      return { ok: false, field: 'time', message: `Atlas has no snapshot of ${sourceKey} taken before ${zonedTime(utcSeconds, timeZone)} to start from: choose a later time.` };
    case 'found':
      if (!isRestorable(base.snapshot)) return { ok: false, field: 'time', message: 'The snapshot this restore would start from is not completed yet: choose a later time, or submit again in a moment.' };
      return { ok: true, base: base.snapshot };
  }
}
