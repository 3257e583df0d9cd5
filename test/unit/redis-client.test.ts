// The client options per topology and purpose. The trap these guard: ioredis turns TLS on from a rediss:// URL
// string, but Sentinel and Cluster get options objects built by hand, where TLS must be set explicitly.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates, type checkServerIdentity, type PeerCertificate } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Cluster, type Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../helpers/minimal-env.js';
import { createRedisClient, describeRedis, duplicateRedisClient, planRedisClient, RedisSetupError } from '../../src/redis/redis-client.js';
import { hashTagOf } from '../../src/redis/redis-config.js';
import { makeCertificates } from '../helpers/make-certificates.js';
import { skipUnless } from '../helpers/redis-servers.js';

const redisOf = (env: Record<string, string>) => configWith(env).redis;
const hasOpenssl = skipUnless('redis-client', ['openssl'], 'it makes throwaway certificates for the CA file checks');
let certs: { ca: string; cert: string } = { ca: '', cert: '' };
beforeAll(() => {
  if (!hasOpenssl) return;
  const dir = mkdtempSync(join(tmpdir(), 'atlas-restore-ca-'));
  const paths = makeCertificates(dir);
  certs = { ca: readFileSync(paths.ca, 'utf8'), cert: readFileSync(paths.cert, 'utf8') };
});
const rediss = { topology: { kind: 'standalone' }, url: 'rediss://redis.example', tlsCaFile: '/ca.pem' } as const;
const caOf = (pem: string) => ((planRedisClient(rediss, 'commands', () => pem).options as { tls?: { ca: string[] } }).tls?.ca ?? []).slice(rootCertificates.length);

describe('planRedisClient', () => {
  it('standalone: hands ioredis the URL string, and fails fast for Slack-facing commands', () => {
    const plan = planRedisClient(redisOf({ REDIS_URL: 'rediss://:pw@redis.example:6380/2' }), 'commands');
    expect(plan).toMatchObject({ kind: 'standalone', url: 'rediss://:pw@redis.example:6380/2' });
    expect(plan.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000, tls: {} });
  });

  it.skipIf(!hasOpenssl)('adds REDIS_TLS_CA_FILE to the system CAs instead of replacing them, and never disables verification', () => {
    const plan = planRedisClient(redisOf({ REDIS_URL: 'rediss://redis.example', REDIS_TLS_CA_FILE: '/ca.pem' }), 'commands', () => certs.ca);
    const tls = (plan.options as { tls?: unknown }).tls as { ca: string[]; rejectUnauthorized?: boolean };
    expect(tls.ca).toEqual([...rootCertificates, certs.ca.trim()]);
    expect(tls.rejectUnauthorized).toBeUndefined();
    // A chain with comments between its certificates: each block, nothing else.
    expect(caOf(`# intermediate\n${certs.cert}\n# root\n${certs.ca}`)).toEqual([certs.cert.trim(), certs.ca.trim()]);
  });

  it("refuses the overlay's placeholder ca.crt: it holds no certificate", () => {
    const placeholder = fileURLToPath(new URL('../../manifests/overlays/managed-redis/ca.crt', import.meta.url));
    expect(() => planRedisClient({ ...rediss, tlsCaFile: placeholder }, 'commands')).toThrow(new RedisSetupError(`REDIS_TLS_CA_FILE: ${placeholder} holds no PEM certificate (a -----BEGIN CERTIFICATE----- … -----END CERTIFICATE----- block)`));
    // The marker in a comment is not a certificate (the placeholder's old text passed the old check).
    expect(() => caOf('# REPLACE-ME: the PEM of the CA (-----BEGIN CERTIFICATE----- ...).\n')).toThrow(/holds no PEM certificate/);
    expect(() => caOf('not a pem')).toThrow(RedisSetupError);
  });

  it('refuses a block that is not a certificate, alone or beside a valid one, and a block cut short', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(() => caOf(garbage)).toThrow(/REDIS_TLS_CA_FILE: \/ca\.pem: its certificate is not a valid certificate \(/);
    if (hasOpenssl) {
      expect(() => caOf(`${certs.ca}${garbage}`)).toThrow(/certificate 2 of 2 is not a valid certificate/);
      expect(() => caOf(`${certs.ca}${certs.cert.slice(0, 200)}`)).toThrow(/a certificate without its END line/);
    }
  });

  it('Sentinel: credentials, db and TLS come from REDIS_URL, its host is ignored', () => {
    const redis = redisOf({ REDIS_SENTINELS: 's0:26379,s1:26379', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_SENTINEL_PASSWORD: 'spw', REDIS_URL: 'rediss://app:p%40ss@ignored/3' });
    const plan = planRedisClient(redis, 'commands');
    expect(plan.kind).toBe('sentinel');
    expect(plan.options).toMatchObject({
      sentinels: [{ host: 's0', port: 26379 }, { host: 's1', port: 26379 }],
      name: 'mymaster',
      sentinelPassword: 'spw',
      username: 'app',
      password: 'p@ss',
      db: 3,
      tls: {},
      enableTLSForSentinelMode: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    expect(plan.options).not.toHaveProperty('host');
    // ioredis's failover detector can end a client for good mid-resolution (seen in redis-sentinel.test.ts under load).
    expect(plan.options).not.toHaveProperty('failoverDetector');
    const plain = planRedisClient(redisOf({ REDIS_SENTINELS: 's0:26379', REDIS_SENTINEL_MASTER: 'm' }), 'worker');
    expect(plain.options).toMatchObject({ enableTLSForSentinelMode: false, maxRetriesPerRequest: null, enableOfflineQueue: true });
    expect((plain.options as { tls?: unknown }).tls).toBeUndefined();
  });

  it('Cluster: TLS and the password go to every node, host names are kept for the certificate check', () => {
    const plan = planRedisClient(redisOf({ REDIS_CLUSTER_NODES: 'c0.cache.example:6379', REDIS_URL: 'rediss://:pw@ignored' }), 'commands');
    if (plan.kind !== 'cluster') throw new Error(`expected a cluster plan, got ${plan.kind}`);
    expect(plan.nodes).toEqual([{ host: 'c0.cache.example', port: 6379 }]);
    expect(plan.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false, redisOptions: { password: 'pw', tls: {}, maxRetriesPerRequest: 1, commandTimeout: 2000 } });
    let resolved: string | undefined;
    plan.options.dnsLookup!('c0.cache.example', (_err, address) => (resolved = address));
    expect(resolved).toBe('c0.cache.example');
  });

  it('Cluster over TLS with seeds by name: a node reached at an announced IP passes with a certificate naming a seed host', () => {
    const plan = planRedisClient(redisOf({ REDIS_CLUSTER_NODES: 'c0.cache.example:6380,10.0.0.9:6380', REDIS_URL: 'rediss://:pw@ignored' }), 'probe');
    if (plan.kind !== 'cluster') throw new Error(`expected a cluster plan, got ${plan.kind}`);
    const check = (plan.options.redisOptions?.tls as { checkServerIdentity?: typeof checkServerIdentity } | undefined)?.checkServerIdentity;
    expect(check).toBeTypeOf('function');
    const certFor = (san: string) => ({ subject: { CN: 'redis' }, subjectaltname: san }) as unknown as PeerCertificate;
    // Azure-style: the node announces an IP, the certificate names the host the operator was given.
    expect(check!('10.0.0.148', certFor('DNS:c0.cache.example'))).toBeUndefined();
    expect(check!('10.0.0.148', certFor('DNS:*.cache.example'))).toBeUndefined();
    // The address itself still counts, and a name nobody configured is refused as before.
    expect(check!('10.0.0.148', certFor('IP Address:10.0.0.148'))).toBeUndefined();
    expect(check!('10.0.0.148', certFor('DNS:other.example'))).toBeInstanceOf(Error);
    // Seeds by IP only: Node's own check, unchanged; without TLS nothing to check.
    const byIp = planRedisClient(redisOf({ REDIS_CLUSTER_NODES: '10.0.0.9:6380', REDIS_URL: 'rediss://ignored' }), 'probe');
    expect(byIp.kind === 'cluster' && byIp.options.redisOptions?.tls).toEqual({});
    const plain = planRedisClient(redisOf({ REDIS_CLUSTER_NODES: 'c0.cache.example:6379' }), 'probe');
    expect(plain.kind === 'cluster' && plain.options.redisOptions?.tls).toBeUndefined();
  });
});

describe('createRedisClient and duplicateRedisClient', () => {
  it('build a Cluster for REDIS_CLUSTER_NODES, and a worker duplicate BullMQ accepts (no retry limit, offline queue on)', () => {
    const cluster = createRedisClient(redisOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }), 'commands');
    expect(cluster).toBeInstanceOf(Cluster);
    const worker = duplicateRedisClient(cluster, 'worker') as Cluster;
    if (!(cluster instanceof Cluster)) throw new Error('expected a Cluster');
    expect(worker).toBeInstanceOf(Cluster);
    expect(worker.options.redisOptions).toMatchObject({ maxRetriesPerRequest: null, commandTimeout: undefined });
    expect(worker.options.enableOfflineQueue).toBe(true);
    // The original keeps failing fast.
    expect(cluster.options.redisOptions).toMatchObject({ maxRetriesPerRequest: 1 });
    const same = duplicateRedisClient(cluster) as Cluster;
    expect(same.options.enableOfflineQueue).toBe(false);
    for (const c of [cluster, worker, same]) c.disconnect();
  });

  it('keep TLS on a standalone duplicate', () => {
    const redis = createRedisClient(redisOf({ REDIS_URL: 'rediss://127.0.0.1:6380' }), 'commands') as Redis;
    const worker = duplicateRedisClient(redis, 'worker') as Redis;
    expect(worker.options.tls).toEqual({});
    expect(worker.options.maxRetriesPerRequest).toBeNull();
    redis.disconnect();
    worker.disconnect();
  });

  it('describe where they point without the password', () => {
    expect(describeRedis(redisOf({ REDIS_URL: 'rediss://:secret@r.example:6380' }))).toBe('r.example:6380, TLS');
    expect(describeRedis(redisOf({ REDIS_SENTINELS: 's0:26379', REDIS_SENTINEL_MASTER: 'm', REDIS_SENTINEL_PASSWORD: 'secret' }))).toBe('Sentinel master "m" via s0:26379');
    expect(describeRedis(redisOf({ REDIS_CLUSTER_NODES: 'c0:6379,c1:6379' }))).toBe('Cluster via c0:6379,c1:6379');
  });
});

describe('hashTagOf', () => {
  it('follows Redis: the first "{" up to the first "}" after it, non-empty', () => {
    expect(hashTagOf('{atlas-restore}:req:1')).toBe('atlas-restore');
    expect(hashTagOf('team-{ops}:{x}')).toBe('ops');
    expect(hashTagOf('{}{x}:')).toBeUndefined();
    expect(hashTagOf('atlas-restore:')).toBeUndefined();
    expect(hashTagOf('{open:')).toBeUndefined();
  });
});
