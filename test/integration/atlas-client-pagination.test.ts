// Lists that don't page the way the spec says: a list that changes while it is read, and pages that don't advance
// (pageNum lost on the way), against the fake's real pagination (`links`, `totalCount`).
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const cluster = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };

let fake: FakeAtlas;
let logLines: string[];
let afterEachAnswer: (() => void) | undefined;

const snapshotGets = () => fake.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith('/backup/snapshots')).length;
function clientWithPages(pageSize: number): InstrumentedAtlasClient {
  return createAtlasClient({
    baseUrl: fake.url,
    auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey },
    pageSize,
    logger: pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) }),
    // Runs right after each answer arrives, before the next page is asked for: Atlas changing between two pages.
    onResponse: (info) => {
      if (info.status === 200) afterEachAnswer?.();
    },
  });
}

beforeEach(async () => {
  logLines = [];
  afterEachAnswer = undefined;
  fake = await startFakeAtlas();
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 3 });
});
afterEach(async () => {
  await fake.close();
});

describe('paginated lists', () => {
  it('reads every page of a list longer than a page', async () => {
    const snapshots = await clientWithPages(2).listSnapshots(cluster);
    expect(snapshots.map((s) => s.id).sort()).toEqual(fake.snapshots(GROUP, 'orders').map((s) => String(s.id)).sort());
    expect(snapshotGets()).toBe(2);
  });

  it('a snapshot taken while the list is read is not listed twice (newest first: it pushes one across the page boundary)', async () => {
    const client = clientWithPages(2);
    let pages = 0;
    afterEachAnswer = () => {
      if (++pages === 1) fake.addSnapshot(GROUP, 'orders', { createdAt: new Date().toISOString() });
    };
    const snapshots = await client.listSnapshots(cluster);
    const ids = snapshots.map((s) => s.id);
    expect(ids).toHaveLength(3); // the three there when reading began; the new one is for the next read
    expect(new Set(ids).size).toBe(3);
  });

  it('pages that never advance (pageNum lost on the way) stop at the first repeat instead of a thousand requests', async () => {
    const client = clientWithPages(2);
    fake.inject({ kind: 'ignorePageNum', method: 'GET', count: 1000 });
    const snapshots = await client.listSnapshots(cluster);
    expect(snapshots).toHaveLength(2);
    expect(snapshotGets()).toBe(2);
    expect(logLines.join('')).toMatch(/nothing new/);
  });
});
