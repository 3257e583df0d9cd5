// What sits between the bot and Atlas in real deployments: a proxy or load balancer answering a web page, a body cut
// short, a TLS-inspecting egress whose certificate the bot doesn't trust. Each must be classified so that a passing
// fault never throws an approved request away and a create that provably sent nothing is not reported as unknown.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { GROUP, src, target, useAtlasFaultWorld } from './atlas-fault-world.js';
import { classifyAtlasError } from '../../src/restore/classify-atlas-error.js';
import { skipUnless } from '../helpers/redis-servers.js';
import { startUntrustedHttpsServer, type UntrustedHttpsServer } from '../helpers/untrusted-https-server.js';

const w = useAtlasFaultWorld();

const failureOf = async (call: Promise<unknown>): Promise<AtlasApiError> => {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AtlasApiError);
  return error as AtlasApiError;
};
describe('answers that are not Atlas JSON', () => {
  it('a read answered 200 with a proxy page is retried; if it persists it is a passing fault that names the proxy', async () => {
    w.fake.inject({ kind: 'html', method: 'GET', count: 10 });
    const error = await failureOf(w.client.listSnapshots(src));
    expect(w.apiRequests('GET')).toBe(4); // retried like any passing fault, bounded
    expect(error).toMatchObject({ status: 200, errorCode: 'ATLAS_UNREADABLE_RESPONSE', transient: true });
    expect(error.hint).toMatch(/proxy/);
    // Before the POST, a passing fault keeps the approved request waiting instead of refusing it.
    expect(classifyAtlasError(error).kind).toBe('wait');
  });

  it('a read whose JSON is cut short is read again and succeeds', async () => {
    w.fake.inject({ kind: 'truncated', method: 'GET' });
    expect(await w.client.listSnapshots(src)).toHaveLength(2);
    expect(w.apiRequests('GET')).toBe(2);
    expect(w.sleeps).toHaveLength(1);
  });

  it('a read answered 200 with an empty body (a proxy, not Atlas) is read again too', async () => {
    w.fake.inject({ kind: 'empty2xx', method: 'GET' });
    expect(await w.client.listSnapshots(src)).toHaveLength(2);
    expect(w.apiRequests('GET')).toBe(2);
  });

  it('a create whose 2xx JSON is cut short: exactly one POST, outcome unknown (the job exists)', async () => {
    w.fake.inject({ kind: 'truncated', method: 'POST' });
    const error = await failureOf(w.client.createRestoreJob({ source: src, snapshotId: w.snapshotId, target }));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(classifyAtlasError(error).kind).toBe('unknown');
    expect(w.apiRequests('POST')).toBe(1);
    expect(w.fake.restoreJobs(GROUP, 'orders')).toHaveLength(1);
  });

  it("a proxy's 403 page is not blamed on the API key's roles", async () => {
    w.fake.inject({ kind: 'html', status: 403, method: 'GET' });
    const error = await failureOf(w.client.listSnapshots(src));
    expect(error).toMatchObject({ status: 403, errorCode: 'HTTP_403' });
    expect(error.hint).toMatch(/proxy/);
    expect(error.hint).not.toMatch(/role/);
    expect(classifyAtlasError(error).kind).toBe('wait'); // operator-fixable, like any 403
  });

  it("a load balancer's 502 page is retried as a 5xx, and its hint says it did not come from Atlas itself", async () => {
    w.fake.inject({ kind: 'html', status: 502, method: 'GET', count: 10 });
    const error = await failureOf(w.client.listSnapshots(src));
    expect(w.apiRequests('GET')).toBe(4);
    expect(error).toMatchObject({ status: 502, errorCode: 'HTTP_502', transient: true });
    expect(error.hint).toMatch(/proxy or load balancer/);
  });
});

const hasOpenssl = skipUnless('atlas-client-proxy-faults', ['openssl'], 'it makes the certificate of a TLS-inspecting proxy');

describe.skipIf(!hasOpenssl)("a TLS-inspecting egress whose CA the bot doesn't trust", () => {
  let proxy: UntrustedHttpsServer;
  let reached: number;
  let proxyUrl: string;

  beforeAll(async () => {
    proxy = await startUntrustedHttpsServer((_req, res) => {
      reached += 1;
      res.writeHead(500).end();
    });
    proxyUrl = proxy.url;
  });
  afterAll(async () => {
    await proxy.close();
  });
  beforeEach(() => {
    reached = 0;
  });

  const behindProxy = () =>
    createAtlasClient({
      baseUrl: proxyUrl,
      auth: { kind: 'digest', publicKey: 'pubkey', privateKey: 'privkey-secret' },
      timeoutMs: 2000,
      retryPolicy: { sleep: async (ms: number) => void w.sleeps.push(ms) },
    });

  it('a read says which certificate problem and what to set, and is not retried within seconds (it will not heal by itself)', async () => {
    const error = await failureOf(behindProxy().listSnapshots(src));
    expect(error).toMatchObject({ errorCode: 'ATLAS_TLS_ERROR', transient: true });
    expect(error.detail).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
    expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(w.sleeps).toEqual([]);
    expect(reached).toBe(0);
    expect(classifyAtlasError(error).kind).toBe('wait');
  });

  it("a service account's token request through it says the same, not 'could not reach'", async () => {
    const sa = createAtlasClient({ baseUrl: proxyUrl, auth: { kind: 'serviceAccount', clientId: 'mdb_sa_id_x', clientSecret: 'mdb_sa_sk_x' }, timeoutMs: 2000 });
    const error = await failureOf(sa.listSnapshots(src));
    expect(error).toMatchObject({ errorCode: 'ATLAS_TLS_ERROR', transient: true, request: 'POST /api/oauth/token' });
    expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(reached).toBe(0);
  });

  it('a create that failed the handshake sent nothing: not an unknown outcome to search for', async () => {
    const error = await failureOf(behindProxy().createRestoreJob({ source: src, snapshotId: w.snapshotId, target }));
    expect(error.errorCode).toBe('ATLAS_TLS_ERROR');
    expect(classifyAtlasError(error).kind).toBe('wait');
    expect(reached).toBe(0);
  });
});
