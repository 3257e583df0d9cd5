// Redis Cluster over TLS, on real TLS-only cluster nodes (`--port 0`, `--tls-cluster yes`) with a CA made here.
// Two certificates: one with an IP SAN (the nodes announce 127.0.0.1, so every node's certificate names its
// address), and one naming only a host (`DNS:localhost`) while the nodes still announce 127.0.0.1 and the seeds are
// given as `localhost:port`: how Azure Cache's clustered tiers and similar managed clusters behave. Without the CA,
// the start-up checks say it is TLS and name REDIS_TLS_CA_FILE instead of timing out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MINIMAL_ENV } from '../helpers/minimal-env.js';
import { storeRoundTrip } from '../helpers/store-round-trip.js';
import { inspectRedis } from '../../src/redis/inspect-redis.js';
import { makeCertificates } from '../helpers/make-certificates.js';
import { startCluster } from '../helpers/redis-cluster.js';
import { RedisGroup, redisServerHasTls, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';

const hasBinaries = skipUnless('redis-cluster-tls', ['redis-server', 'redis-cli', 'openssl'], 'it makes a CA and starts three TLS-only cluster nodes');
const hasTls = hasBinaries && redisServerHasTls();
if (hasBinaries && !hasTls) console.warn('redis-cluster-tls: skipped because this redis-server was built without TLS (BUILD_TLS=yes)');

const base = { ...MINIMAL_ENV, ...{ REDIS_URL: 'rediss://ignored' } };

/** A store round trip through the app's own client: the data path, not only the checks. */
const roundTrip = (env: Record<string, string>) => storeRoundTrip(loadConfig({ ...base, ...env }), 'RR-CTLS0001');

describe.skipIf(!(hasBinaries && hasTls))('Redis Cluster over TLS', () => {
  const group = new RedisGroup();
  afterAll(async () => {
    await group.cleanup();
  });

  describe('certificates with an IP SAN', () => {
    let ca: string;
    let nodes: RedisProcess[] = [];
    beforeAll(async () => {
      const certs = makeCertificates(group.tempDir('cluster-ipcert'), { san: 'IP:127.0.0.1' });
      ca = certs.ca;
      nodes = await startCluster(group, { tls: certs });
    }, 60_000);

    it('passes the start-up checks on every master and takes writes', async () => {
      const seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
      const inspection = await inspectRedis(loadConfig({ ...base, REDIS_CLUSTER_NODES: seeds, REDIS_TLS_CA_FILE: ca }));
      expect(inspection.checks.filter((c) => c.level === 'FAIL')).toEqual([]);
      expect(inspection.checks).toContainEqual({ level: 'ok', text: `connected to Cluster via ${seeds}, TLS` });
      for (const node of nodes) expect(inspection.checks).toContainEqual({ level: 'ok', text: expect.stringMatching(new RegExp(`^maxmemory-policy noeviction \\(127\\.0\\.0\\.1:${node.port}\\)`)) });
      await roundTrip({ REDIS_CLUSTER_NODES: seeds, REDIS_TLS_CA_FILE: ca });
    }, 30_000);

    it('without the CA, says it is TLS and names REDIS_TLS_CA_FILE (not a bare timeout)', async () => {
      const started = Date.now();
      const inspection = await inspectRedis(loadConfig({ ...base, REDIS_CLUSTER_NODES: `127.0.0.1:${nodes[0]!.port}` }));
      expect(inspection.ok).toBe(false);
      expect(inspection.checks).toEqual([{ level: 'FAIL', text: expect.stringMatching(/^cannot connect to Cluster via 127\.0\.0\.1:\d+, TLS: TLS: .*set REDIS_TLS_CA_FILE/) }]);
      // Refused as soon as the node refused the certificate, not after the connect timeout.
      expect(Date.now() - started).toBeLessThan(8000);
    }, 30_000);
  });

  describe('certificates naming only a host (DNS:localhost), nodes announcing 127.0.0.1, seeds by name', () => {
    let ca: string;
    let seeds: string;
    beforeAll(async () => {
      const certs = makeCertificates(group.tempDir('cluster-dnscert'), { san: 'DNS:localhost' });
      ca = certs.ca;
      const nodes = await startCluster(group, { tls: certs });
      seeds = nodes.map((n) => `localhost:${n.port}`).join(',');
    }, 60_000);

    it('checks every node against the seed host name: the checks pass and writes go through', async () => {
      const inspection = await inspectRedis(loadConfig({ ...base, REDIS_CLUSTER_NODES: seeds, REDIS_TLS_CA_FILE: ca }));
      expect(inspection.checks.filter((c) => c.level === 'FAIL')).toEqual([]);
      expect(inspection.ok).toBe(true);
      await roundTrip({ REDIS_CLUSTER_NODES: seeds, REDIS_TLS_CA_FILE: ca });
    }, 30_000);

    it('still refuses the same certificate when the seeds are IPs the certificate does not name', async () => {
      const byIp = seeds.replace(/localhost/g, '127.0.0.1');
      const inspection = await inspectRedis(loadConfig({ ...base, REDIS_CLUSTER_NODES: byIp, REDIS_TLS_CA_FILE: ca }));
      expect(inspection.ok).toBe(false);
      expect(inspection.checks).toEqual([{ level: 'FAIL', text: expect.stringMatching(/TLS: .*does not match/) }]);
    }, 30_000);
  });
});
