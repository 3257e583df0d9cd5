// `…/clusters/{name}/backup/snapshots` beyond the seed: on-demand snapshots (POST; queued → inProgress →
// completed | failed; one at a time per cluster) and the point-in-time query `?pointInTimeUtcSeconds=T`.
// On-demand snapshots are shaped like Atlas's real answers (recordings/…/TestSnapshots): `frequencyType: "ondemand"`
// (not in the spec's enum), `snapshotType: "onDemand"`, and no createdAt, cloudProvider or mongodVersion until completed.
import type { ClusterRecord } from './fake-atlas-data.js';
import { isoSeconds } from './fake-atlas-data.js';
import { FakeAtlasHttpError } from './fake-atlas-errors.js';
import type { OnDemandRecord } from './fake-atlas-backup-state.js';
import type { ExtContext } from './fake-atlas-extensions.js';
import { MEDIA_2023, collectionHref, invalid, paginate, parseBody, type ApiAnswer } from './fake-atlas-routes.js';
import { baseSnapshotAt, checkPointInTime } from './fake-atlas-schedule.js';
import { renderSnapshot } from './fake-atlas-shapes.js';

const DAY_MS = 86_400_000;

/** DiskBackupReplicaSet as Atlas sends an on-demand snapshot. */
export function renderOnDemandSnapshot(baseUrl: string, cluster: ClusterRecord, record: OnDemandRecord): Record<string, unknown> {
  const snap = cluster.snapshots.find((s) => s.id === record.id)!;
  const clusterHref = collectionHref(baseUrl, cluster, 'snapshots').replace(/\/backup\/snapshots$/, '');
  const expiresFrom = record.completedAtMs ?? record.requestedAtMs;
  const out: Record<string, unknown> = {
    copyRegions: [],
    expiresAt: isoSeconds(expiresFrom + record.retentionInDays * DAY_MS),
    frequencyType: 'ondemand',
    id: record.id,
    links: [
      { href: `${collectionHref(baseUrl, cluster, 'snapshots')}/${record.id}`, rel: 'self' },
      { href: clusterHref, rel: 'https://cloud.mongodb.com/cluster' },
    ],
    policyItems: [],
    replicaSetName: cluster.name,
    snapshotType: 'onDemand',
    status: record.status,
    storageSizeBytes: 0,
    type: 'replicaSet',
  };
  if (record.description !== undefined) out['description'] = record.description;
  if (record.status === 'completed') {
    Object.assign(out, { cloudProvider: 'AWS', createdAt: snap.createdAt, mongodVersion: '8.0.4', storageSizeBytes: snap.storageSizeBytes });
  }
  return out;
}

function render(ctx: ExtContext, cluster: ClusterRecord, id: string): Record<string, unknown> {
  const record = ctx.state.onDemand.get(id);
  if (record) return renderOnDemandSnapshot(ctx.req.baseUrl, cluster, record);
  const snap = cluster.snapshots.find((s) => s.id === id)!;
  return renderSnapshot(cluster, snap, `${collectionHref(ctx.req.baseUrl, cluster, 'snapshots')}/${id}`);
}

function takeOnDemand(ctx: ExtContext, cluster: ClusterRecord): OnDemandRecord {
  const body = parseBody(ctx.req);
  const description = body['description'];
  const retention = body['retentionInDays'] ?? 1;
  if (description !== undefined && typeof description !== 'string') throw invalid('description', 'must be a string');
  if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 1) throw invalid('retentionInDays', 'must be a whole number of days, at least 1');
  if (!ctx.state.infoOf(cluster).backupEnabled) {
    // Not recorded: Atlas's code for a snapshot of a cluster without cloud backup is a guess.
    throw new FakeAtlasHttpError(400, 'BACKUP_NOT_ENABLED', `Cloud backup is not enabled for cluster ${cluster.name}.`);
  }
  if (ctx.state.unfinishedOnDemand(cluster.groupId, cluster.name)) {
    throw new FakeAtlasHttpError(400, 'UNFINISHED_ON_DEMAND_SNAPSHOT', 'Another on-demand snapshot is queued or in progress.');
  }
  const requestedAtMs = ctx.state.now();
  const snap = ctx.store.addSnapshot(cluster.groupId, cluster.name, { status: 'queued', createdAt: isoSeconds(requestedAtMs) });
  const record: OnDemandRecord = {
    id: snap.id,
    groupId: cluster.groupId,
    name: cluster.name,
    description,
    retentionInDays: retention,
    status: 'queued',
    requestedAtMs,
    getsInState: 0,
  };
  ctx.state.onDemand.set(record.id, record);
  return record;
}

/** The closest completed snapshot taken at or before T, as a one-item page (the spec's answer shape). */
function snapshotAtPointInTime(ctx: ExtContext, cluster: ClusterRecord, raw: string): Record<string, unknown> {
  if (!/^\d+$/.test(raw)) {
    throw new FakeAtlasHttpError(400, 'VALIDATION_ERROR', `Query parameter pointInTimeUtcSeconds must be whole seconds; got "${raw}".`, [
      { field: 'pointInTimeUtcSeconds', description: 'must be an integer' },
    ]);
  }
  const at = Number(raw);
  // Listing by time works without continuous backup; the window applies when the cluster has one.
  checkPointInTime(ctx.state, cluster, at, { requirePit: false });
  const base = baseSnapshotAt(cluster, at);
  const counted = ctx.state.infoOf(cluster).pointInTimeTotalCount;
  if (counted === undefined) return paginate(ctx.req, [render(ctx, cluster, base.id)]);
  // What Atlas may do (FakeClusterBackupOptions.pointInTimeTotalCount): count the cluster's snapshots, and answer the
  // same one snapshot on whatever page is asked for.
  return { links: [{ href: `${ctx.req.baseUrl}${ctx.req.pathname}`, rel: 'self' }], results: [render(ctx, cluster, base.id)], totalCount: counted };
}

export function handleOnDemandSnapshotRoutes(ctx: ExtContext): ApiAnswer | undefined {
  const [, , snapshotId, ...extra] = ctx.route.parts;
  if (extra.length > 0) return undefined;
  const found = ctx.store.findCluster(ctx.route.groupId, ctx.route.name);
  if (snapshotId === undefined) {
    const at = ctx.req.query.get('pointInTimeUtcSeconds');
    if (ctx.req.method === 'POST') {
      const media = ctx.media([MEDIA_2023]);
      const cluster = ctx.cluster();
      const record = takeOnDemand(ctx, cluster);
      return ctx.ok(200, media, renderOnDemandSnapshot(ctx.req.baseUrl, cluster, record));
    }
    if (ctx.req.method !== 'GET') return undefined;
    if (at !== null) {
      const media = ctx.media([MEDIA_2023]);
      return ctx.ok(200, media, snapshotAtPointInTime(ctx, ctx.cluster(), at));
    }
    // A plain list is the seed's, unless on-demand snapshots need their own shape in it.
    if (found?.type !== 'dedicated' || !ctx.state.hasOnDemand(found)) return undefined;
    const media = ctx.media([MEDIA_2023]);
    return ctx.ok(200, media, paginate(ctx.req, found.snapshots.map((s) => render(ctx, found, s.id))));
  }
  const record = ctx.state.onDemand.get(snapshotId);
  if (!record || !found || record.groupId !== found.groupId || record.name !== found.name || ctx.req.method !== 'GET') return undefined;
  const media = ctx.media([MEDIA_2023]);
  ctx.state.observeOnDemand(record);
  return ctx.ok(200, media, renderOnDemandSnapshot(ctx.req.baseUrl, found, record));
}
