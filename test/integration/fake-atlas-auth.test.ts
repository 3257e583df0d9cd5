// Proves the fake Atlas authenticates like Atlas where our client depends on it: strict Digest,
// service-account tokens and versioned media types. Shared setup: fake-atlas-world.ts.
import { describe, expect, it } from 'vitest';
import DigestClient from 'digest-fetch';
import { validateSchema } from '../helpers/openapi-contract.js';
import { challengeParams, G, useFakeAtlas, V2023, V2024 } from './fake-atlas-world.js';

describe('fake Atlas', () => {
  const world = useFakeAtlas();
  const { call, nonce, start, snaps, jobs, dedicatedBody } = world;

  describe('Digest auth', () => {
    it('challenges with the Atlas header and an ApiError body', async () => {
      const res = await fetch(`${world.fake.url}${snaps()}`, { headers: { Accept: V2023 } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/);
      const body = await res.json();
      expect(validateSchema('ApiError', body)).toEqual([]);
      expect(body).toMatchObject({ error: 401, reason: 'Unauthorized' });
      expect(world.fake.stats()).toMatchObject({ challenges: 1, authorized: 0, rejected: 0 });
      expect(world.fake.requests[0]).toMatchObject({ method: 'GET', path: snaps(), status: 401, authorized: false });
    });

    it('accepts a correct response and several increasing nc on one nonce', async () => {
      for (let i = 0; i < 3; i++) expect((await call('GET', snaps())).status).toBe(200);
      expect(world.fake.stats()).toMatchObject({ challenges: 1, authorized: 3, rejected: 0 });
    });

    it('rejects a wrong password with a fresh challenge', async () => {
      const r = await call('GET', snaps(), { sign: { password: 'wrong' } });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.', errorCode: 'UNEXPECTED_ERROR' }); // as recorded
      const fresh = challengeParams(r.res.headers.get('www-authenticate'));
      expect(fresh['nonce']).toBeTruthy();
      expect(fresh['nonce']).not.toBe(world.currentNonce);
      expect(fresh['stale']).toBe('false');
      expect(world.fake.stats().rejected).toBe(1);
    });

    it('rejects an unknown user and an unknown nonce', async () => {
      expect((await call('GET', snaps(), { sign: { username: 'other' } })).status).toBe(401);
      expect((await call('GET', snaps(), { sign: { nonce: 'made-up' } })).status).toBe(401);
    });

    it('rejects nc=00000000', async () => {
      world.currentNonce = await nonce();
      expect((await call('GET', snaps(), { sign: { nc: 0 } })).status).toBe(401);
    });

    it('rejects a replayed (nonce, nc) pair', async () => {
      world.currentNonce = await nonce();
      expect((await call('GET', snaps(), { sign: { nc: 5 } })).status).toBe(200);
      expect((await call('GET', snaps(), { sign: { nc: 5 } })).status).toBe(401);
      expect((await call('GET', snaps(), { sign: { nc: 6 } })).status).toBe(200);
    });

    it('lets exactly one of many concurrent requests with the same nc through', async () => {
      world.currentNonce = await nonce();
      const results = await Promise.all(Array.from({ length: 20 }, () => call('GET', snaps(), { sign: { nc: 9 } })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(19);
    });

    it('accepts many concurrent requests with distinct nc', async () => {
      world.currentNonce = await nonce();
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
      world.currentNonce = await nonce();
      expect((await call('GET', snaps())).status).toBe(200);
      world.clock += 1001;
      const r = await call('GET', snaps());
      expect(r.status).toBe(401);
      const challenge = challengeParams(r.res.headers.get('www-authenticate'));
      expect(challenge['stale']).toBe('true');
      world.currentNonce = challenge['nonce']!;
      world.ncCounter = 0;
      expect((await call('GET', snaps())).status).toBe(200);
    });

    it('works with digest-fetch, the library our client wraps (one challenge, then cached)', async () => {
      const client = new DigestClient(world.fake.publicKey, world.fake.privateKey);
      for (let i = 0; i < 3; i++) {
        const res = (await client.fetch(`${world.fake.url}${snaps()}?pageNum=1`, { headers: { Accept: V2023 } })) as Response;
        expect(res.status).toBe(200);
      }
      expect(world.fake.stats()).toMatchObject({ challenges: 1, authorized: 3, rejected: 0 });
    });

    it('rejects Basic auth', async () => {
      const res = await fetch(`${world.fake.url}${snaps()}`, { headers: { Accept: V2023, Authorization: `Basic ${Buffer.from('pubkey:privkey-secret').toString('base64')}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Digest /);
    });
  });

  describe('service account', () => {
    const token = (auth: string, body = 'grant_type=client_credentials', type = 'application/x-www-form-urlencoded') =>
      fetch(`${world.fake.url}/api/oauth/token`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': type }, body });
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    it('issues a bearer token that authorizes API calls until it expires', async () => {
      const res = await token(basic(world.fake.clientId, world.fake.clientSecret));
      expect(res.status).toBe(200);
      const t = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      const get = () => fetch(`${world.fake.url}${snaps()}`, { headers: { Accept: V2023, Authorization: `Bearer ${t.access_token}` } });
      expect((await get()).status).toBe(200);
      world.clock += 3600 * 1000;
      const expired = await get();
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
      expect(world.fake.stats()).toMatchObject({ tokenRequests: 1, authorized: 1, rejected: 1 });
    });

    it('refuses a wrong secret, a wrong grant type and a made-up token', async () => {
      const bad = await token(basic(world.fake.clientId, 'nope'));
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
      const grant = await token(basic(world.fake.clientId, world.fake.clientSecret), 'grant_type=password');
      expect(grant.status).toBe(400);
      expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
      const json = await token(basic(world.fake.clientId, world.fake.clientSecret), '{"grant_type":"client_credentials"}', 'application/json');
      expect(json.status).toBe(400);
      const madeUp = await fetch(`${world.fake.url}${snaps()}`, { headers: { Accept: V2023, Authorization: 'Bearer abc' } });
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
      expect(ok.res.headers.get('content-type')).toBe(`${V2024};charset=utf-8`);
    });

    it('serves v1.0 serverless with application/json', async () => {
      const r = await call('GET', `/api/atlas/v1.0/groups/${G}/serverless/legacy/backup/snapshots`, { accept: 'application/json' });
      expect(r.status).toBe(200);
      expect(r.res.headers.get('content-type')).toBe('application/json');
      expect((await call('GET', `/api/atlas/v1.0/groups/${G}/clusters/orders/backup/snapshots`, { accept: 'application/json' })).status).toBe(404);
    });

    it('answers 415 to a POST with the wrong Content-Type', async () => {
      const r = await call('POST', jobs(), { body: dedicatedBody(world.fake.snapshots(G, 'orders')[0]!['id'] as string), contentType: 'application/json' });
      expect(r.status).toBe(415);
      expect(validateSchema('ApiError', r.body)).toEqual([]);
    });
  });
});
