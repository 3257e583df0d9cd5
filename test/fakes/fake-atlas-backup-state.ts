// State of the fake Atlas beyond snapshots and whole-cluster restore jobs: per-cluster namespaces, point-in-time
// settings, on-demand snapshots, point-in-time restore jobs and collection restore jobs. It lives beside the
// FakeAtlasStore (attached to it, not inside it) so the existing data module stays as it is.
import type { ClusterRecord, FakeAtlasStore } from './fake-atlas-data.js';
import { isoSeconds, objectId } from './fake-atlas-data.js';
import type { CollectionJobRecord } from './fake-atlas-collection-jobs.js';

/** A namespace (`db.collection`) with its document count; a bare string gets a count from its position. */
export type FakeNamespace = string | { name: string; documents: number };

export interface FakeClusterBackupOptions {
  /** Collections of the cluster, for collection-level restores (source and target). Default none. */
  namespaces?: readonly FakeNamespace[];
  /** `restoreWindowDays` of the backup schedule. Default 7. */
  restoreWindowDays?: number;
  /** Continuous cloud backup (point in time). Default false. */
  pitEnabled?: boolean;
  /**
   * Cloud backup at all (a dedicated cluster's `backupEnabled`, recorded false for `cluster-29`). Default true. Off, the
   * fake refuses on-demand snapshots; which code Atlas answers then is not recorded.
   */
  backupEnabled?: boolean;
  /**
   * The `totalCount` of the answer to `?pointInTimeUtcSeconds=T` (one snapshot). No recording shows the query; Atlas
   * may count the cluster's snapshots there. Default: the one result.
   */
  pointInTimeTotalCount?: number | undefined;
}

export interface ClusterBackupInfo {
  /** `db.collection` → documents. */
  namespaces: Map<string, number>;
  restoreWindowDays: number;
  pitEnabled: boolean;
  backupEnabled: boolean;
  pointInTimeTotalCount?: number | undefined;
  clusterId: string;
  createDate: string;
}

export type OnDemandStatus = 'queued' | 'inProgress' | 'completed' | 'failed';

export interface OnDemandRecord {
  id: string;
  groupId: string;
  name: string;
  description?: string | undefined;
  retentionInDays: number;
  status: OnDemandStatus;
  requestedAtMs: number;
  completedAtMs?: number;
  getsInState: number;
}

const DAY_MS = 86_400_000;
/** Recorded: 6a7944f2… (POST at 03:26:42) says createdAt 03:28:08, 6a79468a… 03:33:30 → 03:35:05. */
export const ON_DEMAND_TAKEN_AFTER_MS = 86_000;

export class FakeBackupState {
  private readonly clusters = new Map<string, ClusterBackupInfo>();
  readonly onDemand = new Map<string, OnDemandRecord>();
  /** Restore job id → pointInTimeUTCSeconds, for the dedicated jobs created with deliveryType pointInTime. */
  readonly pitJobs = new Map<string, number>();
  readonly collectionJobs = new Map<string, CollectionJobRecord>();
  /** `groupId/name` → raw restore jobs as Atlas answered them (FakeAtlas.addRecordedRestoreJobs). */
  private readonly recordedJobs = new Map<string, Record<string, unknown>[]>();

  constructor(
    readonly store: FakeAtlasStore,
    readonly now: () => number,
    readonly stepsPerState: number,
  ) {}

  private key(groupId: string, name: string): string {
    return `${groupId}/${name}`;
  }

  /** Settings of one cluster; created with the defaults on first use. */
  infoOf(cluster: Pick<ClusterRecord, 'groupId' | 'name'>): ClusterBackupInfo {
    const key = this.key(cluster.groupId, cluster.name);
    let info = this.clusters.get(key);
    if (!info) {
      const created = this.now() - 30 * DAY_MS;
      info = { namespaces: new Map(), restoreWindowDays: 7, pitEnabled: false, backupEnabled: true, clusterId: objectId(created), createDate: isoSeconds(created) };
      this.clusters.set(key, info);
    }
    return info;
  }

  configure(cluster: Pick<ClusterRecord, 'groupId' | 'name'>, opts: FakeClusterBackupOptions): void {
    const info = this.infoOf(cluster);
    if (opts.restoreWindowDays !== undefined) {
      if (!Number.isInteger(opts.restoreWindowDays) || opts.restoreWindowDays < 1) {
        throw new Error(`FAKE_ATLAS_BAD_WINDOW: restoreWindowDays must be a whole number >= 1, got ${opts.restoreWindowDays}`);
      }
      info.restoreWindowDays = opts.restoreWindowDays;
    }
    if (opts.pitEnabled !== undefined) info.pitEnabled = opts.pitEnabled;
    if (opts.backupEnabled !== undefined) info.backupEnabled = opts.backupEnabled;
    if ('pointInTimeTotalCount' in opts) info.pointInTimeTotalCount = opts.pointInTimeTotalCount;
    (opts.namespaces ?? []).forEach((ns, i) => {
      const name = typeof ns === 'string' ? ns : ns.name;
      const documents = typeof ns === 'string' ? 1000 * (i + 1) : ns.documents;
      const dot = name.indexOf('.');
      if (dot <= 0 || dot === name.length - 1) throw new Error(`FAKE_ATLAS_BAD_NAMESPACE: "${name}" is not db.collection`);
      if (!Number.isInteger(documents) || documents < 0) throw new Error(`FAKE_ATLAS_BAD_NAMESPACE: ${name} has ${documents} documents`);
      info.namespaces.set(name, documents);
    });
  }

  addRecordedJobs(cluster: Pick<ClusterRecord, 'groupId' | 'name'>, items: readonly Record<string, unknown>[]): void {
    for (const item of items) if (typeof item['id'] !== 'string') throw new Error('FAKE_ATLAS_BAD_RECORDED_JOB: every recorded job needs its id');
    const key = this.key(cluster.groupId, cluster.name);
    this.recordedJobs.set(key, [...(this.recordedJobs.get(key) ?? []), ...items.map((item) => structuredClone(item))]);
  }

  recordedJobsOf(cluster: Pick<ClusterRecord, 'groupId' | 'name'>): readonly Record<string, unknown>[] {
    return this.recordedJobs.get(this.key(cluster.groupId, cluster.name)) ?? [];
  }

  /** Moves an on-demand snapshot one step (by GETs) or to `to` (by a test); completion dates the snapshot. */
  moveOnDemand(record: OnDemandRecord, to: OnDemandStatus): void {
    record.status = to;
    record.getsInState = 0;
    const cluster = this.store.requireCluster(record.groupId, record.name);
    const snapshot = cluster.snapshots.find((s) => s.id === record.id);
    if (!snapshot) return;
    snapshot.status = to;
    if (to === 'completed') {
      // REALITY.onDemandTakenAfterRequest: Atlas dates an on-demand snapshot when it was taken, never in the second it
      // was requested (its id's), even when a test completes it at once.
      record.completedAtMs = Math.max(this.now(), record.requestedAtMs + ON_DEMAND_TAKEN_AFTER_MS);
      snapshot.createdAt = isoSeconds(record.completedAtMs);
      cluster.snapshots.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    }
  }

  observeOnDemand(record: OnDemandRecord): void {
    if (this.stepsPerState <= 0 || record.status === 'completed' || record.status === 'failed') return;
    record.getsInState += 1;
    if (record.getsInState < this.stepsPerState) return;
    this.moveOnDemand(record, record.status === 'queued' ? 'inProgress' : 'completed');
  }

  unfinishedOnDemand(groupId: string, name: string): OnDemandRecord | undefined {
    return [...this.onDemand.values()].find((r) => r.groupId === groupId && r.name === name && (r.status === 'queued' || r.status === 'inProgress'));
  }

  hasOnDemand(cluster: ClusterRecord): boolean {
    return [...this.onDemand.values()].some((r) => r.groupId === cluster.groupId && r.name === cluster.name);
  }
}

const attached = new WeakMap<FakeAtlasStore, FakeBackupState>();

export function attachBackupState(store: FakeAtlasStore, opts: { now: () => number; stepsPerState: number }): FakeBackupState {
  const state = new FakeBackupState(store, opts.now, opts.stepsPerState);
  attached.set(store, state);
  return state;
}

export function backupStateOf(store: FakeAtlasStore): FakeBackupState | undefined {
  return attached.get(store);
}
