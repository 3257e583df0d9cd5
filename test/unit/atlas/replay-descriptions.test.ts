// Real Atlas answers the backup replay (replay-recordings.test.ts) does not read: cluster descriptions (GET of
// …/clusters/{name} and …/flexClusters/{name}, and the Flex create answer, which has the same shape) through
// describeCluster's parser, the answers to POST …/backup/snapshots through takeOnDemandSnapshot's, and the target
// of every recorded restore job. Expectations written from the files (test/fixtures/atlas-recordings/).
import { describe, expect, it } from 'vitest';
import { toClusterDescription } from '../../../src/atlas/describe-cluster.js';
import { toRestoreJob } from '../../../src/atlas/normalize-responses.js';
import { toOnDemandSnapshot } from '../../../src/atlas/on-demand-snapshot.js';
import type { ClusterType } from '../../../src/atlas/types.js';
import { loadAtlasRecordings, type Recording } from '../../helpers/atlas-recordings.js';

const recordings = loadAtlasRecordings();
const byKey = new Map(recordings.map((r) => [r.key, r]));
const request = (r: Recording) => `${r.method} ${r.path}`;
const json = (r: Recording) => r.json as Record<string, unknown>;

/** Every 2xx answer that is a cluster description, with what describeCluster must make of it. */
const DESCRIPTIONS: Record<string, { type: ClusterType; expected: Record<string, unknown> }> = {
  // Recorded with version 2023-02-01 (Deprecation/Sunset headers); we ask 2024-08-05, whose fields we read are the same.
  'head TestSetup/Describe_Cluster/GET_clusters_cluster-29_2': {
    type: 'dedicated',
    expected: { name: 'cluster-29', id: '6a793f8cc0eb9e7a17716c1f', stateName: 'IDLE', pitEnabled: false, backupEnabled: false, paused: false, mongoDBVersion: '8.0.29', clusterType: 'REPLICASET' },
  },
  'head TestFlexBackup/GET_flexClusters_cluster-833_1': {
    type: 'flex',
    expected: { name: 'cluster-833', id: '6a793f632c88faeba59ba9d2', stateName: 'IDLE', pitEnabled: false, backupEnabled: true, mongoDBVersion: '8.0.29', clusterType: 'REPLICASET' },
  },
  'head TestFlexBackup/Delete_flex_cluster/GET_flexClusters_cluster-833_1': {
    type: 'flex',
    expected: { name: 'cluster-833', stateName: 'DELETING', pitEnabled: false, backupEnabled: true },
  },
  // The answer to creating a Flex cluster: a FlexClusterDescription20241113 too, without tags.
  'head TestFlexBackup/POST_flexClusters_1': {
    type: 'flex',
    expected: { name: 'cluster-833', stateName: 'CREATING', pitEnabled: false, backupEnabled: true },
  },
};

const DESCRIPTION_PATH = /\/(clusters|flexClusters)(\/[^/]+)?$/;

describe('recorded cluster descriptions, read by describeCluster', () => {
  it('every 2xx cluster description has an expectation, and every expectation a file', () => {
    const found = recordings.filter((r) => r.status < 300 && r.body !== '' && DESCRIPTION_PATH.test(r.path) && !r.path.endsWith('/groups'));
    expect(found.map((r) => r.key).sort()).toEqual(Object.keys(DESCRIPTIONS).sort());
  });

  it.each(Object.entries(DESCRIPTIONS))('%s', (key, { type, expected }) => {
    const r = byKey.get(key)!;
    expect(r.headers.get('content-type')).toMatch(type === 'flex' ? /^application\/vnd\.atlas\.2024-11-13\+json;charset=utf-8$/ : /^application\/vnd\.atlas\.2023-02-01\+json;charset=utf-8$/);
    const c = toClusterDescription(type, r.json, request(r));
    expect(c).toMatchObject({ type, ...expected });
    expect(c.raw).toBe(r.json);
  });
});

const ON_DEMAND_POSTS = [
  'head TestExportJobs/Create_snapshot/POST_clusters_cluster-989_backup_snapshots_1',
  'head TestRestores/Create_snapshot/POST_clusters_backupRestores-305_backup_snapshots_1',
  'head TestSnapshots/Create_snapshot/POST_clusters_cluster-209_backup_snapshots_1',
];

describe('recorded answers to taking an on-demand snapshot, read by takeOnDemandSnapshot', () => {
  it('are all the POSTs of a snapshot there are', () => {
    expect(recordings.filter((r) => r.method === 'POST' && r.path.endsWith('/backup/snapshots')).map((r) => r.key).sort()).toEqual([...ON_DEMAND_POSTS].sort());
  });

  it.each(ON_DEMAND_POSTS)('%s: queued, no createdAt yet, frequencyType "ondemand"', (key) => {
    const r = byKey.get(key)!;
    expect(r.status).toBe(200); // not 201, though the snapshot is created
    const s = toOnDemandSnapshot(r.json, request(r));
    expect(s).toMatchObject({ id: json(r)['id'], status: 'queued', createdAt: undefined, frequencyType: 'ondemand', snapshotType: 'onDemand', description: 'test-snapshot', expiresAt: json(r)['expiresAt'] });
  });
});

describe('the target of every recorded restore job', () => {
  const JOB_PATH = /\/(clusters|flexClusters)\/[^/]+\/backup\/restoreJobs(\/[^/]+)?$/;
  const jobs = recordings
    .filter((r) => r.status < 300 && JOB_PATH.test(r.path))
    .flatMap((r) => {
      const type: ClusterType = r.path.includes('/flexClusters/') ? 'flex' : 'dedicated';
      const body = json(r);
      const items = Array.isArray(body['results']) ? (body['results'] as Record<string, unknown>[]) : [body];
      return items.map((raw) => ({ key: r.key, type, raw, request: request(r) }));
    });

  it('reads the target cluster from targetClusterName (dedicated) or targetDeploymentItemName (Flex), never from the other', () => {
    expect(jobs.length).toBeGreaterThan(200);
    const dedicatedWithItem = jobs.filter((j) => j.type === 'dedicated' && typeof j.raw['targetDeploymentItemName'] === 'string');
    // A dedicated job names a deployment item that is not the target cluster (REALITY.dedicatedJobDeploymentItem).
    expect(dedicatedWithItem.length).toBeGreaterThan(0);
    for (const j of jobs) {
      const job = toRestoreJob(j.type, j.raw, j.request);
      const expected = j.type === 'flex' ? j.raw['targetDeploymentItemName'] : j.raw['targetClusterName'];
      const groupField = j.type === 'flex' ? 'targetProjectId' : 'targetGroupId';
      expect({ key: j.key, cluster: job.targetClusterName, group: job.targetGroupId }).toEqual({ key: j.key, cluster: expected, group: j.raw[groupField] });
    }
    for (const j of dedicatedWithItem) expect(toRestoreJob('dedicated', j.raw, j.request).targetClusterName).not.toBe(j.raw['targetDeploymentItemName']);
  });
});
