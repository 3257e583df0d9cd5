// Proves the fake Atlas behaves like Atlas where our client depends on it: strict Digest, service-account
// tokens, versioned media types, pagination, wrong-type errors, job progression and injected faults.
// The Digest client here is hand-written (node:crypto) so the fake is not checked against itself.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import DigestClient from 'digest-fetch';
import { startFakeAtlas } from '../fakes/fake-atlas.js';
import type { FakeAtlas, FakeAtlasOptions } from '../fakes/fake-atlas.js';
import { validateSchema } from '../helpers/openapi-contract.js';
import { waitFor } from '../helpers/wait-for.js';

const G = '5e2211c17a3e5a48f5497de3';
const G2 = '6f3322d28b4f6b59a6508ef4';
const V2023 = 'application/vnd.atlas.2023-01-01+json';
const V2024 = 'application/vnd.atlas.2024-11-13+json';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function challengeParams(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1]!] = m[2] ?? m[3] ?? '';
  return out;
}

interface Signed { nonce: string; nc: number; uri?: string; password?: string; username?: string }
function digestHeader(method: string, uri: string, s: Signed): string {
  const username = s.username ?? 'pubkey';
  const ha1 = md5(`${username}:MMS Public API:${s.password ?? 'privkey-secret'}`);
  const signedUri = s.uri ?? uri;
  const ha2 = md5(`${method}:${signedUri}`);
  const nc = s.nc.toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const response = md5(`${ha1}:${s.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${username}", realm="MMS Public API", nonce="${s.nonce}", uri="${signedUri}", algorithm=MD5, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

describe('fake Atlas', () => {
  let fake: FakeAtlas;
  let clock: number;
  const start = async (opts: FakeAtlasOptions = {}) => {
    await fake?.close();
    fake = await startFakeAtlas({ now: () => clock, ...opts });
    fake.addCluster({ groupId: G, name: 'orders', type: 'dedicated', snapshots: 7 });
    fake.addCluster({ groupId: G, name: 'orders-flex', type: 'flex' });
    fake.addCluster({ groupId: G, name: 'legacy', type: 'serverless' });
    fake.addCluster({ groupId: G2, name: 'staging', type: 'dedicated' });
    fake.addCluster({ groupId: G2, name: 'staging-flex', type: 'flex' });
  };
  beforeEach(async () => {
    clock = Date.parse('2026-03-01T12:00:00Z');
    await start();
  });
  afterEach(async () => {
    await fake.close();
  });

  async function nonce(): Promise<string> {
    const res = await fetch(`${fake.url}/api/atlas/v2/groups/${G}/clusters/orders/backup/snapshots`);
    expect(res.status).toBe(401);
    return challengeParams(res.headers.get('www-authenticate'))['nonce']!;
  }

  let ncCounter = 0;
  let currentNonce = '';
  /** Digest-signed request with a fresh nc on a shared nonce (fetches a nonce on first use). */
  async function call(method: string, path: string, init: { accept?: string; contentType?: string; body?: unknown; sign?: Partial<Signed> } = {}) {
    if (!currentNonce || init.sign?.nonce === '') {
      currentNonce = await nonce();
      ncCounter = 0;
    }
    const signed: Signed = { nonce: currentNonce, nc: ++ncCounter, ...init.sign };
    const headers: Record<string, string> = { Authorization: digestHeader(method, path, signed) };
    if (init.accept !== '') headers['Accept'] = init.accept ?? V2023;
    if (init.body !== undefined) headers['Content-Type'] = init.contentType ?? init.accept ?? V2023;
    const res = await fetch(`${fake.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    return { res, status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }
  beforeEach(() => {
    currentNonce = '';
  });

  const snaps = (name = 'orders', seg = 'clusters', g = G) => `/api/atlas/v2/groups/${g}/${seg}/${name}/backup/snapshots`;
  const jobs = (name = 'orders', seg = 'clusters', v = 'v2', g = G) => `/api/atlas/${v}/groups/${g}/${seg}/${name}/backup/restoreJobs`;
  const dedicatedBody = (snapshotId: string, target = 'staging', group = G2) => ({ deliveryType: 'automated', snapshotId, targetClusterName: target, targetGroupId: group });

  describe('Digest auth', () => {
    it('challenges with the Atlas header and an ApiError body', async () => {
      const res = await fetch(`${fake.url}${snaps()}`, { headers: { Accept: V2023 } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/);
      const body = await res.json();
      expect(validateSchema('ApiError', body)).toEqual([]);
      expect(body).toMatchObject({ error: 401, reason: 'Unauthorized' });
      expect(fake.stats()).toMatchObject({ challenges: 1, authorized: 0, rejected: 0 });
      expect(fake.requests[0]).toMatchObject({ method: 'GET', path: snaps(), status: 401, authorized: false });
    });

    it('accepts a correct response and several increasing nc on one nonce', async () => {
      for (let i = 0; i < 3; i++) expect((await call('GET', snaps())).status).toBe(200);
      expect(fake.stats()).toMatchObject({ challenges: 1, authorized: 3, rejected: 0 });
    });

    it('rejects a wrong password with a fresh challenge', async () => {
      const r = await call('GET', snaps(), { sign: { password: 'wrong' } });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ errorCode: 'USER_UNAUTHORIZED' });
      const fresh = challengeParams(r.res.headers.get('www-authenticate'));
      expect(fresh['nonce']).toBeTruthy();
      expect(fresh['nonce']).not.toBe(currentNonce);
      expect(fresh['stale']).toBe('false');
      expect(fake.stats().rejected).toBe(1);
    });

    it('rejects an unknown user and an unknown nonce', async () => {
      expect((await call('GET', snaps(), { sign: { username: 'other' } })).status).toBe(401);
      expect((await call('GET', snaps(), { sign: { nonce: 'made-up' } })).status).toBe(401);
    });

    it('rejects nc=00000000', async () => {
      currentNonce = await nonce();
      expect((await call('GET', snaps(), { sign: { nc: 0 } })).status).toBe(401);
    });

    it('rejects a replayed (nonce, nc) pair', async () => {
      currentNonce = await nonce();
      expect((await call('GET', snaps(), { sign: { nc: 5 } })).status).toBe(200);
      expect((await call('GET', snaps(), { sign: { nc: 5 } })).status).toBe(401);
      expect((await call('GET', snaps(), { sign: { nc: 6 } })).status).toBe(200);
    });

    it('lets exactly one of many concurrent requests with the same nc through', async () => {
      currentNonce = await nonce();
      const results = await Promise.all(Array.from({ length: 20 }, () => call('GET', snaps(), { sign: { nc: 9 } })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(19);
    });

    it('accepts many concurrent requests with distinct nc', async () => {
      currentNonce = await nonce();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call('GET', snaps(), { sign: { nc: i + 1 } })));
      expect(results.every((r) => r.status === 200)).toBe(true);
    });

    it('rejects a uri that is not the request target, including a missing query', async () => {
      expect((await call('GET', snaps(), { sign: { uri: snaps('staging') } })).status).toBe(401);
      expect((await call('GET', `${snaps()}?pageNum=1`, { sign: { uri: snaps() } })).status).toBe(401);
      expect((await call('GET', `${snaps()}?pageNum=1`)).status).toBe(200);
    });

    it('answers stale=true once the nonce outlives nonceTtlMs, and a new nonce works', async () => {
      await start({ nonceTtlMs: 1000 });
      currentNonce = await nonce();
      expect((await call('GET', snaps())).status).toBe(200);
      clock += 1001;
      const r = await call('GET', snaps());
      expect(r.status).toBe(401);
      const challenge = challengeParams(r.res.headers.get('www-authenticate'));
      expect(challenge['stale']).toBe('true');
      currentNonce = challenge['nonce']!;
      ncCounter = 0;
      expect((await call('GET', snaps())).status).toBe(200);
    });

    it('works with digest-fetch, the library our client wraps (one challenge, then cached)', async () => {
      const client = new DigestClient(fake.publicKey, fake.privateKey);
      for (let i = 0; i < 3; i++) {
        const res = (await client.fetch(`${fake.url}${snaps()}?pageNum=1`, { headers: { Accept: V2023 } })) as Response;
        expect(res.status).toBe(200);
      }
      expect(fake.stats()).toMatchObject({ challenges: 1, authorized: 3, rejected: 0 });
    });

    it('rejects Basic auth', async () => {
      const res = await fetch(`${fake.url}${snaps()}`, { headers: { Accept: V2023, Authorization: `Basic ${Buffer.from('pubkey:privkey-secret').toString('base64')}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Digest /);
    });
  });

  describe('service account', () => {
    const token = (auth: string, body = 'grant_type=client_credentials', type = 'application/x-www-form-urlencoded') =>
      fetch(`${fake.url}/api/oauth/token`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': type }, body });
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    it('issues a bearer token that authorizes API calls until it expires', async () => {
      const res = await token(basic(fake.clientId, fake.clientSecret));
      expect(res.status).toBe(200);
      const t = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      const get = () => fetch(`${fake.url}${snaps()}`, { headers: { Accept: V2023, Authorization: `Bearer ${t.access_token}` } });
      expect((await get()).status).toBe(200);
      clock += 3600 * 1000;
      const expired = await get();
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
      expect(fake.stats()).toMatchObject({ tokenRequests: 1, authorized: 1, rejected: 1 });
    });

    it('refuses a wrong secret, a wrong grant type and a made-up token', async () => {
      const bad = await token(basic(fake.clientId, 'nope'));
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
      const grant = await token(basic(fake.clientId, fake.clientSecret), 'grant_type=password');
      expect(grant.status).toBe(400);
      expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
      const json = await token(basic(fake.clientId, fake.clientSecret), '{"grant_type":"client_credentials"}', 'application/json');
      expect(json.status).toBe(400);
      const madeUp = await fetch(`${fake.url}${snaps()}`, { headers: { Accept: V2023, Authorization: 'Bearer abc' } });
      expect(madeUp.status).toBe(401);
    });
  });

  describe('media types', () => {
    it('needs the versioned Accept on v2 (406 INVALID_VERSION_DATE)', async () => {
      for (const accept of ['application/json', '', V2024]) {
        const r = await call('GET', snaps(), { accept });
        expect(r.status, `Accept "${accept}"`).toBe(406);
        expect(r.body).toMatchObject({ error: 406, errorCode: 'INVALID_VERSION_DATE' });
      }
      expect((await call('GET', snaps('orders-flex', 'flexClusters'), { accept: V2023 })).status).toBe(406);
      const ok = await call('GET', snaps('orders-flex', 'flexClusters'), { accept: V2024 });
      expect(ok.status).toBe(200);
      expect(ok.res.headers.get('content-type')).toBe(V2024);
    });

    it('serves v1.0 serverless with application/json', async () => {
      const r = await call('GET', `/api/atlas/v1.0/groups/${G}/serverless/legacy/backup/snapshots`, { accept: 'application/json' });
      expect(r.status).toBe(200);
      expect(r.res.headers.get('content-type')).toBe('application/json');
      expect((await call('GET', `/api/atlas/v1.0/groups/${G}/clusters/orders/backup/snapshots`, { accept: 'application/json' })).status).toBe(404);
    });

    it('answers 415 to a POST with the wrong Content-Type', async () => {
      const r = await call('POST', jobs(), { body: dedicatedBody(fake.snapshots(G, 'orders')[0]!['id'] as string), contentType: 'application/json' });
      expect(r.status).toBe(415);
      expect(validateSchema('ApiError', r.body)).toEqual([]);
    });
  });

  describe('snapshots', () => {
    it('pages newest first with links and totalCount', async () => {
      const all = fake.snapshots(G, 'orders').map((s) => s['id']);
      const createdAt = fake.snapshots(G, 'orders').map((s) => s['createdAt'] as string);
      expect([...createdAt].sort().reverse()).toEqual(createdAt);
      const p2 = await call('GET', `${snaps()}?pageNum=2&itemsPerPage=3`);
      expect(p2.status).toBe(200);
      expect((p2.body!['results'] as { id: string }[]).map((s) => s.id)).toEqual(all.slice(3, 6));
      expect(p2.body!['totalCount']).toBe(7);
      const rels = (p2.body!['links'] as { rel: string; href: string }[]).map((l) => [l.rel, new URL(l.href).search]);
      expect(rels).toEqual([
        ['self', '?pageNum=2&itemsPerPage=3'],
        ['previous', '?pageNum=1&itemsPerPage=3'],
        ['next', '?pageNum=3&itemsPerPage=3'],
      ]);
      const p3 = await call('GET', `${snaps()}?pageNum=3&itemsPerPage=3&includeCount=false`);
      expect((p3.body!['results'] as unknown[]).length).toBe(1);
      expect(p3.body!['totalCount']).toBeUndefined();
      expect((p3.body!['links'] as { rel: string }[]).map((l) => l.rel)).toEqual(['self', 'previous']);
      const dflt = await call('GET', snaps());
      expect((dflt.body!['results'] as unknown[]).length).toBe(7);
    });

    it('refuses itemsPerPage above 500 and a bad pageNum', async () => {
      expect((await call('GET', `${snaps()}?itemsPerPage=501`)).body).toMatchObject({ error: 400, errorCode: 'VALIDATION_ERROR' });
      expect((await call('GET', `${snaps()}?pageNum=0`)).status).toBe(400);
      expect((await call('GET', `${snaps()}?itemsPerPage=500`)).status).toBe(200);
    });

    it('gets one snapshot and 404s an unknown one', async () => {
      const id = fake.addSnapshot(G, 'orders', { status: 'inProgress' }).id;
      const r = await call('GET', `${snaps()}/${id}`);
      expect(r.body).toMatchObject({ id, status: 'inProgress', type: 'replicaSet' });
      expect((await call('GET', `${snaps()}/${'0'.repeat(24)}`)).body).toMatchObject({ error: 404, errorCode: 'SNAPSHOT_NOT_FOUND' });
    });

    it('answers the wrong-type error codes', async () => {
      const cases: [string, number, string][] = [
        [snaps('orders', 'flexClusters'), 400, 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API'],
        [snaps('orders-flex', 'clusters'), 400, 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API'],
        [snaps('legacy', 'clusters'), 400, 'CANNOT_USE_SERVERLESS_INSTANCE_IN_CLUSTER_API'],
        [snaps('orders', 'serverless'), 400, 'CANNOT_USE_CLUSTER_IN_SERVERLESS_INSTANCE_API'],
        [snaps('orders-flex', 'serverless'), 404, 'SERVERLESS_INSTANCE_NOT_FOUND'],
        [snaps('nope', 'clusters'), 404, 'CLUSTER_NOT_FOUND'],
        [snaps('nope', 'flexClusters'), 404, 'FLEX_CLUSTER_NOT_FOUND'],
        [snaps('orders', 'clusters', 'not-a-group'), 400, 'INVALID_GROUP_ID'],
      ];
      for (const [path, status, errorCode] of cases) {
        const accept = path.includes('flexClusters') ? V2024 : V2023;
        const r = await call('GET', path, { accept });
        expect({ path, status: r.status, errorCode: r.body?.['errorCode'] }).toEqual({ path, status, errorCode });
      }
    });
  });

  describe('restore jobs', () => {
    it('validates the POST body', async () => {
      const snap = fake.snapshots(G, 'orders')[0]!['id'] as string;
      const missing = await call('POST', jobs(), { body: { snapshotId: snap } });
      expect(missing.body).toMatchObject({ error: 400, errorCode: 'MISSING_ATTRIBUTE' });
      expect(validateSchema('ApiError', missing.body)).toEqual([]);
      expect((await call('POST', jobs(), { body: { ...dedicatedBody(snap), deliveryType: 'download' } })).body).toMatchObject({ errorCode: 'INVALID_ATTRIBUTE' });
      expect((await call('POST', jobs(), { body: dedicatedBody('f'.repeat(24)) })).body).toMatchObject({ error: 404, errorCode: 'SNAPSHOT_NOT_FOUND' });
      const queued = fake.addSnapshot(G, 'orders', { status: 'queued' }).id;
      expect((await call('POST', jobs(), { body: dedicatedBody(queued) })).body).toMatchObject({ error: 400, errorCode: 'SNAPSHOT_NOT_COMPLETE' });
      expect((await call('POST', jobs(), { body: dedicatedBody(snap, 'ghost') })).body).toMatchObject({ error: 404, errorCode: 'CLUSTER_NOT_FOUND' });
      expect((await call('POST', jobs(), { body: dedicatedBody(snap, 'staging-flex') })).body).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE' });
      const bad = await fetch(`${fake.url}${jobs()}`, { method: 'POST', body: 'not json', headers: { 'Content-Type': V2023, Accept: V2023, Authorization: digestHeader('POST', jobs(), { nonce: currentNonce, nc: ++ncCounter }) } });
      expect(await bad.json()).toMatchObject({ error: 400, errorCode: 'INVALID_JSON' });
      expect(fake.restoreJobs(G, 'orders')).toEqual([]);
    });

    it('refuses a second restore into a busy target (409) until the first ends', async () => {
      const snap = fake.snapshots(G, 'orders')[0]!['id'] as string;
      const first = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(first.status).toBe(200);
      const second = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(second.body).toMatchObject({ error: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS' });
      fake.advanceJob(first.body!['id'] as string, 'completed');
      expect((await call('POST', jobs(), { body: dedicatedBody(snap) })).status).toBe(200);
    });

    it('moves a dedicated job one step per GET and records the POST', async () => {
      const snap = fake.snapshots(G, 'orders')[1]!['id'] as string;
      const created = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(created.status).toBe(200);
      const id = created.body!['id'] as string;
      expect(id).toMatch(/^[a-f0-9]{24}$/);
      expect(created.body).toMatchObject({ snapshotId: snap, targetClusterName: 'staging', targetGroupId: G2, deliveryType: 'automated', failed: false, cancelled: false, expired: false });
      expect(created.body!['finishedAt']).toBeUndefined();
      const post = fake.requests.find((r) => r.method === 'POST' && r.status === 200)!;
      expect(post).toMatchObject({ path: jobs(), authorized: true, body: dedicatedBody(snap) });
      expect(post.headers['content-type']).toBe(V2023);
      const g1 = await call('GET', `${jobs()}/${id}`);
      expect(g1.body!['finishedAt']).toBeUndefined(); // running: Atlas shows no difference from pending
      const g2 = await call('GET', `${jobs()}/${id}`);
      expect(g2.body).toMatchObject({ failed: false, cancelled: false });
      expect(g2.body!['finishedAt']).toEqual(expect.any(String));
      const list = await call('GET', jobs());
      expect((list.body!['results'] as { id: string }[]).map((j) => j.id)).toEqual([id]);
      expect((await call('GET', `${jobs('staging', 'clusters', 'v2', G2)}/${id}`)).body).toMatchObject({ error: 404, errorCode: 'RESTORE_JOB_NOT_FOUND' });
    });

    it('moves a flex job after stepsPerState GETs', async () => {
      await start({ stepsPerState: 2 });
      const snap = fake.snapshots(G, 'orders-flex')[0]!['id'] as string;
      const created = await call('POST', jobs('orders-flex', 'flexClusters'), { accept: V2024, body: { snapshotId: snap, targetDeploymentItemName: 'staging-flex', targetProjectId: G2 } });
      expect(created.body).toMatchObject({ status: 'PENDING', snapshotId: snap, targetDeploymentItemName: 'staging-flex', targetProjectId: G2, projectId: G, instanceName: 'orders-flex' });
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) seen.push((await call('GET', `${jobs('orders-flex', 'flexClusters')}/${created.body!['id'] as string}`, { accept: V2024 })).body!['status'] as string);
      expect(seen).toEqual(['PENDING', 'RUNNING', 'RUNNING', 'COMPLETED', 'COMPLETED']);
    });

    it('with stepsPerState 0 only advanceJob moves jobs; every terminal state is shown', async () => {
      await start({ stepsPerState: 0 });
      const flexSnap = fake.snapshots(G, 'orders-flex')[0]!['id'] as string;
      const flexJob = fake.seedRestoreJob({ groupId: G, name: 'orders-flex' }, { snapshotId: flexSnap, targetGroupId: G, targetClusterName: 'orders-flex' }).id;
      const flexPath = `${jobs('orders-flex', 'flexClusters')}/${flexJob}`;
      for (let i = 0; i < 3; i++) expect((await call('GET', flexPath, { accept: V2024 })).body!['status']).toBe('PENDING');
      fake.advanceJob(flexJob, 'failed', 'disk full');
      expect((await call('GET', flexPath, { accept: V2024 })).body!['status']).toBe('FAILED');
      expect(() => fake.advanceJob(flexJob, 'cancelled')).toThrow(/FAKE_ATLAS_BAD_TRANSITION/);
      expect(() => fake.advanceJob('0'.repeat(24), 'completed')).toThrow(/FAKE_ATLAS_NO_JOB/);

      const sSnap = fake.snapshots(G, 'legacy')[0]!['id'] as string;
      const expect1 = async (to: 'cancelled' | 'expired' | 'failed', flag: string) => {
        const id = fake.seedRestoreJob({ groupId: G, name: 'legacy' }, { snapshotId: sSnap, targetGroupId: G, targetClusterName: 'legacy' }).id;
        fake.advanceJob(id, to);
        const r = await call('GET', `${jobs('legacy', 'serverless', 'v1.0')}/${id}`, { accept: 'application/json' });
        expect(r.body).toMatchObject({ [flag]: true, createdAt: expect.any(String) });
      };
      await expect1('cancelled', 'cancelled');
      await expect1('expired', 'expired');
      await expect1('failed', 'failed');
    });

    it('cancels a dedicated job with DELETE (204) and refuses DELETE elsewhere', async () => {
      const snap = fake.snapshots(G, 'orders')[0]!['id'] as string;
      const id = fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging' }).id;
      const del = await call('DELETE', `${jobs()}/${id}`);
      expect(del.status).toBe(204);
      expect(del.body).toBeUndefined();
      expect(fake.restoreJobs(G, 'orders')[0]).toMatchObject({ id, cancelled: true });
      expect((await call('DELETE', `${jobs()}/${id}`)).status).toBe(400);
      const sSnap = fake.snapshots(G, 'legacy')[0]!['id'] as string;
      const sid = fake.seedRestoreJob({ groupId: G, name: 'legacy' }, { snapshotId: sSnap, targetGroupId: G, targetClusterName: 'legacy' }).id;
      expect((await call('DELETE', `${jobs('legacy', 'serverless')}/${sid}`)).status).toBe(405);
    });

    it('lists seeded jobs newest first', async () => {
      const snap = fake.snapshots(G, 'orders')[0]!['id'] as string;
      const old = fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging', createdAt: '2026-02-01T00:00:00Z' }).id;
      const recent = fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging', createdAt: '2026-02-02T00:00:00Z' }).id;
      const list = await call('GET', jobs());
      expect((list.body!['results'] as { id: string }[]).map((j) => j.id)).toEqual([recent, old]);
      expect(() => fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: 'f'.repeat(24), targetGroupId: G2, targetClusterName: 'staging' })).toThrow(/FAKE_ATLAS_NO_SNAPSHOT/);
    });
  });

  describe('faults', () => {
    it('answers an injected 500 `count` times, then normally', async () => {
      fake.inject({ kind: 'status', status: 500, count: 2 });
      expect((await call('GET', snaps())).body).toMatchObject({ error: 500, errorCode: 'UNEXPECTED_ERROR' });
      expect((await call('GET', snaps())).status).toBe(500);
      expect((await call('GET', snaps())).status).toBe(200);
    });

    it('answers 429 with Retry-After, only for matching requests', async () => {
      fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, method: 'POST', pathIncludes: '/restoreJobs' });
      expect((await call('GET', jobs())).status).toBe(200);
      const snap = fake.snapshots(G, 'orders')[0]!['id'] as string;
      const limited = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(limited.status).toBe(429);
      expect(limited.res.headers.get('retry-after')).toBe('7');
      expect(limited.body).toMatchObject({ errorCode: 'RATE_LIMITED' });
      expect(fake.restoreJobs(G, 'orders')).toEqual([]);
    });

    it('hangs only authenticated requests, and close() ends a hung request', async () => {
      fake.inject({ kind: 'hang' });
      currentNonce = await nonce(); // the unauthenticated challenge is not affected by the fault
      const pending = call('GET', snaps()).catch((e: unknown) => e);
      await waitFor(() => fake.requests.find((r) => r.authorized && r.status === 0), { message: 'the hung request to arrive' });
      await fake.close();
      expect(await pending).toBeInstanceOf(Error);
      fake = await startFakeAtlas(); // afterEach closes it
    });

    it('hang: the AbortSignal ends the wait', async () => {
      currentNonce = await nonce();
      fake.inject({ kind: 'hang', pathIncludes: '/snapshots' });
      const controller = new AbortController();
      const res = fetch(`${fake.url}${snaps()}`, { signal: controller.signal, headers: { Accept: V2023, Authorization: digestHeader('GET', snaps(), { nonce: currentNonce, nc: 1 }) } });
      await waitFor(() => fake.requests.find((r) => r.authorized), { message: 'the hung request to arrive' });
      controller.abort();
      await expect(res).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('reset destroys the socket', async () => {
      fake.inject({ kind: 'reset' });
      await expect(call('GET', snaps())).rejects.toThrow(/fetch failed/);
      expect((await call('GET', snaps())).status).toBe(200);
    });

    it('reset() forgets requests, stats and faults but keeps data', async () => {
      fake.inject({ kind: 'status', status: 503 });
      await nonce();
      fake.reset();
      expect(fake.requests).toEqual([]);
      expect(fake.stats()).toEqual({ challenges: 0, authorized: 0, rejected: 0, tokenRequests: 0 });
      expect((await call('GET', snaps())).status).toBe(200);
      expect(fake.snapshots(G, 'orders')).toHaveLength(7);
    });

    it('refuses a status fault without a status', () => {
      expect(() => fake.inject({ kind: 'status' })).toThrow(/FAKE_ATLAS_BAD_FAULT/);
    });
  });

  describe('setup errors', () => {
    it('says what was wrong', () => {
      expect(() => fake.addCluster({ groupId: 'abc', name: 'x', type: 'flex' })).toThrow(/FAKE_ATLAS_BAD_GROUP_ID/);
      expect(() => fake.addCluster({ groupId: G, name: 'orders', type: 'flex' })).toThrow(/FAKE_ATLAS_DUPLICATE_CLUSTER/);
      expect(() => fake.addSnapshot(G, 'ghost')).toThrow(/FAKE_ATLAS_NO_CLUSTER/);
      expect(() => fake.addSnapshot(G, 'orders', { status: 'weird' })).toThrow(/FAKE_ATLAS_BAD_SNAPSHOT_STATUS/);
      expect(() => fake.addSnapshot(G, 'orders', { createdAt: 'yesterday' })).toThrow(/FAKE_ATLAS_BAD_DATE/);
    });
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('times out with the message and the last probe error', async () => {
    await expect(
      waitFor(() => {
        throw new Error('not yet');
      }, { timeoutMs: 30, intervalMs: 5, message: 'the thing' }),
    ).rejects.toThrow(/waitFor timed out after 30 ms waiting for the thing; last probe threw: not yet/);
  });
});
