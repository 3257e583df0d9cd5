// The Redis part of the environment (DESIGN.md §2): which topology (one server, Sentinel, Cluster), TLS, and the
// key prefix. Pure functions of the raw variables: config.ts calls them and reports every problem at once.
import { maskCredentials, PERCENT_ENCODING_HINT } from '../mask-credentials.js';

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTopology =
  | { kind: 'standalone' }
  | { kind: 'sentinel'; sentinels: HostPort[]; masterName: string; sentinelPassword?: string | undefined }
  | { kind: 'cluster'; nodes: HostPort[] };

export interface RedisConfig {
  topology: RedisTopology;
  /**
   * REDIS_URL. Standalone: the server. Sentinel and Cluster: only its user, password, db (Sentinel) and scheme
   * (rediss:// = TLS to the data nodes) count; its host is ignored.
   */
  url: string;
  /** A PEM file of CAs trusted besides the system ones (rediss:// only). */
  tlsCaFile?: string | undefined;
  /** True when REDIS_KEY_PREFIX was set: the operator's choice is never second-guessed (see key-prefix.ts). */
  keyPrefixFromEnv: boolean;
}

/** One hash tag for every key: Lua scripts and BullMQ's multi-key scripts must find all their keys in one slot. */
export const DEFAULT_KEY_PREFIX = '{atlas-restore}:';
/** The default before the hash tag; deployments that have data under it keep it until migrated (key-prefix.ts). */
export const LEGACY_KEY_PREFIX = 'atlas-restore:';

export interface RawRedisEnv {
  REDIS_URL?: string | undefined;
  REDIS_TLS_CA_FILE?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_MASTER?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_KEY_PREFIX?: string | undefined;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';
// No "@" or "/" in a host: a URL or credentials pasted here would otherwise pass as a host name.
const HOST_PORT = /^(?:\[([^\]\s]+)\]|([^:\s[\]@/]+)):(\d{1,5})$/;

/** `host:port,host:port` (IPv6 as `[::1]:26379`); a port is required, a wrong default port is worse than an error. */
export function parseHostPorts(name: string, value: string): { list: HostPort[]; problems: string[] } {
  const list: HostPort[] = [];
  const problems: string[] = [];
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) problems.push(`${name} must list at least one host:port`);
  for (const item of items) {
    const m = HOST_PORT.exec(item);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port < 1 || port > 65535) {
      const hint = item.includes('@') ? '; credentials belong in REDIS_URL (and REDIS_SENTINEL_PASSWORD), not here' : '';
      problems.push(`${name}: "${maskCredentials(item)}" is not host:port (e.g. redis-0.redis:6379)${hint}`);
    } else list.push({ host: (m[1] ?? m[2])!, port });
  }
  return { list, problems };
}

/** The hash tag Redis Cluster hashes a key by: what lies between the first "{" and the first "}" after it, if non-empty. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function decodes(encoded: string): boolean {
  try {
    decodeURIComponent(encoded);
    return true;
  } catch {
    return false;
  }
}

/** Problems between the Redis variables (the URL scheme itself is checked by the field schema). */
export function redisProblems(raw: RawRedisEnv): string[] {
  const problems: string[] = [];
  const sentinelVars = (['REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER', 'REDIS_SENTINEL_PASSWORD'] as const).filter((k) => raw[k]);
  const sentinel = sentinelVars.length > 0;
  const cluster = Boolean(raw.REDIS_CLUSTER_NODES);
  if (sentinel && cluster) {
    problems.push(`set either Redis Sentinel (${sentinelVars.join(', ')}) or Redis Cluster (REDIS_CLUSTER_NODES), not both`);
  } else if (sentinel) {
    if (!raw.REDIS_SENTINELS) problems.push(`REDIS_SENTINELS is required with ${sentinelVars.join(', ')} (host:port of each sentinel)`);
    else problems.push(...parseHostPorts('REDIS_SENTINELS', raw.REDIS_SENTINELS).problems);
    if (!raw.REDIS_SENTINEL_MASTER) problems.push('REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS (the name the sentinels monitor, e.g. mymaster)');
  } else if (cluster) {
    problems.push(...parseHostPorts('REDIS_CLUSTER_NODES', raw.REDIS_CLUSTER_NODES!).problems);
    const prefix = raw.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX;
    if (hashTagOf(prefix) === undefined) {
      problems.push(
        `REDIS_KEY_PREFIX "${prefix}" has no hash tag: in Redis Cluster every key of the bot must share one slot, so the prefix must contain one, e.g. "{${prefix.replace(/[{}:]+$/g, '') || 'atlas-restore'}}:"`,
      );
    }
  }
  const url = parseUrl(raw.REDIS_URL ?? DEFAULT_URL);
  if (url && (url.protocol === 'redis:' || url.protocol === 'rediss:')) {
    // The URL parser keeps a stray "%" as it is; ioredis and our log masking then decode it and throw URIError.
    const undecodable = (['user', 'password'] as const).filter((part) => !decodes(part === 'user' ? url.username : url.password));
    if (undecodable.length > 0) problems.push(`REDIS_URL: the ${undecodable.join(' and ')} ${undecodable.length > 1 ? 'are' : 'is'} not valid percent-encoding: ${PERCENT_ENCODING_HINT}`);
    const db = url.pathname.replace(/^\//, '');
    // An "@" after the host: the password held an unencoded "/", "?" or "#" and its tail was taken for the path
    // (or query) of a wrong host. Nothing of it may be echoed.
    if (/@/.test(url.pathname + url.search + url.hash)) problems.push(`REDIS_URL: an "@" after the host (a password with an unencoded /, ? or #?): ${PERCENT_ENCODING_HINT}`);
    else if (db !== '' && !/^\d+$/.test(db)) problems.push(`REDIS_URL: the database must be a number, got "${db}"`);
    else if (cluster && db !== '' && db !== '0') problems.push('REDIS_URL must not select a database with REDIS_CLUSTER_NODES: Redis Cluster only has database 0');
    if (raw.REDIS_TLS_CA_FILE && url.protocol !== 'rediss:') {
      problems.push('REDIS_TLS_CA_FILE is set but REDIS_URL does not use TLS: use a rediss:// URL (with Sentinel or Cluster, e.g. rediss://:password@ignored)');
    }
  }
  return problems;
}

/** The Redis settings of a valid environment (call after redisProblems found nothing). */
export function redisConfigOf(raw: RawRedisEnv): RedisConfig {
  const url = raw.REDIS_URL ?? DEFAULT_URL;
  let topology: RedisTopology = { kind: 'standalone' };
  if (raw.REDIS_SENTINELS) {
    topology = {
      kind: 'sentinel',
      sentinels: parseHostPorts('REDIS_SENTINELS', raw.REDIS_SENTINELS).list,
      masterName: raw.REDIS_SENTINEL_MASTER!,
      sentinelPassword: raw.REDIS_SENTINEL_PASSWORD,
    };
  } else if (raw.REDIS_CLUSTER_NODES) {
    topology = { kind: 'cluster', nodes: parseHostPorts('REDIS_CLUSTER_NODES', raw.REDIS_CLUSTER_NODES).list };
  }
  return { topology, url, tlsCaFile: raw.REDIS_TLS_CA_FILE, keyPrefixFromEnv: raw.REDIS_KEY_PREFIX !== undefined };
}
