// The backup schedule of a dedicated cluster: for point in time, its restoreWindowDays says how far back a
// continuous cloud backup can restore. Flex clusters and serverless instances have no such schedule.
import { z } from 'zod';
import { withDedicated, type AtlasCallContext } from './call-context.js';
import { parseAtlasBody } from './normalize-responses.js';
import type { ClusterLocation } from './types.js';

/** The version whose schema (DiskBackupSnapshotSchedule20240805) has no sunset date; 2023-01-01 sunsets in 2027. */
export const BACKUP_SCHEDULE_MEDIA_TYPE = 'application/vnd.atlas.2024-08-05+json';

export interface BackupSchedule {
  /** Days back from now a point-in-time restore can reach; absent when continuous cloud backup is off. */
  restoreWindowDays?: number | undefined;
  /** When Atlas takes the next scheduled snapshot (ISO 8601). */
  nextSnapshot?: string | undefined;
  referenceHourOfDay?: number | undefined;
  referenceMinuteOfHour?: number | undefined;
  raw: unknown;
}

const ScheduleSchema = z.looseObject({
  restoreWindowDays: z.number().int().optional(),
  nextSnapshot: z.string().optional(),
  referenceHourOfDay: z.number().int().optional(),
  referenceMinuteOfHour: z.number().int().optional(),
});

export function toBackupSchedule(raw: unknown, request: string): BackupSchedule {
  const s = parseAtlasBody(ScheduleSchema, raw, request, 'backup schedule');
  return {
    restoreWindowDays: s.restoreWindowDays,
    nextSnapshot: s.nextSnapshot,
    referenceHourOfDay: s.referenceHourOfDay,
    referenceMinuteOfHour: s.referenceMinuteOfHour,
    raw,
  };
}

export interface RestoreWindow {
  /** Earliest restorable second (Unix seconds, inclusive). */
  fromUnixSeconds: number;
  /** Now (Unix seconds): a point in time can't be in the future. */
  toUnixSeconds: number;
}

/**
 * The point-in-time window: `restoreWindowDays` back from now, only for a cluster with continuous cloud backup
 * (`pitEnabled`). Undefined when there is none. Atlas has the last word (INVALID_PIT_RESTORE_TIME).
 */
export function restoreWindow(cluster: { pitEnabled: boolean }, schedule: Pick<BackupSchedule, 'restoreWindowDays'>, nowMs: number): RestoreWindow | undefined {
  const days = schedule.restoreWindowDays;
  if (!cluster.pitEnabled || days === undefined || !(days > 0)) return undefined;
  const now = Math.floor(nowMs / 1000);
  return { fromUnixSeconds: now - days * 86_400, toUnixSeconds: now };
}

export interface BackupScheduleCalls {
  /** GET …/clusters/{name}/backup/schedule. Dedicated clusters only (ATLAS_NOT_SUPPORTED_FOR_TYPE otherwise, without a request). */
  getBackupSchedule(cluster: ClusterLocation): Promise<BackupSchedule>;
}

export function createBackupScheduleCalls(ctx: AtlasCallContext): BackupScheduleCalls {
  return {
    getBackupSchedule: (cluster) =>
      withDedicated(
        ctx,
        cluster,
        { what: 'A backup schedule with a restore window', hint: 'Only dedicated clusters have a point-in-time restore window: pick a snapshot instead.' },
        async (_clusterPath, backupPath) => {
          const path = `${backupPath}/schedule`;
          const response = await ctx.send({ method: 'GET', path, mediaType: BACKUP_SCHEDULE_MEDIA_TYPE });
          return toBackupSchedule(response.body, `GET ${path}`);
        },
      ),
  };
}
