// Public vocabulary of the fake Atlas Administration API (fake-atlas.ts; where it follows Atlas rather than the spec: fake-atlas-reality.ts).
import type { ClusterType } from '../../src/atlas/types.js';
import type { FakeClusterBackupOptions, OnDemandStatus } from './fake-atlas-backup-state.js';
import type { AdvanceCollectionJobOptions, CollectionJobTarget } from './fake-atlas-collection-jobs.js';

export type { FakeClusterBackupOptions, FakeNamespace, OnDemandStatus } from './fake-atlas-backup-state.js';
export type { AdvanceCollectionJobOptions, CollectionJobTarget } from './fake-atlas-collection-jobs.js';

export interface FakeAtlasOptions {
  publicKey?: string;
  privateKey?: string; // defaults 'pubkey' / 'privkey-secret'
  clientId?: string;
  clientSecret?: string; // service account; defaults 'mdb_sa_id_fake' / 'mdb_sa_sk_secret'
  nonceTtlMs?: number; // default 300_000; after it, answer 401 with stale=true
  tokenTtlSeconds?: number; // OAuth token lifetime, default 3600
  /** How many GETs of a restore job it takes to move one step (pending→running→completed). 0 = only advanceJob() moves it. Default 1. */
  stepsPerState?: number;
  /** Clock used for nonce and token expiry and for timestamps; lets tests expire things without sleeping. Default Date.now. */
  now?: () => number;
}

export interface FakeCluster {
  groupId: string;
  name: string;
  type: ClusterType;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** 0 when the fake never answered (hang, reset). */
  status: number;
  /** Headers of the answer, e.g. Ratelimit-Remaining (empty when it never answered). */
  answerHeaders: Record<string, string>;
  authorized: boolean;
  /** When the fake received it (Date.now(), the real clock even when the fake's `now` is another): for the timing of a client's retries. */
  receivedAt: number;
}

export interface Fault {
  /**
   * status: answer `status` with an ApiError body; hang: never answer; reset: destroy the socket before doing anything;
   * empty2xx: do the work for real, answer 2xx with an empty body; dropAnswer: do the work for real, then destroy the socket;
   * slow: answer for real after `delayMs`, or once `until` settles (a test holds the answer while it does something);
   * html: a proxy or load balancer answers `status` (default 200) with a web page, no ApiError, no X-Error-Code;
   * truncated: do the work for real, answer its status with the first half of its JSON (a complete HTTP message);
   * ignorePageNum: answer a list as if `pageNum` were not given (page 1, its `next` link included).
   */
  kind: 'status' | 'hang' | 'reset' | 'empty2xx' | 'dropAnswer' | 'slow' | 'html' | 'truncated' | 'ignorePageNum';
  delayMs?: number;
  /** slow: answer when this settles instead of after `delayMs`. */
  until?: Promise<unknown>;
  status?: number;
  errorCode?: string;
  detail?: string;
  retryAfterSeconds?: number; // adds Retry-After to the answer
  /** Retry-After exactly as given (e.g. an HTTP date), instead of retryAfterSeconds. */
  retryAfter?: string;
  count?: number; // how many matching requests it affects (default 1)
  method?: string;
  pathIncludes?: string; // which requests (default: any authenticated API request)
}

/** 'queued': a Flex job still pending says QUEUED instead of PENDING (recorded; dedicated jobs have no status to say it). */
export type JobTarget = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';

export interface FakeAtlasStats {
  /** 401 answers to requests that carried no credentials (the normal first leg of Digest). */
  challenges: number;
  /** Requests whose credentials (Digest or Bearer) were accepted. */
  authorized: number;
  /** 401 answers to requests that carried credentials which were refused (bad, stale, replayed, expired). */
  rejected: number;
  /** Calls of POST /api/oauth/token, successful or not. */
  tokenRequests: number;
}

export interface FakeAtlas {
  url: string; // 'http://127.0.0.1:PORT'
  publicKey: string;
  privateKey: string;
  clientId: string;
  clientSecret: string;
  /** Creates N completed snapshots (default 3), newest first, 24-hex ids. */
  addCluster(c: { groupId: string; name: string; type: ClusterType; snapshots?: number } & FakeClusterBackupOptions): FakeCluster;
  /** Returns the raw id. `onDemand`: taken on demand (frequencyType "ondemand"), not by the schedule. */
  addSnapshot(groupId: string, name: string, s?: { status?: string; createdAt?: string; onDemand?: boolean }): { id: string };
  /** Raw Atlas objects as served (v2 shapes), newest first (the list endpoint serves a Flex cluster's oldest first). */
  snapshots(groupId: string, name: string): Record<string, unknown>[];
  restoreJobs(groupId: string, name: string): Record<string, unknown>[];
  /** Every service-account token issued so far is refused from now on (401); new ones can be fetched. */
  revokeTokens(): void;
  /** The cluster changes type in place (a Flex cluster upgraded to dedicated), keeping its snapshots and jobs. */
  setClusterType(groupId: string, name: string, type: ClusterType): void;
  /** Move a job to a state now. reason is kept for inspection; none of the three Atlas shapes has a failure text field. */
  advanceJob(jobId: string, to: JobTarget, reason?: string): void;
  /**
   * From now on a restore or collection restore job is served with these fields over what the fake renders (e.g.
   * `{ status: 'CANCELLED' }`, a value the spec doesn't list); `undefined` serves it as rendered again.
   */
  answerJobWith(jobId: string, fields: Record<string, unknown> | undefined): void;
  /**
   * Raw restore jobs as Atlas answered them (e.g. a recorded page's `results`), listed after the fake's own (older)
   * and served by id as they are. They never block a target and never change.
   */
  addRecordedRestoreJobs(source: { groupId: string; name: string }, items: readonly Record<string, unknown>[]): void;
  /**
   * Create a job directly (as if someone else or an earlier POST created it). `deliveryType` 'download' (dedicated
   * clusters): a job that can be cancelled, and that completes with a URL instead of a finishedAt.
   */
  seedRestoreJob(
    source: { groupId: string; name: string },
    job: { snapshotId: string; targetGroupId: string; targetClusterName: string; createdAt?: string; deliveryType?: 'automated' | 'download' },
  ): { id: string };
  inject(fault: Fault): void;
  requests: RecordedRequest[]; // every request, including 401 challenges
  stats(): FakeAtlasStats;
  reset(): void; // forget requests, stats and faults (not data)
  close(): Promise<void>;
  // Collection restores, point in time and on-demand snapshots (fake-atlas-backup-state.ts and the routes it feeds).
  /** Changes a cluster's restoreWindowDays, pitEnabled or backupEnabled, or adds namespaces (as addCluster takes them). */
  configureCluster(groupId: string, name: string, opts: FakeClusterBackupOptions): void;
  /** A cluster's collections now (`db.collection` → documents), including what collection restores wrote into it. */
  namespaces(groupId: string, name: string): Record<string, number>;
  /** Move an on-demand snapshot now; `completed` gives it its createdAt. */
  advanceOnDemandSnapshot(snapshotId: string, to: Exclude<OnDemandStatus, 'queued'>): void;
  /** Move a collection restore job now: documents restored follow (all of them at FINALIZING/SUCCESSFUL). */
  advanceCollectionJob(jobId: string, to: CollectionJobTarget, opts?: AdvanceCollectionJobOptions): void;
  /** Raw collection restore jobs as served (ApiAtlasCollectionRestoreJobResponse), newest first. */
  collectionRestoreJobs(groupId: string, name: string): Record<string, unknown>[];
  /** Raw per-namespace states as served (empty while INITIALIZING). */
  collectionRestoreNamespaces(jobId: string): Record<string, unknown>[];
}
