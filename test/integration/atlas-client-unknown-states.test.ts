// A restore job whose status the bot can't read (a Flex status or a collection restore state outside the spec's
// list) through the real client and the fake Atlas over HTTP: a list holding one stays whole, the job is kept as
// 'unknown' (never finished), the one job the bot follows is read, not an error, and the log says what Atlas said.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { TERMINAL_JOB_STATES } from '../../src/atlas/types.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { RECORDED_FLEX_GROUP as GROUP, recordedFlexRestoreJobs } from '../fakes/fake-atlas-recorded-jobs.js';

let fake: FakeAtlas;
let client: InstrumentedAtlasClient;
const logLines: { msg: string; jobs?: { id: string; atlasSays: string }[] }[] = [];
const flex = { groupId: GROUP, clusterName: 'snapshotCluster0', type: 'flex' as const };
const dedicated = { groupId: GROUP, clusterName: 'ledger', type: 'dedicated' as const };
// The recorded page (100 real jobs) with one status changed to a value the spec doesn't list.
const jobs = recordedFlexRestoreJobs({ index: 37, fields: { status: 'CANCELLED' } });
const odd = jobs[37]!;

beforeAll(async () => {
  fake = await startFakeAtlas({ stepsPerState: 0 });
  fake.addCluster({ groupId: GROUP, name: 'snapshotCluster0', type: 'flex' });
  fake.addCluster({ groupId: GROUP, name: 'ledger', type: 'dedicated', namespaces: ['shop.orders'] });
  fake.addRecordedRestoreJobs({ groupId: GROUP, name: 'snapshotCluster0' }, jobs);
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
  client = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey }, logger, retryPolicy: { maxAttempts: 1 } });
});
afterAll(() => fake.close());
beforeEach(() => {
  logLines.length = 0;
});

describe('a Flex restore job with a status outside the spec (CANCELLED) in a recorded page', () => {
  it('leaves the list whole: that job is unknown, the others as Atlas says, and the log names it', async () => {
    const { jobs: listed, complete } = await client.listRecentRestoreJobs(flex);
    expect(listed).toHaveLength(jobs.length);
    expect(complete).toBe(true);
    const unknown = listed.filter((j) => j.state === 'unknown');
    expect(unknown).toEqual([expect.objectContaining({ id: odd['id'], atlasStatus: 'CANCELLED', snapshotId: odd['snapshotId'], targetClusterName: odd['targetDeploymentItemName'] })]);
    expect(TERMINAL_JOB_STATES).not.toContain('unknown');
    expect(listed.filter((j) => j.atlasStatus !== undefined)).toHaveLength(1);
    expect(logLines).toEqual([expect.objectContaining({ jobs: [{ id: odd['id'], atlasSays: 'CANCELLED' }] })]);
  });

  it('is kept in the full list too (adoption after a lost POST reads it)', async () => {
    const all = await client.listRestoreJobs(flex);
    expect(all.map((j) => j.id)).toEqual(jobs.map((j) => j['id']));
    expect(all.find((j) => j.id === odd['id'])).toMatchObject({ state: 'unknown', atlasStatus: 'CANCELLED' });
  });

  it('read by id, it is unknown, not an error: Atlas did answer', async () => {
    const job = await client.getRestoreJob(flex, String(odd['id']));
    expect(job).toMatchObject({ id: odd['id'], state: 'unknown', atlasStatus: 'CANCELLED' });
    expect(logLines.map((l) => l.msg)).toEqual([expect.stringContaining('does not know')]);
    const other = await client.getRestoreJob(flex, String(jobs[0]!['id']));
    expect(other.state).not.toBe('unknown');
    expect(other.atlasStatus).toBeUndefined();
  });
});

describe('a collection restore job in a state outside the spec', () => {
  it('is unknown in the list and by id, with Atlas’s word kept', async () => {
    const snapshotId = String(fake.snapshots(GROUP, 'ledger')[0]!['id']);
    const created = await client.createCollectionRestoreJob({
      source: dedicated,
      target: { groupId: GROUP, clusterName: 'ledger' },
      snapshotId,
      writeStrategy: 'CREATE_NEW',
      indexStrategy: 'ALL',
      collections: [{ sourceNamespace: 'shop.orders' }],
    });
    fake.answerJobWith(created.id, { state: 'PAUSED' });
    const listed = await client.listCollectionRestoreJobs(dedicated);
    expect(listed.map((j) => [j.id, j.state, j.atlasState])).toEqual([[created.id, 'unknown', 'PAUSED']]);
    expect(await client.getCollectionRestoreJob(dedicated, created.id)).toMatchObject({ state: 'unknown', atlasState: 'PAUSED' });
    fake.answerJobWith(created.id, undefined);
    expect(await client.getCollectionRestoreJob(dedicated, created.id)).toMatchObject({ state: 'pending', atlasState: 'INITIALIZING' });
    expect(logLines.filter((l) => l.jobs?.[0]?.atlasSays === 'PAUSED')).toHaveLength(2);
  });
});
