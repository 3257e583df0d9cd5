// Right before the safety snapshot and before the POST: is the request's point in time still inside the source's
// restore window? The window is asked of Atlas (the backup schedule, one GET) rather than remembered, so a window
// shortened in Atlas since the request counts too. A time that has left it ends the request with nothing restored:
// Atlas would refuse the POST, and waiting only moves the window further away. A passing fault asking waits, as
// every re-check before the POST does, until the request's horizon. Continuous cloud backup turned off since is read
// off the cluster (`pitEnabled: false`): the schedule may keep its restoreWindowDays then (the spec only says the
// field "applies to continuous Cloud Backups"), and a safety snapshot would be taken for a restore Atlas refuses.
import { classifyAtlasError, type ErrorVerdict } from './classify-atlas-error.js';
import { leftRestoreWindow, windowStart } from './point-in-time-window.js';
import { sourceOf } from './source-location.js';
import type { TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

export type WindowRecheck = { kind: 'ok' } | { kind: 'refuse'; message: string } | { kind: 'wait'; verdict: ErrorVerdict };

const utc = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

export async function recheckPointInTime(ctx: Pick<TrackerContext, 'atlas'>, req: RestoreRequest, now: number): Promise<WindowRecheck> {
  if (!req.pointInTime) return { kind: 'ok' };
  const source = `\`${req.source.project}/${req.source.cluster}\``;
  let days: number | undefined;
  let continuousBackupOff: boolean;
  try {
    const [schedule, cluster] = await Promise.all([ctx.atlas.getBackupSchedule(sourceOf(req)), ctx.atlas.describeCluster(sourceOf(req))]);
    days = schedule.restoreWindowDays;
    // Only Atlas's explicit false counts: a description without the field says nothing either way.
    continuousBackupOff = (cluster.raw as { pitEnabled?: unknown } | null)?.pitEnabled === false;
  } catch (err) {
    const verdict = classifyAtlasError(err);
    if (verdict.kind === 'refuse') return { kind: 'refuse', message: `Atlas would not give the point-in-time restore window of ${source}: ${verdict.message}` };
    return { kind: 'wait', verdict };
  }
  const at = req.pointInTime.utcSeconds;
  // A safety snapshot already taken is kept by Atlas for its retention: say where it is, since nothing follows it.
  const snapshot = req.safetySnapshot;
  const kept = !snapshot?.id
    ? ''
    : snapshot.status === 'requested'
      ? ` The safety snapshot \`${snapshot.id}\` started for it is still being taken by Atlas, which keeps it.`
      : ` The safety snapshot \`${snapshot.id}\` taken for it stays in Atlas.`;
  if (continuousBackupOff) {
    return {
      kind: 'refuse',
      message: `continuous cloud backup is now off for ${source} in Atlas, so it can't be restored to ${utc(at)}. The restore was not sent to Atlas; restore a snapshot instead, or turn continuous cloud backup back on and request it again.${kept}`,
    };
  }
  if (!leftRestoreWindow(at, days, now)) return { kind: 'ok' };
  if (days === undefined || !(days > 0)) {
    return { kind: 'refuse', message: `${source} has no point-in-time restore window any more (is continuous cloud backup off?), so Atlas can't restore it to ${utc(at)}. The restore was not sent to Atlas.${kept}` };
  }
  const from = utc(windowStart(days, now));
  return {
    kind: 'refuse',
    message:
      `the point in time ${utc(at)} is no longer inside the restore window of ${source} (${days} day${days === 1 ? '' : 's'} back from now: from ${from} on); ` +
      `the window moved past it while the request waited, and Atlas would refuse it. The restore was not sent to Atlas; request it again with a later time.${kept}`,
  };
}
