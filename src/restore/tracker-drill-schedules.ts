// The drills' side of the tracker's queue: one BullMQ job scheduler per drill of the policy (shared by every
// replica: same id, so each tick runs once), and the run on command, one at a time per drill.
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DrillDefinition } from './drill-definition.js';
import type { DrillHistory } from './drill-history.js';
import type { DrillJobData } from './drill-job.js';
import type { DrillRunWaiting } from './drill-types.js';
import { DRILL_SCHEDULER_PREFIX, drillNowJobId } from './drill-scheduled-at.js';
import { sameDrillSchedule } from './same-drill-schedule.js';
import type { TrackerOptions } from './tracker-types.js';

export const DRILL_JOB = 'drill';
/** The states of a run that may still be waiting (delayed between its tries, or taken by a worker). */
const LIVE_STATES: ReadonlySet<string> = new Set(['delayed', 'active', 'waiting', 'prioritized']);

export interface DrillSchedules {
  /** Makes the job schedulers match the policy's drills (idempotent; every replica may call it). */
  syncDrills(): Promise<void>;
  /** Runs a drill now; false when a run of it is still going (a double click). */
  runDrillNow(name: string, by: string): Promise<boolean>;
  /** When the drill's scheduler runs next (ms), if it has one. */
  nextDrillRun(name: string): Promise<number | undefined>;
  /** A run of the drill (on its schedule or on command) that waits before making its request, if one does. */
  waitingDrillRun(name: string): Promise<DrillRunWaiting | undefined>;
}

interface DrillSchedulesDeps {
  queue: Queue;
  drills: () => DrillDefinition[];
  drillRepeat: TrackerOptions['drillRepeat'];
  drillHistory: DrillHistory;
  logger: Logger;
  /** True when a job with this id exists and will still run (a finished one is removed). */
  hasLiveJob: (jobId: string) => Promise<boolean>;
}

export function createDrillSchedules({ queue, drills, drillRepeat, drillHistory, logger, hasLiveJob }: DrillSchedulesDeps): DrillSchedules {
  return {
    async syncDrills() {
      const wanted = drills();
      for (const drill of wanted) {
        const id = `${DRILL_SCHEDULER_PREFIX}${drill.name}`;
        const repeat = drillRepeat?.(drill) ?? { pattern: drill.schedule, tz: drill.timeZone };
        // Only a new or changed schedule: upserting a cron schedule replaces its next job, so a tick that came due while
        // no replica was up (and that no worker has taken yet) would be dropped at start-up or at a policy reload, and
        // the drill skipped until its next time.
        if (!sameDrillSchedule(await queue.getJobScheduler(id), repeat)) {
          await queue.upsertJobScheduler(id, repeat, {
            name: DRILL_JOB,
            data: { drill: drill.name, trigger: 'schedule' } satisfies DrillJobData,
            opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
          });
        }
        await drillHistory.noteScheduled(drill.name, new Date());
      }
      const names = new Set(wanted.map((d) => `${DRILL_SCHEDULER_PREFIX}${d.name}`));
      for (const scheduler of await queue.getJobSchedulers(0, -1)) {
        const id = scheduler.key;
        if (id.startsWith(DRILL_SCHEDULER_PREFIX) && !names.has(id)) await queue.removeJobScheduler(id);
      }
    },

    async runDrillNow(name, by) {
      // One run at a time per drill: a double click (or two approvers at once) starts it once.
      const jobId = drillNowJobId(name);
      // A run that did not start and only retries saying so (Slack refused it) must not hold the next run back.
      const earlier = await queue.getJob(jobId);
      if (earlier?.data.notStarted !== undefined && (await earlier.getState()) === 'delayed') await earlier.remove().catch((err: unknown) => logger.warn({ err, jobId }, 'could not replace a drill run that did not start'));
      if (await hasLiveJob(jobId)) return false;
      const data: DrillJobData = { drill: name, trigger: 'command', by };
      await queue.add(DRILL_JOB, data, { jobId });
      return true;
    },

    async waitingDrillRun(name) {
      // Only this drill's runs: its run on command and the scheduled run that last said it waits. Never the ids of
      // every delayed job of the queue (each restore in flight, each approval's expiry), on each render.
      const noted = await drillHistory.waitingJobId(name);
      for (const id of new Set([drillNowJobId(name), ...(noted ? [noted] : [])])) {
        const job = await queue.getJob(id);
        const data = job?.name === DRILL_JOB ? (job.data as DrillJobData) : undefined;
        // A run that only retries saying it did not run is no longer waiting to run.
        if (data?.drill !== name || !data.waiting || data.notStarted !== undefined) continue;
        // A run that ended keeps the data of its last wait.
        if (!LIVE_STATES.has(await job!.getState())) continue;
        const { why, nextTryAt, until } = data.waiting;
        return { trigger: data.trigger, why, nextTryAt: new Date(nextTryAt).toISOString(), until: new Date(until).toISOString() };
      }
      return undefined;
    },

    async nextDrillRun(name) {
      const scheduler = await queue.getJobScheduler(`${DRILL_SCHEDULER_PREFIX}${name}`);
      return scheduler?.next;
    },
  };
}
