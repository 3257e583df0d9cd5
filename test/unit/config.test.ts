import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadRedisSettings } from '../../src/config.js';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  ATLAS_PUBLIC_KEY: 'pubkey',
  ATLAS_PRIVATE_KEY: 'private-key-value',
  RESTORE_POLICY_FILE: '/etc/atlas-restore/policy.yaml',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(3000);
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
    expect(c.slack.socketMode).toBe(false);
    expect(c.atlas.baseUrl).toBe('https://cloud.mongodb.com');
    expect(c.atlas.auth).toEqual({ kind: 'digest', publicKey: 'pubkey', privateKey: 'private-key-value' });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.pollIntervalSeconds).toBe(10);
    expect(c.dryRun).toBe(false);
    expect(c.logLevel).toBe('info');
  });

  it('returns a frozen object', () => {
    const c = loadConfig(base);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.atlas.auth)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow();
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ PORT: 'eighty', DRY_RUN: 'yes', POLL_INTERVAL_SECONDS: '0', LOG_LEVEL: 'loud' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SLACK_BOT_TOKEN is required'),
        expect.stringContaining('SLACK_SIGNING_SECRET is required'),
        expect.stringContaining('Atlas credentials are required'),
        expect.stringContaining('RESTORE_POLICY_FILE is required'),
        expect.stringContaining('PORT must be an integer'),
        expect.stringContaining('DRY_RUN must be "true" or "false"'),
        expect.stringContaining('POLL_INTERVAL_SECONDS must be an integer from 1'),
        expect.stringContaining('LOG_LEVEL must be one of'),
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('reads integers in decimal digits only, each within its range', () => {
    for (const PORT of ['0x1F90', '1e3', '8080.0', '0b1', '+80', '-1', '65536', '80 80']) {
      expect(problemsOf({ ...base, PORT })).toEqual([`PORT must be an integer from 0 to 65535 in decimal digits, got "${PORT}"`]);
    }
    expect(problemsOf({ ...base, POLL_INTERVAL_SECONDS: '1e1', LONG_RUNNING_WARNING_MINUTES: '0x10' })).toEqual([
      'POLL_INTERVAL_SECONDS must be an integer from 1 to 3600 in decimal digits, got "1e1"',
      'LONG_RUNNING_WARNING_MINUTES must be an integer from 1 to 10080 in decimal digits, got "0x10"',
    ]);
    // 0 lets the system pick a free port (tests); a leading zero is still decimal.
    expect(loadConfig({ ...base, PORT: '0' }).port).toBe(0);
    expect(loadConfig({ ...base, PORT: ' 08080 ', POLL_INTERVAL_SECONDS: '3600' })).toMatchObject({ port: 8080, pollIntervalSeconds: 3600 });
  });

  it('treats empty strings as unset', () => {
    const problems = problemsOf({ ...base, SLACK_BOT_TOKEN: '', RESTORE_POLICY_FILE: '   ' });
    expect(problems).toEqual([expect.stringContaining('SLACK_BOT_TOKEN is required'), expect.stringContaining('RESTORE_POLICY_FILE is required')]);
    expect(loadConfig({ ...base, PORT: '', DRY_RUN: '' }).port).toBe(3000);
  });

  it('parses booleans strictly', () => {
    expect(loadConfig({ ...base, DRY_RUN: 'true' }).dryRun).toBe(true);
    expect(loadConfig({ ...base, DRY_RUN: 'false' }).dryRun).toBe(false);
    for (const v of ['TRUE', '1', 'yes', 'on']) expect(problemsOf({ ...base, DRY_RUN: v })).toHaveLength(1);
  });

  it('requires exactly one Atlas auth mode', () => {
    expect(problemsOf({ ...base, ATLAS_CLIENT_ID: 'id', ATLAS_CLIENT_SECRET: 'secret' })[0]).toContain('exactly one Atlas auth mode');
    expect(problemsOf({ ...base, ATLAS_PRIVATE_KEY: undefined })[0]).toContain('ATLAS_PRIVATE_KEY is required');
    const sa = loadConfig({ ...base, ATLAS_PUBLIC_KEY: '', ATLAS_PRIVATE_KEY: '', ATLAS_CLIENT_ID: 'mdb_sa_id', ATLAS_CLIENT_SECRET: 'mdb_sa_sk' });
    expect(sa.atlas.auth).toEqual({ kind: 'serviceAccount', clientId: 'mdb_sa_id', clientSecret: 'mdb_sa_sk' });
    expect(problemsOf({ ...base, ATLAS_PUBLIC_KEY: '', ATLAS_PRIVATE_KEY: '', ATLAS_CLIENT_ID: 'x' })[0]).toContain('ATLAS_CLIENT_SECRET is required');
  });

  it('needs an app token, not a signing secret, in Socket Mode', () => {
    const env = { ...base, SLACK_SIGNING_SECRET: undefined, SLACK_SOCKET_MODE: 'true' };
    expect(problemsOf(env)[0]).toContain('SLACK_APP_TOKEN is required');
    expect(problemsOf({ ...env, SLACK_APP_TOKEN: 'xoxb-wrong' })[0]).toContain('xapp-');
    const c = loadConfig({ ...env, SLACK_APP_TOKEN: 'xapp-1-abc' });
    expect(c.slack.socketMode).toBe(true);
  });

  it('rejects a token of the wrong kind and bad URLs', () => {
    const problems = problemsOf({ ...base, SLACK_BOT_TOKEN: 'xoxp-user', ATLAS_BASE_URL: 'not a url', SLACK_API_URL: 'ftp//x' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('xoxb-');
    expect(problems.join('\n')).toContain('ATLAS_BASE_URL must be a http or https URL');
    expect(problemsOf({ ...base, SLACK_API_URL: 'redis://127.0.0.1:6379', REDIS_URL: 'http://127.0.0.1:6379' })).toEqual([
      expect.stringContaining('SLACK_API_URL must be a http or https URL'),
      expect.stringContaining('REDIS_URL must be a redis or rediss URL'),
    ]);
  });

  it('never echoes a secret value in its messages', () => {
    const problems = problemsOf({ ...base, ATLAS_CLIENT_ID: 'id', ATLAS_CLIENT_SECRET: 'super-secret-value' });
    expect(problems.join('\n')).not.toContain('super-secret-value');
    expect(problems.join('\n')).not.toContain('private-key-value');
  });

  it('normalises base URLs', () => {
    const c = loadConfig({ ...base, ATLAS_BASE_URL: 'http://127.0.0.1:8080/', SLACK_API_URL: 'http://127.0.0.1:9/api' });
    expect(c.atlas.baseUrl).toBe('http://127.0.0.1:8080');
    expect(c.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
  });

  describe('Redis', () => {
    it('defaults to one server and a prefix with a hash tag', () => {
      const c = loadConfig(base);
      expect(c.redis.topology).toEqual({ kind: 'standalone' });
      expect(c.redisKeyPrefix).toBe('{atlas-restore}:');
      expect(c.redis.keyPrefixFromEnv).toBe(false);
      expect(loadConfig({ ...base, REDIS_KEY_PREFIX: 'mine:' }).redis.keyPrefixFromEnv).toBe(true);
      expect(Object.isFrozen(c.redis)).toBe(true);
    });

    it('reads Sentinel: the sentinels, the master name and their password; REDIS_URL is optional', () => {
      const c = loadConfig({ ...base, REDIS_SENTINELS: 's-0.redis:26379, [::1]:26380', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_SENTINEL_PASSWORD: 'sentinel-pw' });
      expect(c.redis.topology).toEqual({
        kind: 'sentinel',
        sentinels: [{ host: 's-0.redis', port: 26379 }, { host: '::1', port: 26380 }],
        masterName: 'mymaster',
        sentinelPassword: 'sentinel-pw',
      });
    });

    it('reads Cluster seed nodes', () => {
      const c = loadConfig({ ...base, REDIS_CLUSTER_NODES: 'r-0:6379,r-1:6379', REDIS_URL: 'rediss://:pw@ignored' });
      expect(c.redis.topology).toEqual({ kind: 'cluster', nodes: [{ host: 'r-0', port: 6379 }, { host: 'r-1', port: 6379 }] });
      expect(c.redisKeyPrefix).toBe('{atlas-restore}:');
    });

    it('reports every Redis problem at once', () => {
      const problems = problemsOf({ ...base, REDIS_SENTINEL_MASTER: 'mymaster', REDIS_CLUSTER_NODES: 'r-0:6379' });
      expect(problems).toEqual([expect.stringContaining('either Redis Sentinel (REDIS_SENTINEL_MASTER) or Redis Cluster (REDIS_CLUSTER_NODES), not both')]);
      expect(problemsOf({ ...base, REDIS_SENTINEL_PASSWORD: 'x', REDIS_TLS_CA_FILE: '/ca.pem', REDIS_URL: 'redis://h:6379/x' })).toEqual([
        expect.stringContaining('REDIS_SENTINELS is required with REDIS_SENTINEL_PASSWORD'),
        expect.stringContaining('REDIS_SENTINEL_MASTER is required'),
        expect.stringContaining('REDIS_URL: the database must be a number'),
        expect.stringContaining('REDIS_TLS_CA_FILE is set but REDIS_URL does not use TLS'),
      ]);
      expect(problemsOf({ ...base, REDIS_SENTINELS: 'nohost, h:99999,h:1', REDIS_SENTINEL_MASTER: 'm' })).toEqual([
        expect.stringContaining('REDIS_SENTINELS: "nohost" is not host:port'),
        expect.stringContaining('REDIS_SENTINELS: "h:99999" is not host:port'),
      ]);
    });

    it('refuses, in cluster mode, a key prefix without a hash tag and a database other than 0', () => {
      const cluster = { ...base, REDIS_CLUSTER_NODES: 'r-0:6379' };
      expect(problemsOf({ ...cluster, REDIS_KEY_PREFIX: 'atlas-restore:' })).toEqual([expect.stringMatching(/REDIS_KEY_PREFIX "atlas-restore:" has no hash tag.*"\{atlas-restore\}:"/)]);
      // Redis hashes by the first "{" up to the first "}" after it; "{}" is no tag at all.
      expect(problemsOf({ ...cluster, REDIS_KEY_PREFIX: '{}{x}:' })).toHaveLength(1);
      expect(loadConfig({ ...cluster, REDIS_KEY_PREFIX: 'team-{db-ops}:' }).redisKeyPrefix).toBe('team-{db-ops}:');
      expect(problemsOf({ ...cluster, REDIS_URL: 'redis://ignored/2' })).toEqual([expect.stringContaining('Redis Cluster only has database 0')]);
      // Outside a cluster any prefix goes.
      expect(loadConfig({ ...base, REDIS_KEY_PREFIX: 'atlas-restore:' }).redisKeyPrefix).toBe('atlas-restore:');
    });

    it('never echoes the password of a bad REDIS_URL', () => {
      const problems = problemsOf({ ...base, REDIS_URL: 'http://user:redis-secret@h:6379' });
      expect(problems.join('\n')).not.toContain('redis-secret');
      expect(problems.join('\n')).toContain('http://***@h:6379');
    });

    it('never echoes a password with an unencoded "/", "?" or "#", and says how to encode it', () => {
      for (const password of ['pa/ss-secret', 'pa?ss-secret', 'pa#ss-secret']) {
        const problems = problemsOf({ ...base, REDIS_URL: `rediss://default:${password}@cache.example:6380/0` });
        expect(problems).toHaveLength(1);
        expect(problems[0]).not.toContain('ss-secret');
        expect(problems[0]).toContain('REDIS_URL must be a redis or rediss URL, got "rediss://***@cache.example:6380/0"');
        expect(problems[0]).toContain('/ as %2F');
      }
      // With an "@" before the "/" the URL parses, but as a wrong host whose path holds the rest of the password.
      const tail = problemsOf({ ...base, REDIS_URL: 'rediss://default:a@b/ss-secret@cache.example:6380/0' });
      expect(tail).toEqual([expect.stringContaining('REDIS_URL: an "@" after the host')]);
      expect(tail[0]).not.toContain('ss-secret');
      // Without a scheme, everything before the last "@" is hidden too; so is a query string (ioredis reads a password from it).
      expect(problemsOf({ ...base, REDIS_URL: 'user:pa/ss-secret@h:6379' }).join('\n')).toContain('got "***@h:6379"');
      expect(problemsOf({ ...base, REDIS_URL: 'http://h:6379/?password=ss-secret' }).join('\n')).toContain('got "http://h:6379/?***"');
      // Without an "@" and not plainly scheme://host:port: not quoted at all (a forgotten host, a bare password).
      // An Atlas or Slack URL holds no password: quoted as typed, the typo shows.
      expect(problemsOf({ ...base, ATLAS_BASE_URL: 'cloud.mongodb.com' })).toEqual([expect.stringContaining('ATLAS_BASE_URL must be a http or https URL, got "cloud.mongodb.com"')]);
      for (const value of ['redis://:ss-secret', 'redis://user:ss-secret', 'ss-secret', 'redis://h:ss-secret/0']) {
        const problems = problemsOf({ ...base, REDIS_URL: value });
        expect(problems).toEqual([expect.stringContaining('REDIS_URL must be a redis or rediss URL, got a value not shown here (it may hold a password)')]);
      }
    });

    it('refuses, without echoing it, a user or password that does not percent-decode (a literal "%")', () => {
      const problems = problemsOf({ ...base, REDIS_URL: 'redis://default:50%off-secret@h:6379' });
      expect(problems).toEqual([expect.stringContaining('REDIS_URL: the password is not valid percent-encoding: percent-encode the user and password: / as %2F, % as %25')]);
      expect(problems[0]).not.toContain('off-secret');
      expect(problemsOf({ ...base, REDIS_URL: 'redis://us%zz:50%off@h:6379' })).toEqual([expect.stringContaining('REDIS_URL: the user and password are not valid percent-encoding')]);
      // The same rule for the audit command's Redis-only settings, and for REDIS_URL beside Sentinel or Cluster.
      expect(() => loadRedisSettings({ REDIS_URL: 'rediss://:50%off@ignored', REDIS_CLUSTER_NODES: 'r-0:6379' })).toThrow(/password is not valid percent-encoding/);
      // Encoded, the same password is accepted and reaches ioredis decoded.
      const c = loadConfig({ ...base, REDIS_URL: 'redis://default:50%25off%2Fx@h:6379' });
      expect(decodeURIComponent(new URL(c.redisUrl).password)).toBe('50%off/x');
    });

    it('never echoes credentials pasted into REDIS_SENTINELS or REDIS_CLUSTER_NODES', () => {
      const problems = problemsOf({ ...base, REDIS_CLUSTER_NODES: 'redis://:node-secret@r-0:6379, pw-secret@r-1:6379' });
      expect(problems).toEqual([
        expect.stringContaining('REDIS_CLUSTER_NODES: "redis://***@r-0:6379" is not host:port'),
        expect.stringContaining('REDIS_CLUSTER_NODES: "***@r-1:6379" is not host:port'),
      ]);
      expect(problems.join('\n')).not.toContain('secret');
      expect(problems[0]).toContain('credentials belong in REDIS_URL');
      expect(problemsOf({ ...base, REDIS_SENTINELS: 'u:sentinel-secret@s-0:26379', REDIS_SENTINEL_MASTER: 'm' })).toEqual([expect.stringContaining('REDIS_SENTINELS: "***@s-0:26379" is not host:port')]);
    });
  });
});
