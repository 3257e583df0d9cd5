// Benchmark: how many HTTP round trips a Digest-authenticated call costs once the challenge is cached,
// and how much time the client adds per call compared with a bare request over the same HTTP module (and with fetch).
// Run: npx tsx bench/atlas-digest.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createAtlasClient } from '../src/atlas/client.js';
import { sendHttpRequest } from '../src/atlas/send-http-request.js';
import { startFakeAtlas } from '../test/fakes/fake-atlas.js';

const CALLS = 200;
const GROUP = '5e2211c17a3e5a48f5497de3';
const MEDIA = 'application/vnd.atlas.2023-01-01+json';

async function timeSequential(n: number, call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await call();
  return (performance.now() - started) / n;
}

export async function benchAtlasDigest(): Promise<void> {
  const fake = await startFakeAtlas();
  let trivialBody = '';
  // A server that answers the same JSON with no auth at all: the floor for "one HTTP round trip".
  const trivial = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': MEDIA });
    res.end(trivialBody);
  });
  await new Promise<void>((resolve) => trivial.listen(0, '127.0.0.1', resolve));
  try {
    fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 3 });
    const cluster = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
    const snapshotId = String(fake.snapshots(GROUP, 'orders')[0]!.id);
    const path = `/api/atlas/v2/groups/${GROUP}/clusters/orders/backup/snapshots/${snapshotId}`;
    trivialBody = JSON.stringify(fake.snapshots(GROUP, 'orders')[0]);
    const client = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey } });

    await client.getSnapshot(cluster, snapshotId); // first call: pays the challenge
    const requestsAfterFirst = fake.requests.length;
    const clientMs = await timeSequential(CALLS - 1, () => client.getSnapshot(cluster, snapshotId));
    const roundTrips = (fake.requests.length - requestsAfterFirst) / (CALLS - 1);

    // The fake has no unauthenticated mode: a bare fetch of the same endpoint gets its 401 challenge answer,
    // which is the same server and path without auth checks or body rendering.
    const bareSameEndpointMs = await timeSequential(CALLS, async () => (await sendHttpRequest(new URL(path, fake.url), { method: 'GET', headers: { Accept: MEDIA }, timeoutMs: 15_000 })).text);
    const fetchSameEndpointMs = await timeSequential(CALLS, async () => (await fetch(new URL(path, fake.url), { headers: { Accept: MEDIA } })).text());
    const bareTrivialMs = await timeSequential(CALLS, async () => JSON.parse((await sendHttpRequest(new URL(path, `http://127.0.0.1:${(trivial.address() as AddressInfo).port}`), { method: 'GET', headers: { Accept: MEDIA }, timeoutMs: 15_000 })).text) as unknown);

    console.log(`digest round trips per call: ${roundTrips.toFixed(3)}`);
    console.log(`  (${CALLS} sequential GETs; first call ${requestsAfterFirst} requests incl. the challenge; client counters: ${JSON.stringify(client.stats())})`);
    console.log(`mean per call: client ${clientMs.toFixed(3)} ms`);
    console.log(`  vs a bare request of the same endpoint without auth (fake answers 401): ${bareSameEndpointMs.toFixed(3)} ms → overhead ${(clientMs - bareSameEndpointMs).toFixed(3)} ms`);
    console.log(`  (the same bare request with fetch: ${fetchSameEndpointMs.toFixed(3)} ms)`);
    console.log(`  vs a bare request + JSON of the same body from a trivial local server: ${bareTrivialMs.toFixed(3)} ms → overhead ${(clientMs - bareTrivialMs).toFixed(3)} ms`);
    console.log('  (overhead includes the fake verifying Digest; the client adds MD5 hashing, zod parsing, normalisation)');
  } finally {
    await fake.close();
    await new Promise<void>((resolve) => trivial.close(() => resolve()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchAtlasDigest().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
