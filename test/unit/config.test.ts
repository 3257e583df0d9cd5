import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
});
