// A snapshot Atlas deletes at its `expiresAt` must outlive the request made from it: the approvals (up to the target's
// approval window), a safety snapshot when one is taken, and the sending. One that goes sooner is refused on the form,
// as a point in time about to leave the restore window is (same margin), rather than accepted and ended "not
// submitted: the snapshot was deleted" after the approvers' work. Pure.
import type { PointInTimeMargin } from '../restore/point-in-time-window.js';
import { formatInTimeZone } from './views/format.js';

export function snapshotExpiryProblem(input: { expiresAt: string | undefined; nowMs: number; margin: PointInTimeMargin; timeZone: string }): string | undefined {
  const { expiresAt, nowMs, margin, timeZone } = input;
  const expiresMs = expiresAt === undefined ? NaN : Date.parse(expiresAt);
  if (Number.isNaN(expiresMs) || expiresMs - nowMs >= margin.seconds * 1000) return undefined;
  return (
    `This snapshot expires at ${formatInTimeZone(new Date(expiresMs).toISOString(), timeZone)} (Atlas deletes it then), ` +
    `before a request made now could be sent (${margin.why}). Choose a newer snapshot, or restore this one in the Atlas UI before it goes.`
  );
}
