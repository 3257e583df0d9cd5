// The policy's drills with their next run and last result: what the App Home and `drills` show.
import { clusterKey } from '../policy/policy.js';
import type { DrillDefinition } from './drill-definition.js';
import type { DrillSummary } from './drill-types.js';
import type { RestoreTracker } from './tracker.js';

export async function listDrillSummaries(drills: readonly DrillDefinition[], tracker: Pick<RestoreTracker, 'nextDrillRun' | 'drillRuns' | 'waitingDrillRun'>): Promise<DrillSummary[]> {
  return Promise.all(
    drills.map(async (drill) => {
      const [next, last, waiting] = await Promise.all([
        tracker.nextDrillRun(drill.name).catch(() => undefined),
        tracker.drillRuns(drill.name, 1).then((runs) => runs[0]).catch(() => undefined),
        tracker.waitingDrillRun(drill.name).catch(() => undefined),
      ]);
      const summary: DrillSummary = {
        name: drill.name,
        source: clusterKey(drill.source),
        target: clusterKey(drill.target),
        schedule: drill.schedule,
        timeZone: drill.timeZone,
        channel: drill.channel,
      };
      if (next !== undefined) summary.nextRunAt = new Date(next).toISOString();
      if (waiting) summary.waiting = waiting;
      if (last) {
        summary.lastRun = { state: last.state };
        if (last.requestId) summary.lastRun.requestId = last.requestId;
        if (last.reason) summary.lastRun.reason = last.reason;
        if (last.startedAt) summary.lastRun.startedAt = last.startedAt;
        if (last.finishedAt) summary.lastRun.finishedAt = last.finishedAt;
        if (last.restoreMs !== undefined) summary.lastRun.restoreMs = last.restoreMs;
        if (last.snapshotAgeMs !== undefined) summary.lastRun.snapshotAgeMs = last.snapshotAgeMs;
      }
      return summary;
    }),
  );
}
