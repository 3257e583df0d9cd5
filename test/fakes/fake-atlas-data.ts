// In-memory Atlas backup data (clusters, snapshots, restore jobs) and the job state machine.
import { randomBytes } from 'node:crypto';
import type { ClusterType, RestoreJobState } from '../../src/atlas/types.js';
import type { JobTarget } from './fake-atlas-types.js';

/** Snapshot status in one vocabulary; the shapes module spells it per cluster type. */
export type SnapshotStatus = 'pending' | 'queued' | 'inProgress' | 'completed' | 'failed';

export interface SnapshotRecord {
  id: string;
  /** When it was (or is being) taken; a dedicated snapshot shows it only once completed (REALITY.snapshotTimeAtCompletion). */
  createdAt: string;
  status: SnapshotStatus;
  storageSizeBytes: number;
  /** Taken on demand (dedicated only in Atlas), not by the schedule. */
  onDemand: boolean;
}
export type DeliveryType = 'automated' | 'download';
export interface ClusterRecord { groupId: string; name: string; type: ClusterType; snapshots: SnapshotRecord[] }
export interface JobRecord {
  id: string;
  type: ClusterType;
  sourceGroupId: string;
  sourceName: string;
  snapshotId: string;
  snapshotCreatedAt: string;
  /** Dedicated clusters only; only a download job can be cancelled (REALITY.automatedRestoreCannotBeCancelled). */
  deliveryType: DeliveryType;
  targetGroupId: string;
  targetClusterName: string;
  createdAt: string;
  state: RestoreJobState;
  /** Creation order, to break ties between jobs created in the same second. */
  seq: number;
  getsInState: number;
  finishedAt?: string;
  failureReason?: string;
  /** A pending Flex job that Atlas has queued: served as QUEUED (advanceJob 'queued'). */
  queued?: boolean;
  /** Served over what the shapes render (FakeAtlas.answerJobWith). */
  answeredWith?: Record<string, unknown> | undefined;
}

const TERMINAL: readonly RestoreJobState[] = ['completed', 'failed', 'cancelled', 'expired'];
const HOUR = 3_600_000;

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 24-hex id shaped like a Mongo ObjectId: 4 bytes of seconds, then 8 random bytes. */
export function objectId(nowMs: number): string {
  const ts = Math.floor(nowMs / 1000).toString(16).padStart(8, '0').slice(-8);
  return ts + randomBytes(8).toString('hex');
}

export function normaliseSnapshotStatus(raw: string | undefined): SnapshotStatus {
  const s = (raw ?? 'completed').toLowerCase();
  const map: Record<string, SnapshotStatus> = {
    pending: 'pending', queued: 'queued', inprogress: 'inProgress', running: 'inProgress', in_progress: 'inProgress',
    completed: 'completed', failed: 'failed',
  };
  const found = map[s];
  if (!found) throw new Error(`FAKE_ATLAS_BAD_SNAPSHOT_STATUS: unknown snapshot status "${raw}"`);
  return found;
}

export class FakeAtlasStore {
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly jobs = new Map<string, JobRecord>();

  constructor(private readonly now: () => number, private readonly stepsPerState: number) {}

  private key(groupId: string, name: string): string {
    return `${groupId}/${name}`;
  }

  addCluster(c: { groupId: string; name: string; type: ClusterType; snapshots?: number }): ClusterRecord {
    if (!/^[a-f0-9]{24}$/.test(c.groupId)) throw new Error(`FAKE_ATLAS_BAD_GROUP_ID: groupId must be 24 hex digits, got "${c.groupId}"`);
    if (this.clusters.has(this.key(c.groupId, c.name))) throw new Error(`FAKE_ATLAS_DUPLICATE_CLUSTER: ${c.groupId}/${c.name} exists`);
    const record: ClusterRecord = { groupId: c.groupId, name: c.name, type: c.type, snapshots: [] };
    this.clusters.set(this.key(c.groupId, c.name), record);
    const base = this.now() - HOUR;
    for (let i = 0; i < (c.snapshots ?? 3); i++) {
      this.addSnapshot(c.groupId, c.name, { createdAt: isoSeconds(base - i * 24 * HOUR) });
    }
    return record;
  }

  /** A project exists once a cluster was added to it (REALITY.unknownProject). */
  hasGroup(groupId: string): boolean {
    for (const c of this.clusters.values()) if (c.groupId === groupId) return true;
    return false;
  }

  findCluster(groupId: string, name: string): ClusterRecord | undefined {
    return this.clusters.get(this.key(groupId, name));
  }

  requireCluster(groupId: string, name: string): ClusterRecord {
    const c = this.findCluster(groupId, name);
    if (!c) throw new Error(`FAKE_ATLAS_NO_CLUSTER: no cluster ${groupId}/${name}; call addCluster first`);
    return c;
  }

  addSnapshot(groupId: string, name: string, s: { status?: string; createdAt?: string; onDemand?: boolean } = {}): SnapshotRecord {
    const cluster = this.requireCluster(groupId, name);
    const createdMs = s.createdAt ? Date.parse(s.createdAt) : this.now();
    if (Number.isNaN(createdMs)) throw new Error(`FAKE_ATLAS_BAD_DATE: createdAt "${s.createdAt}" is not a date`);
    const snap: SnapshotRecord = {
      id: objectId(createdMs),
      createdAt: isoSeconds(createdMs),
      status: normaliseSnapshotStatus(s.status),
      storageSizeBytes: 1_048_576 * (10 + cluster.snapshots.length),
      onDemand: s.onDemand ?? false,
    };
    cluster.snapshots.push(snap);
    cluster.snapshots.sort((a, b) => b.createdAt.localeCompare(a.createdAt)); // newest first; the routes pick the order Atlas serves
    return snap;
  }

  createJob(source: ClusterRecord, snapshot: SnapshotRecord, target: { groupId: string; name: string }, createdAt?: string, deliveryType: DeliveryType = 'automated'): JobRecord {
    const createdMs = createdAt ? Date.parse(createdAt) : this.now();
    if (Number.isNaN(createdMs)) throw new Error(`FAKE_ATLAS_BAD_DATE: createdAt "${createdAt}" is not a date`);
    const job: JobRecord = {
      id: objectId(createdMs),
      type: source.type,
      sourceGroupId: source.groupId,
      sourceName: source.name,
      snapshotId: snapshot.id,
      snapshotCreatedAt: snapshot.createdAt,
      deliveryType,
      targetGroupId: target.groupId,
      targetClusterName: target.name,
      createdAt: isoSeconds(createdMs),
      state: 'pending',
      seq: this.jobs.size,
      getsInState: 0,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  findJob(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  /** Restore jobs whose source is this cluster, newest first. */
  jobsOf(groupId: string, name: string): JobRecord[] {
    return [...this.jobs.values()]
      .filter((j) => j.sourceGroupId === groupId && j.sourceName === name)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.seq - a.seq);
  }

  /** A job still writing into this target, if any: Atlas allows one restore per target at a time. A download writes nowhere. */
  activeJobInto(groupId: string, name: string): JobRecord | undefined {
    return [...this.jobs.values()].find(
      (j) => j.deliveryType !== 'download' && j.targetGroupId === groupId && j.targetClusterName === name && !TERMINAL.includes(j.state),
    );
  }

  /** Called on each GET of one job: after `stepsPerState` GETs in a state it moves one step on. */
  observe(job: JobRecord): void {
    if (this.stepsPerState <= 0 || TERMINAL.includes(job.state)) return;
    job.getsInState += 1;
    if (job.getsInState < this.stepsPerState) return;
    this.moveTo(job, job.state === 'pending' ? 'running' : 'completed');
  }

  advance(jobId: string, to: JobTarget, reason?: string): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`FAKE_ATLAS_NO_JOB: no restore job ${jobId}`);
    if (job.type === 'flex' && (to === 'cancelled' || to === 'expired')) {
      throw new Error(`FAKE_ATLAS_BAD_TRANSITION: flex restore jobs have no ${to} status`);
    }
    if (to === 'queued') {
      if (job.type !== 'flex' || job.state !== 'pending') throw new Error(`FAKE_ATLAS_BAD_TRANSITION: only a pending flex restore job can be queued (${job.id} is ${job.type}, ${job.state})`);
      job.queued = true;
      return;
    }
    this.moveTo(job, to, reason);
  }

  private moveTo(job: JobRecord, to: RestoreJobState, reason?: string): void {
    job.state = to;
    job.getsInState = 0;
    if (TERMINAL.includes(to)) job.finishedAt = isoSeconds(this.now());
    if (reason !== undefined) job.failureReason = reason;
  }
}
