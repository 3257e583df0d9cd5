// One client type and one factory for every Redis topology (standalone, Sentinel, Cluster), so the store, the
// tracker and the Slack side never care which one runs underneath. The options per purpose encode two rules:
// Slack-facing commands fail fast (a user reads "try again" within Slack's 3 s), BullMQ's worker retries forever.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, rootCertificates, type ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { rememberSeeds, RedisSetupError } from './connect-redis.js';
import type { HostPort, RedisConfig } from './redis-config.js';

// Connecting and explaining a failed connection live in connect-redis.ts; these names stay importable from here.
export { connectRedis, explainRedisError, RedisSetupError } from './connect-redis.js';

export type RedisClient = Redis | Cluster;

/**
 * commands: the app's connection (store, Slack handlers, BullMQ's queue through a duplicate): no offline queue,
 *   one retry, a bounded command time. worker: BullMQ's worker, which needs `maxRetriesPerRequest: null` and must
 *   wait out any outage. probe: start-up checks and `--check --online`: one attempt, then an answer.
 */
export type RedisPurpose = 'commands' | 'worker' | 'probe';

/** A command that takes longer is failed: well inside Slack's 3 s, far above any script of ours. */
export const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A connection that takes commands and answers nothing for this long is dropped and made again. A socket can go silent
 * without closing (the host behind a managed Redis's name replaced at a failover, a partition that drops packets): the
 * kernel retransmits for about 15 minutes before it says so, and a command timeout fails the command but keeps the
 * socket (redis/ioredis#559), so every Slack click and every tracker step would fail, or wait, that long.
 * commands: a few command timeouts. worker: above BullMQ's longest blocking wait (a BZPOPMIN of at most 10 s, which
 * answers when it ends), so an idle worker's wait is never cut.
 */
export const SOCKET_TIMEOUT_MS = { commands: 3 * COMMAND_TIMEOUT_MS, worker: 20_000 } as const;

/**
 * A failover that demotes the primary in place (managed Redis behind one DNS name: ElastiCache, Azure, Memorystore)
 * may leave the connection open on what is now a replica, and every write answers READONLY for good. Reconnecting
 * resolves the name again and reaches the new primary. Nothing of a refused command ran (a script's first write is
 * refused as well), so the worker sends it again after the reconnect; the commands connection fails it, and its
 * caller says "try again" or retries its step.
 */
export function reconnectOnReadonly(resend: boolean): (err: Error) => boolean | 1 | 2 {
  return (err) => (/\bREADONLY\b/.test(err.message) ? (resend ? 2 : 1) : false);
}

/**
 * The commands connection never sends a command again after a reconnect (ioredis does by default, for every command
 * that had no answer when the socket closed, even one whose caller was already told it timed out). Its caller has
 * been told it failed and says "try again" or runs its step again, and our scripts are compare-and-sets: one sent
 * again behind its back would, e.g., claim a submission's POST that is then never made, or record an approval whose
 * completion nobody acts on. The command is failed by its timeout instead. BullMQ's worker needs the resend.
 */
const PURPOSE_OPTIONS: Record<RedisPurpose, RedisOptions> = {
  commands: { enableOfflineQueue: false, maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false, commandTimeout: COMMAND_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS.commands, connectTimeout: CONNECT_TIMEOUT_MS, reconnectOnError: reconnectOnReadonly(false) },
  worker: { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResendUnfulfilledCommands: true, commandTimeout: undefined, socketTimeout: SOCKET_TIMEOUT_MS.worker, connectTimeout: CONNECT_TIMEOUT_MS, reconnectOnError: reconnectOnReadonly(true) },
  probe: { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: CONNECT_TIMEOUT_MS, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: () => null },
};

export type RedisClientPlan =
  | { kind: 'standalone'; url: string; options: RedisOptions }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: HostPort[]; options: ClusterOptions };


/**
 * TLS options from the URL's scheme. Built by hand for Sentinel and Cluster, where ioredis never sees the URL:
 * without this a rediss:// URL would silently connect in plain text. Verification is never turned off; the CA
 * file is added to the system's trusted CAs, not put in their place.
 */
export function tlsOptionsOf(url: URL, caFile: string | undefined, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): RedisOptions['tls'] {
  if (url.protocol !== 'rediss:') return undefined;
  if (!caFile) return {};
  let pem: string;
  try {
    pem = readFile(caFile);
  } catch (err) {
    throw new RedisSetupError(`REDIS_TLS_CA_FILE: cannot read ${caFile} (${err instanceof Error ? err.message : String(err)})`);
  }
  return { ca: [...rootCertificates, ...certificatesOf(pem, caFile)] };
}

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The PEM blocks of a CA file, each parsed. Node skips an entry of `ca` it can't parse without a word, so a placeholder,
 * a truncated paste or a mangled line would otherwise pass here and surface only as "certificate not trusted".
 */
function certificatesOf(pem: string, caFile: string): string[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new RedisSetupError(`REDIS_TLS_CA_FILE: ${caFile} holds no PEM certificate (a ${PEM_BEGIN} … -----END CERTIFICATE----- block)`);
  const begun = pem.split(PEM_BEGIN).length - 1;
  if (begun !== blocks.length) throw new RedisSetupError(`REDIS_TLS_CA_FILE: ${caFile} has a certificate without its END line (cut short?)`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      const which = blocks.length === 1 ? 'its certificate' : `certificate ${i + 1} of ${blocks.length}`;
      throw new RedisSetupError(`REDIS_TLS_CA_FILE: ${caFile}: ${which} is not a valid certificate (${err instanceof Error ? err.message : String(err)})`);
    }
  });
  return blocks;
}

/** What createRedisClient will build: pure, so the options of each topology and purpose can be checked directly. */
export function planRedisClient(redis: Pick<RedisConfig, 'topology' | 'url' | 'tlsCaFile'>, purpose: RedisPurpose, readFile?: (path: string) => string): RedisClientPlan {
  const url = new URL(redis.url);
  const tls = tlsOptionsOf(url, redis.tlsCaFile, readFile);
  const base: RedisOptions = { ...PURPOSE_OPTIONS[purpose], lazyConnect: true };
  const topology = redis.topology;
  if (topology.kind === 'standalone') return { kind: 'standalone', url: redis.url, options: tls ? { ...base, tls } : base };
  // With Sentinel and Cluster the URL carries only the data nodes' credentials, db and TLS.
  const auth: RedisOptions = {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(tls ? { tls } : {}),
  };
  if (topology.kind === 'sentinel') {
    const db = url.pathname.replace(/^\//, '');
    return {
      kind: 'sentinel',
      options: {
        ...base,
        ...auth,
        ...(db ? { db: Number(db) } : {}),
        sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
        name: topology.masterName,
        ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
        // The sentinels are asked in plain TCP; TLS (from rediss://) applies to the master they point at.
        enableTLSForSentinelMode: Boolean(tls),
        // No `failoverDetector`: on +switch-master it disconnects the client, and a disconnect that lands while ioredis
        // is still asking the sentinels leaves the client ended for good (no retry). Sentinel's failover kills the
        // clients of the old master anyway (CLIENT KILL TYPE normal), and ioredis reconnects through the sentinels.
        ...(purpose === 'probe' ? { sentinelRetryStrategy: () => null } : {}),
      },
    };
  }
  const { enableOfflineQueue, ...nodeOptions } = base;
  const seedHosts = topology.nodes.map((n) => n.host).filter((host) => isIP(host) === 0);
  const nodeTls = tls && seedHosts.length > 0 ? { ...tls, checkServerIdentity: acceptingSeedNames(seedHosts) } : tls;
  return {
    kind: 'cluster',
    nodes: topology.nodes,
    options: {
      lazyConnect: true,
      enableOfflineQueue,
      redisOptions: { ...nodeOptions, ...auth, ...(nodeTls ? { tls: nodeTls } : {}) },
      // Keep host names as given: TLS checks the certificate against them (ElastiCache, Memorystore).
      dnsLookup: (address, callback) => callback(null, address),
      ...(purpose === 'probe' ? { clusterRetryStrategy: () => null } : {}),
    },
  };
}

/**
 * The certificate check of Cluster nodes when REDIS_CLUSTER_NODES names hosts. The bot reaches each node at the
 * address CLUSTER SLOTS announces, and managed clusters (Azure Cache's clustered tiers, and others) announce IPs while
 * their certificates name only the host the operator was given: Node's check compares that certificate with the IP
 * and refuses it. So a node's certificate passes when it names the address connected to (Node's own check, as
 * always) or one of the seed host names. The chain is still verified against the trusted CAs: only a certificate a
 * trusted CA issued for a name the operator configured is taken. Not `tls.servername`: that would also change the SNI
 * sent to every node, and pin one name where the seeds may name several hosts. Seeds given as IPs keep the plain check.
 */
function acceptingSeedNames(seedHosts: readonly string[]): NonNullable<ConnectionOptions['checkServerIdentity']> {
  return (host, cert) => {
    const mismatch = checkServerIdentity(host, cert);
    if (mismatch === undefined) return undefined;
    return seedHosts.some((seed) => checkServerIdentity(seed, cert) === undefined) ? undefined : mismatch;
  };
}

export function createRedisClient(redis: Pick<RedisConfig, 'topology' | 'url' | 'tlsCaFile'>, purpose: RedisPurpose): RedisClient {
  const plan = planRedisClient(redis, purpose);
  if (plan.kind === 'cluster') return rememberSeeds(new Cluster(plan.nodes, plan.options), plan.nodes);
  // The URL string itself, not a parsed copy: ioredis turns TLS on from its scheme.
  if (plan.kind === 'standalone') return new Redis(plan.url, plan.options);
  return new Redis(plan.options);
}

/**
 * Another connection to the same Redis. `worker`: for BullMQ's Worker (it refuses a client with a retry limit and
 * must outlive any outage). Cluster and Redis duplicate with different signatures; this hides that.
 */
export function duplicateRedisClient(client: RedisClient, purpose?: 'worker'): RedisClient {
  const extra: RedisOptions = purpose === 'worker' ? PURPOSE_OPTIONS.worker : {};
  if (client instanceof Cluster) {
    const { enableOfflineQueue, ...nodeExtra } = extra;
    return client.duplicate([], {
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      redisOptions: { ...client.options.redisOptions, ...nodeExtra },
    });
  }
  return client.duplicate(extra);
}

/** Every master of a Cluster, or the client itself: for checks that must ask each server. */
export function masterNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Where the config points, for logs and messages: never a password. */
export function describeRedis(redis: Pick<RedisConfig, 'topology' | 'url'>): string {
  const url = new URL(redis.url);
  const tls = url.protocol === 'rediss:' ? ', TLS' : '';
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const t = redis.topology;
  if (t.kind === 'sentinel') return `Sentinel master "${t.masterName}" via ${list(t.sentinels)}${tls}`;
  if (t.kind === 'cluster') return `Cluster via ${list(t.nodes)}${tls}`;
  return `${url.hostname}:${url.port || 6379}${tls}`;
}
