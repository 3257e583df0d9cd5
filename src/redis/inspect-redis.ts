// One look at Redis before the bot starts (and for `--check --online`): can we connect, does every server
// meet the bot's needs (server-checks.ts), which key prefix holds this deployment's data (key-prefix.ts).
import type { Config } from '../config.js';
import { resolveKeyPrefix } from './key-prefix.js';
import { connectRedis, createRedisClient, describeRedis, masterNodes } from './redis-client.js';
import { checkServers, standaloneModeCheck, type RedisCheck } from './server-checks.js';

export interface RedisInspection {
  /** False when a check says FAIL: the bot must not start. */
  ok: boolean;
  checks: RedisCheck[];
  /** The prefix to run with (the configured one, or the legacy one that holds this deployment's data). */
  prefix: string;
}

export async function inspectRedis(config: Pick<Config, 'redis' | 'redisKeyPrefix'>, opts: { connectTimeoutMs?: number } = {}): Promise<RedisInspection> {
  const where = describeRedis(config.redis);
  const checks: RedisCheck[] = [];
  let prefix = config.redisKeyPrefix;
  let client;
  try {
    client = createRedisClient(config.redis, 'probe');
  } catch (err) {
    // An unreadable REDIS_TLS_CA_FILE and the like: nothing to connect with.
    return { ok: false, checks: [{ level: 'FAIL', text: err instanceof Error ? err.message : String(err) }], prefix };
  }
  client.on('error', () => undefined); // connectRedis reports the reason; later errors end with disconnect()
  try {
    try {
      await connectRedis(client, opts.connectTimeoutMs);
    } catch (err) {
      checks.push({ level: 'FAIL', text: `cannot connect to ${where}: ${err instanceof Error ? err.message : String(err)}` });
      return { ok: false, checks, prefix };
    }
    checks.push({ level: 'ok', text: `connected to ${where}` });
    if (config.redis.topology.kind !== 'cluster') {
      const clusterNode = await standaloneModeCheck(masterNodes(client)[0]!);
      // Nothing further: every other check could hit a slot this node doesn't own and answer MOVED.
      if (clusterNode) return { ok: false, checks: [...checks, clusterNode], prefix };
    }
    const nodes = masterNodes(client);
    checks.push(...(await checkServers(nodes.map((node) => ({ node, where: nodes.length > 1 ? `${node.options.host}:${node.options.port}` : '' })))));
    const resolved = await resolveKeyPrefix(client, config);
    prefix = resolved.prefix;
    checks.push(resolved.check);
  } catch (err) {
    checks.push({ level: 'FAIL', text: `${where} stopped answering during the checks: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    client.disconnect();
  }
  return { ok: !checks.some((c) => c.level === 'FAIL'), checks, prefix };
}
