// rediss:// against a real redis-server speaking only TLS, with a throwaway CA made here with openssl: the app
// connects with REDIS_TLS_CA_FILE and runs a restore through it; without the CA the certificate is refused,
// with a message that names REDIS_TLS_CA_FILE (verification is never turned off).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MINIMAL_ENV } from '../helpers/minimal-env.js';
import { storeRoundTrip } from '../helpers/store-round-trip.js';
import { inspectRedis } from '../../src/redis/inspect-redis.js';
import { connectRedis, createRedisClient } from '../../src/redis/redis-client.js';
import { makeCertificates } from '../helpers/make-certificates.js';
import { RedisGroup, redisServerHasTls, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { APPROVER, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';

const hasBinaries = skipUnless('redis-tls', ['redis-server', 'openssl'], 'it makes a CA and a server certificate and starts redis-server with TLS');
const hasTls = hasBinaries && redisServerHasTls();
if (hasBinaries && !hasTls) console.warn('redis-tls: skipped because this redis-server was built without TLS (BUILD_TLS=yes)');
const canRun = hasBinaries && hasTls;

const base = { ...MINIMAL_ENV, ...{ REDIS_KEY_PREFIX: '{test-tls}:' } };

describe.skipIf(!canRun)('Redis over TLS', () => {
  const group = new RedisGroup();
  let certs: ReturnType<typeof makeCertificates>;
  let server: RedisProcess;
  let url: string;

  beforeAll(async () => {
    const dir = group.tempDir('tls-certs');
    certs = makeCertificates(dir);
    server = await group.start('tls', {
      portFlag: '--tls-port',
      // Plain TCP off: only TLS answers, so a plain connection can't pass for a TLS one.
      args: ['--port', '0', '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no', '--appendonly', 'yes'],
      probe: { tls: { ca: [readFileSync(certs.ca, 'utf8')] } },
    });
    url = `rediss://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await group.cleanup();
  });

  it('connects with REDIS_TLS_CA_FILE and a store round trip works', async () => {
    const config = loadConfig({ ...base, REDIS_URL: url, REDIS_TLS_CA_FILE: certs.ca });
    // No plain port is open on this server: the round trip went over TLS.
    await storeRoundTrip(config, 'RR-TLS00001', async (redis) => expect(await redis.config('GET', 'port')).toEqual(['port', '0']));
    const inspection = await inspectRedis(config);
    expect(inspection.checks).toContainEqual({ level: 'ok', text: `connected to 127.0.0.1:${server.port}, TLS` });
    expect(inspection.ok).toBe(true);
  });

  it('refuses the server certificate without the CA, and says to set REDIS_TLS_CA_FILE', async () => {
    const config = loadConfig({ ...base, REDIS_URL: url });
    const redis = createRedisClient(config.redis, 'probe');
    redis.on('error', () => undefined);
    try {
      await expect(connectRedis(redis, 5000)).rejects.toThrow(/TLS: the Redis server's certificate is not trusted .*set REDIS_TLS_CA_FILE/);
    } finally {
      redis.disconnect();
    }
    const inspection = await inspectRedis(config);
    expect(inspection.ok).toBe(false);
    expect(inspection.checks).toEqual([{ level: 'FAIL', text: expect.stringMatching(/^cannot connect to 127\.0\.0\.1:\d+, TLS: TLS: the Redis server's certificate is not trusted/) }]);
  });

  it('says which file when the CA file cannot be read', async () => {
    const inspection = await inspectRedis(loadConfig({ ...base, REDIS_URL: url, REDIS_TLS_CA_FILE: join(server.dir, 'missing.pem') }));
    expect(inspection.checks).toEqual([{ level: 'FAIL', text: expect.stringMatching(/^REDIS_TLS_CA_FILE: cannot read .*missing\.pem/) }]);
  });

  describe('the whole app over TLS', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ redisUrl: url, redisEnv: { REDIS_TLS_CA_FILE: certs.ca } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('runs a restore to "Restore completed"', async () => {
      const req = await requestRestore(h, { source: 'ledger' });
      await h.click(APPROVER, 'restore_approve', req.id);
      const running = await waitForState(h, req.id, 'running');
      h.atlas.advanceJob(running.atlasJobId!, 'completed');
      await h.waitForThread(req.id, /Restore completed/);
      expect(h.postsToAtlas()).toBe(1);
    });
  });
});
