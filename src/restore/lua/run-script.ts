// Runs a Lua script by SHA (EVALSHA) and falls back to EVAL when Redis does not know it yet
// (first call, after a restart or SCRIPT FLUSH). Scripts run atomically: that is what makes
// every store transition a compare-and-set.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../redis/redis-client.js';

export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

export function defineScript(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

export async function runScript(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return await redis.eval(script.source, keys.length, ...keys, ...args);
    }
    throw err;
  }
}
