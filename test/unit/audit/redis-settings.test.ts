// The audit command reads the Redis variables only: an auditor's job has no Slack token, Atlas key or policy file.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadRedisSettings } from '../../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadRedisSettings(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRedisSettings', () => {
  it('needs nothing but Redis: the defaults of the full configuration', () => {
    const settings = loadRedisSettings({});
    expect(settings).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: '{atlas-restore}:',
      redis: { topology: { kind: 'standalone' }, url: 'redis://127.0.0.1:6379', tlsCaFile: undefined, keyPrefixFromEnv: false },
      logLevel: 'info',
    });
    expect(() => loadConfig({})).toThrow(ConfigError); // where the bot itself would need its secrets
  });

  it('reads the same Redis settings as the bot does', () => {
    const env = { REDIS_URL: 'rediss://:pw@ignored', REDIS_SENTINELS: 's0:26379,s1:26379', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_KEY_PREFIX: 'bot-a:', LOG_LEVEL: 'warn' };
    const full = loadConfig({ ...env, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ATLAS_PUBLIC_KEY: 'p', ATLAS_PRIVATE_KEY: 'k', RESTORE_POLICY_FILE: 'p.yaml' });
    const settings = loadRedisSettings(env);
    expect(settings).toEqual({ redisUrl: full.redisUrl, redisKeyPrefix: full.redisKeyPrefix, redis: full.redis, logLevel: full.logLevel });
    expect(settings.redis.keyPrefixFromEnv).toBe(true);
  });

  it('reports every problem among the Redis variables at once, and ignores the others', () => {
    expect(problemsOf({ REDIS_URL: 'http://x', REDIS_SENTINEL_MASTER: 'm', LOG_LEVEL: 'loud', SLACK_BOT_TOKEN: 'not-a-bot-token' })).toEqual([
      'REDIS_URL must be a redis or rediss URL, got "http://x"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'REDIS_SENTINELS is required with REDIS_SENTINEL_MASTER (host:port of each sentinel)',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'c0:6379', REDIS_KEY_PREFIX: 'plain:' })).toEqual([expect.stringMatching(/has no hash tag/)]);
  });
});
