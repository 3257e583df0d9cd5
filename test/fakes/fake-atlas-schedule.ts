// Point in time in the fake Atlas: the backup schedule (restoreWindowDays), the cluster descriptions (pitEnabled) of
// the three types, and dedicated restore jobs with deliveryType pointInTime. Atlas's documented errors:
// INVALID_PIT_RESTORE_TIME (400) and UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME (404, a digit zero).
import { isoSeconds, type ClusterRecord, type SnapshotRecord } from './fake-atlas-data.js';
import { FakeAtlasHttpError } from './fake-atlas-errors.js';
import type { FakeBackupState } from './fake-atlas-backup-state.js';
import type { ExtContext } from './fake-atlas-extensions.js';
import { MEDIA_2023, MEDIA_2024, collectionHref, invalid, paginate, parseBody, requireStrings, type ApiAnswer } from './fake-atlas-routes.js';
import { renderJob } from './fake-atlas-shapes.js';

export const MEDIA_2024_08 = 'application/vnd.atlas.2024-08-05+json';
const HEX24 = /^[a-f0-9]{24}$/;
const DAY_S = 86_400;

/**
 * Refuses a time Atlas can't restore to. Which code Atlas gives a cluster without continuous backup is not
 * documented; the fake says INVALID_PIT_RESTORE_TIME with a detail that names the reason.
 */
export function checkPointInTime(state: FakeBackupState, cluster: ClusterRecord, at: number, opts: { requirePit?: boolean } = {}): void {
  const info = state.infoOf(cluster);
  const now = Math.floor(state.now() / 1000);
  const refuse = (why: string) => new FakeAtlasHttpError(400, 'INVALID_PIT_RESTORE_TIME', `Please provide a valid UTC time or an operation time (ts): ${why}.`);
  if ((opts.requirePit ?? true) && !info.pitEnabled) throw refuse(`continuous cloud backup is not enabled for cluster ${cluster.name}`);
  if (at > now) throw refuse(`${at} is in the future`);
  if (info.pitEnabled && at < now - info.restoreWindowDays * DAY_S) throw refuse(`${at} is before the ${info.restoreWindowDays}-day restore window`);
}

/** The newest completed snapshot taken at or before `at` (the base of a point-in-time restore). */
export function baseSnapshotAt(cluster: ClusterRecord, at: number): SnapshotRecord {
  const base = cluster.snapshots.filter((s) => s.status === 'completed' && Date.parse(s.createdAt) <= at * 1000).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!base) throw new FakeAtlasHttpError(404, 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME', 'Unable to find snapshot prior to pit restore optime.');
  return base;
}

function selfLink(ctx: ExtContext): { href: string; rel: string }[] {
  return [{ href: `${ctx.req.baseUrl}${ctx.req.pathname}`, rel: 'self' }];
}

/** GET of the cluster itself: ClusterDescription20240805 | FlexClusterDescription20241113 | ServerlessInstanceDescription. */
export function handleDescribeRoutes(ctx: ExtContext): ApiAnswer {
  const media = ctx.media(ctx.route.api === 'dedicated' ? [MEDIA_2024_08] : ctx.route.api === 'flex' ? [MEDIA_2024] : [MEDIA_2023]);
  const c = ctx.cluster();
  if (ctx.req.method !== 'GET') throw ctx.notAllowed();
  const info = ctx.state.infoOf(c);
  const common = { createDate: info.createDate, groupId: c.groupId, id: info.clusterId, links: selfLink(ctx), mongoDBVersion: '8.0.4', name: c.name, stateName: 'IDLE', tags: [], terminationProtectionEnabled: false };
  if (c.type === 'dedicated') {
    return ctx.ok(200, media, {
      ...common,
      backupEnabled: info.backupEnabled,
      clusterType: 'REPLICASET',
      diskWarmingMode: 'FULLY_WARMED',
      encryptionAtRestProvider: 'NONE',
      labels: [],
      mongoDBMajorVersion: '8.0',
      paused: false,
      pitEnabled: info.pitEnabled,
      versionReleaseSystem: 'LTS',
    });
  }
  if (c.type === 'flex') {
    // REALITY.flexItemShape: a Flex cluster's description has no links either.
    const { links: _none, ...flexCommon } = common;
    return ctx.ok(200, media, {
      ...flexCommon,
      backupSettings: { enabled: true },
      clusterType: 'REPLICASET',
      providerSettings: { backingProviderName: 'AWS', diskSizeGB: 5, providerName: 'FLEX', regionName: 'US_EAST_1' },
      versionReleaseSystem: 'LTS',
    });
  }
  return ctx.ok(200, media, {
    ...common,
    providerSettings: { backingProviderName: 'AWS', providerName: 'SERVERLESS', regionName: 'US_EAST_1' },
    serverlessBackupOptions: { serverlessContinuousBackupEnabled: false },
  });
}

/** GET …/backup/schedule: DiskBackupSnapshotSchedule (2023-01-01) and …20240805 share everything the fake sends. */
export function handleScheduleRoutes(ctx: ExtContext): ApiAnswer {
  const media = ctx.media([MEDIA_2024_08, MEDIA_2023]);
  const c = ctx.cluster();
  if (ctx.route.parts.length !== 2) throw new FakeAtlasHttpError(404, 'RESOURCE_NOT_FOUND', `The fake Atlas does not serve ${ctx.req.method} ${ctx.req.pathname}.`);
  if (ctx.req.method !== 'GET') throw ctx.notAllowed();
  const info = ctx.state.infoOf(c);
  const item = (n: number, frequencyType: string, frequencyInterval: number, retentionValue: number) => ({
    frequencyInterval,
    frequencyType,
    id: `${info.clusterId.slice(0, 20)}000${n}`,
    retentionUnit: 'days',
    retentionValue,
  });
  return ctx.ok(200, media, {
    autoExportEnabled: false,
    clusterId: info.clusterId,
    clusterName: c.name,
    copySettings: [],
    extraRetentionSettings: [],
    links: selfLink(ctx),
    nextSnapshot: isoSeconds(ctx.state.now() + 6 * 3_600_000),
    policies: [{ id: `${info.clusterId.slice(0, 20)}0000`, policyItems: [item(1, 'hourly', 6, 2), item(2, 'daily', 1, 7)] }],
    referenceHourOfDay: 3,
    referenceMinuteOfHour: 0,
    restoreWindowDays: info.restoreWindowDays,
    useOrgAndGroupNamesInExportPrefix: false,
  });
}

function renderPitJob(ctx: ExtContext, cluster: ClusterRecord, jobId: string): Record<string, unknown> {
  const job = ctx.store.findJob(jobId)!;
  const rendered = renderJob(job, `${collectionHref(ctx.req.baseUrl, cluster, 'restoreJobs')}/${job.id}`);
  return { ...rendered, deliveryType: 'pointInTime', pointInTimeUTCSeconds: ctx.state.pitJobs.get(jobId) };
}

function createPitJob(ctx: ExtContext, source: ClusterRecord, body: Record<string, unknown>): string {
  requireStrings(body, ['deliveryType', 'targetClusterName', 'targetGroupId']);
  const at = body['pointInTimeUTCSeconds'];
  if (at === undefined || at === null) throw new FakeAtlasHttpError(400, 'MISSING_ATTRIBUTE', 'Missing required attribute(s): pointInTimeUTCSeconds.', [{ field: 'pointInTimeUTCSeconds', description: 'is required' }]);
  if (typeof at !== 'number' || !Number.isInteger(at)) throw invalid('pointInTimeUTCSeconds', 'must be whole seconds since the epoch');
  const targetGroupId = body['targetGroupId'] as string;
  if (!HEX24.test(targetGroupId)) throw invalid('targetGroupId', 'must be 24 hexadecimal digits');
  checkPointInTime(ctx.state, source, at);
  const base = baseSnapshotAt(source, at);
  const targetName = body['targetClusterName'] as string;
  const target = ctx.store.findCluster(targetGroupId, targetName);
  if (!target) throw new FakeAtlasHttpError(404, 'CLUSTER_NOT_FOUND', `No cluster named ${targetName} exists in group ${targetGroupId}.`);
  if (target.type !== 'dedicated') throw invalid('targetClusterName', `a dedicated snapshot cannot be restored into a ${target.type} cluster`);
  const busy = ctx.store.activeJobInto(targetGroupId, targetName);
  if (busy) throw new FakeAtlasHttpError(409, 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', `Restore job ${busy.id} into ${targetName} has not finished yet.`);
  const job = ctx.store.createJob(source, base, { groupId: targetGroupId, name: targetName });
  ctx.state.pitJobs.set(job.id, at);
  return job.id;
}

function leniently(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Dedicated restore jobs with deliveryType pointInTime; every other restore job request is left to the seed's routes. */
export function handlePointInTimeJobRoutes(ctx: ExtContext): ApiAnswer | undefined {
  const [, , jobId, ...extra] = ctx.route.parts;
  if (extra.length > 0) return undefined;
  const found = ctx.store.findCluster(ctx.route.groupId, ctx.route.name);
  const isPit = (id: string) => ctx.state.pitJobs.has(id);
  if (jobId === undefined) {
    if (ctx.req.method === 'POST') {
      if (leniently(ctx.req.rawBody)?.['deliveryType'] !== 'pointInTime') return undefined;
      const media = ctx.media([MEDIA_2023]);
      const source = ctx.cluster();
      const id = createPitJob(ctx, source, parseBody(ctx.req));
      return ctx.ok(200, media, renderPitJob(ctx, source, id));
    }
    if (ctx.req.method !== 'GET' || found?.type !== 'dedicated' || !ctx.store.jobsOf(found.groupId, found.name).some((j) => isPit(j.id))) return undefined;
    const media = ctx.media([MEDIA_2023]);
    const base = collectionHref(ctx.req.baseUrl, found, 'restoreJobs');
    const items = ctx.store.jobsOf(found.groupId, found.name).map((j) => (isPit(j.id) ? renderPitJob(ctx, found, j.id) : renderJob(j, `${base}/${j.id}`)));
    return ctx.ok(200, media, paginate(ctx.req, items));
  }
  const job = ctx.store.findJob(jobId);
  if (!isPit(jobId) || !found || !job || job.sourceGroupId !== found.groupId || job.sourceName !== found.name) return undefined;
  const media = ctx.media([MEDIA_2023]);
  if (ctx.req.method === 'DELETE') {
    throw new FakeAtlasHttpError(400, 'CANNOT_CANCEL_AUTOMATED_RESTORE', 'Automated restore cannot be cancelled.');
  }
  if (ctx.req.method !== 'GET') throw ctx.notAllowed();
  ctx.store.observe(job);
  return ctx.ok(200, media, renderPitJob(ctx, found, jobId));
}

