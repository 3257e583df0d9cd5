// Connecting a client for the start-up checks and one-shot commands, and saying in words an operator can act on why
// it failed. On a Cluster the reason is easily lost: ioredis asks CLUSTER SLOTS on a connection of its own whose
// errors it drops (a refused certificate reads "Connection is closed."), and reports its nodes' failures as
// `node error`, not `error`.
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import type { HostPort } from './redis-config.js';

export class RedisSetupError extends Error {
  readonly code = 'REDIS_SETUP';
  override readonly name = 'RedisSetupError';
}

const seedsOf = new WeakMap<Cluster, readonly HostPort[]>();

/** Notes a Cluster's seed nodes (ioredis keeps them private), so a failed connect can ask one of them directly. */
export function rememberSeeds(cluster: Cluster, seeds: readonly HostPort[]): Cluster {
  seedsOf.set(cluster, seeds);
  return cluster;
}

type ErrorKind = 'tls' | 'auth' | 'no-cluster' | 'unreachable' | 'other';

/** A Cluster's "Failed to refresh slots cache." carries the node's own error, which says what went wrong. */
function rootError(err: unknown): { code: string; message: string } {
  const e = err as { code?: string; message?: string; lastNodeError?: unknown } | undefined;
  if (e?.lastNodeError) return rootError(e.lastNodeError);
  return { code: e?.code ?? '', message: e?.message ?? String(err) };
}

function kindOf(err: unknown): ErrorKind {
  const { code, message } = rootError(err);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(message)) return 'tls';
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) return 'auth';
  if (/cluster support disabled/i.test(message)) return 'no-cluster';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || /connect ETIMEDOUT|ECONNREFUSED/.test(message)) return 'unreachable';
  return 'other';
}

/** Errors that waiting does not heal: the connect fails at once on them. */
const PERMANENT: readonly ErrorKind[] = ['tls', 'auth', 'no-cluster'];

/** A connection error in words an operator can act on; TLS trouble names REDIS_TLS_CA_FILE. */
export function explainRedisError(err: unknown): string {
  const { message } = rootError(err);
  switch (kindOf(err)) {
    case 'tls':
      return `TLS: the Redis server's certificate is not trusted or does not match its name (${message}): set REDIS_TLS_CA_FILE to the CA that signed it, or connect by the name the certificate carries`;
    case 'auth':
      return `authentication refused (${message}): check the password in REDIS_URL`;
    case 'no-cluster':
      return `REDIS_CLUSTER_NODES points at a server with cluster support disabled (${message}): use REDIS_URL for a single server, and leave REDIS_CLUSTER_NODES unset`;
    case 'unreachable':
      return `not reachable (${message})`;
    default:
      return message;
  }
}

/** Why a seed node refuses us, asked on a connection of our own (one attempt), or undefined when it answers. */
async function seedError(cluster: Cluster, seed: HostPort, timeoutMs: number): Promise<unknown> {
  const node = new Redis({
    ...cluster.options.redisOptions,
    host: seed.host,
    port: seed.port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  let error: unknown;
  node.on('error', (err: unknown) => (error ??= err));
  try {
    await node.connect();
    await node.cluster('INFO');
  } catch (err) {
    error ??= err;
  } finally {
    node.disconnect();
  }
  return error;
}

/**
 * Connects within `timeoutMs`, or throws a RedisSetupError that says why (the last connection error, explained).
 * Both `error` and a Cluster's `node error` are heard. A refused certificate or password, or a server without cluster
 * support, does not heal by waiting: the connect fails at once. When a Cluster fails without a reason, one seed
 * is asked directly, so the line says TLS or authentication instead of "Connection is closed.".
 */
export async function connectRedis(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  let lastError: unknown;
  let giveUp: (err: unknown) => void = () => undefined;
  const onError = (err: unknown) => {
    // A reason beats a summary ("Connection is closed.", "Failed to refresh slots cache."): keep the first reason.
    if (lastError === undefined || kindOf(lastError) === 'other') lastError = err;
    if (PERMANENT.includes(kindOf(err))) giveUp(err);
  };
  client.on('error', onError);
  client.on('node error', onError);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        giveUp = reject;
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    let reason = lastError ?? err;
    const seeds = client instanceof Cluster ? seedsOf.get(client) : undefined;
    if (client instanceof Cluster && seeds && kindOf(reason) === 'other') {
      // A seed that says why beats one that is down, which beats no reason at all.
      let fallback: unknown;
      for (const seed of seeds) {
        const direct = await seedError(client, seed, Math.min(timeoutMs, 5000));
        if (direct === undefined || kindOf(direct) === 'other') continue;
        if (PERMANENT.includes(kindOf(direct))) {
          fallback = direct;
          break;
        }
        fallback ??= direct;
      }
      reason = fallback ?? reason;
    }
    throw new RedisSetupError(explainRedisError(reason));
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
    client.off('node error', onError);
  }
}
