// Whether a drill's stored job scheduler already has the repeat options the policy asks for. Upserting an unchanged
// cron schedule is not harmless in BullMQ: it replaces the scheduler's next job, and with it a tick that came due while
// no replica was up. Pure.
import type { JobSchedulerJson } from 'bullmq';
import type { TrackerOptions } from './tracker-types.js';

export type DrillRepeat = ReturnType<NonNullable<TrackerOptions['drillRepeat']>>;

const norm = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));

export function sameDrillSchedule(current: Pick<JobSchedulerJson, 'pattern' | 'tz' | 'every' | 'limit'> | undefined, repeat: DrillRepeat): boolean {
  if (!current) return false;
  const want: { pattern?: string; tz?: string; every?: number; limit?: number } = repeat;
  return norm(current.pattern) === norm(want.pattern) && norm(current.tz) === norm(want.tz) && norm(current.every) === norm(want.every) && norm(current.limit) === norm(want.limit);
}
