// The Redis checks at start and in `--check --online`, against real servers set up the way operators get them
// wrong: an evicting policy (refused, also when CONFIG is renamed as on ElastiCache), a user that may not read
// the settings at all (one warning), the machine's own Redis without AOF (a warning). And the key prefix choice.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../helpers/minimal-env.js';
import { inspectRedis } from '../../src/redis/inspect-redis.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { RedisGroup, skipUnless } from '../helpers/redis-servers.js';
import { DEFAULT_POLICY } from './conversation-harness.js';

const canRun = skipUnless('redis-server-checks', ['redis-server'], 'it starts Redis servers with a bad eviction policy and a renamed CONFIG');

const configFor = configWith;

describe.skipIf(!canRun)('Redis checks', () => {
  const group = new RedisGroup();
  let atlas: FakeAtlas;
  let slack: FakeSlack;
  let policyFile: string;

  beforeAll(async () => {
    atlas = await startFakeAtlas();
    slack = await startFakeSlack();
    policyFile = join(group.tempDir('checks-policy'), 'policy.yaml');
    writeFileSync(policyFile, DEFAULT_POLICY);
  });
  afterAll(async () => {
    await slack?.close();
    await atlas?.close();
    await group.cleanup();
  });

  /** src/main.ts as a process, against the fakes and the given Redis. */
  function runMain(redisUrl: string, args: string[] = []): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'checks-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        ATLAS_BASE_URL: atlas.url,
        ATLAS_PUBLIC_KEY: atlas.publicKey,
        ATLAS_PRIVATE_KEY: atlas.privateKey,
        RESTORE_POLICY_FILE: policyFile,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: '{test-checks}:',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // A start that is not refused keeps running: the test fails on the exit code, and the process is ended here.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    return new Promise((resolve) => child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    }));
  }

  it('refuses to start on a server that may evict keys, and --check --online prints the FAIL line', async () => {
    const lru = await group.start('lru', { args: ['--maxmemory-policy', 'allkeys-lru'] });
    const start = await runMain(lru.url);
    expect(start.code).toBe(1);
    expect(start.output).toContain('not starting, Redis is not ready for the bot');
    expect(start.output).toMatch(/FAIL Redis: maxmemory-policy is allkeys-lru: .*CONFIG SET maxmemory-policy noeviction/);
    expect(start.output).not.toContain('atlas-restore started');

    const check = await runMain(lru.url, ['--check', '--online']);
    expect(check.code).toBe(1);
    expect(check.output).toMatch(/^ok {3}Redis: connected to 127\.0\.0\.1:\d+$/m);
    expect(check.output).toMatch(/^FAIL Redis: maxmemory-policy is allkeys-lru/m);
    expect(check.output).toMatch(/^ok {3}Slack: token works/m);
    expect(check.output).toContain('fix the FAIL lines above before deploying');
  }, 40_000);

  it('with CONFIG renamed away (ElastiCache-style) still reads the policy from INFO: refused when evicting, fine otherwise', async () => {
    const renamedLru = await group.start('renamed-lru', { args: ['--rename-command', 'CONFIG', '', '--maxmemory-policy', 'volatile-lru'] });
    const refused = await inspectRedis(configFor({ REDIS_URL: renamedLru.url }));
    expect(refused.ok).toBe(false);
    expect(refused.checks).toContainEqual({ level: 'FAIL', text: expect.stringMatching(/^maxmemory-policy is volatile-lru/) });

    const renamed = await group.start('renamed', { args: ['--rename-command', 'CONFIG', '', '--appendonly', 'yes'] });
    const fine = await inspectRedis(configFor({ REDIS_URL: renamed.url }));
    expect(fine.ok).toBe(true);
    expect(fine.checks.map((c) => `${c.level} ${c.text}`)).toEqual(
      expect.arrayContaining(['ok maxmemory-policy noeviction (from INFO: CONFIG is not allowed)', 'ok appendonly yes (from INFO: CONFIG is not allowed)']),
    );
  });

  it('warns once, saying what to check, when neither CONFIG nor INFO may be read; the start goes on', async () => {
    const acl = await group.start('acl', { args: ['--appendonly', 'yes'] });
    const admin = new Redis(acl.url);
    // A managed-Redis-like user: everything but reading the server's settings.
    await admin.call('ACL', 'SETUSER', 'bot', 'on', '>bot-password', '~*', '&*', '+@all', '-config', '-info');
    admin.disconnect();
    const result = await inspectRedis(configFor({ REDIS_URL: `redis://bot:bot-password@127.0.0.1:${acl.port}` }));
    expect(result.ok).toBe(true);
    const warnings = result.checks.filter((c) => c.level === 'warn');
    expect(warnings).toEqual([
      { level: 'warn', text: expect.stringMatching(/CONFIG GET is not allowed and INFO does not say .*check .* that maxmemory-policy is noeviction and that persistence/) },
    ]);
    // The version still comes through (HELLO).
    expect(result.checks).toContainEqual({ level: 'ok', text: expect.stringMatching(/^Redis 7\./) });
  });

  it("warns about the machine's Redis without AOF (appendonly no), and starts", async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const probe = new Redis(url);
    const aof = ((await probe.config('GET', 'appendonly')) as string[])[1];
    probe.disconnect();
    const result = await inspectRedis(configFor({ REDIS_URL: url, REDIS_KEY_PREFIX: '{test-checks}:' }));
    expect(result.ok).toBe(true);
    if (aof === 'no') expect(result.checks).toContainEqual({ level: 'warn', text: expect.stringMatching(/^appendonly is off: /) });
    else expect(result.checks).toContainEqual({ level: 'ok', text: 'appendonly yes' });
  });

  it('keeps the old default prefix while only it holds data, and says so; an explicit prefix is taken as is', async () => {
    const server = await group.start('prefix');
    const redis = new Redis(server.url);
    try {
      expect((await inspectRedis(configFor({ REDIS_URL: server.url }))).prefix).toBe('{atlas-restore}:');

      await redis.xadd('atlas-restore:audit', '*', 'type', 'requested');
      const legacy = await inspectRedis(configFor({ REDIS_URL: server.url }));
      expect(legacy.prefix).toBe('atlas-restore:');
      expect(legacy.checks).toContainEqual({ level: 'warn', text: expect.stringContaining('keeping "atlas-restore:" so in-flight requests, locks and poll jobs are not orphaned') });

      const explicit = await inspectRedis(configFor({ REDIS_URL: server.url, REDIS_KEY_PREFIX: '{atlas-restore}:' }));
      expect(explicit.prefix).toBe('{atlas-restore}:');
      expect(explicit.checks).toContainEqual({ level: 'ok', text: 'key prefix "{atlas-restore}:" (REDIS_KEY_PREFIX)' });

      // Once the new prefix holds data (migrated, or started fresh), it wins; the leftovers are pointed out.
      await redis.zadd('{atlas-restore}:recent', 1, 'RR-1');
      const both = await inspectRedis(configFor({ REDIS_URL: server.url }));
      expect(both.prefix).toBe('{atlas-restore}:');
      expect(both.checks).toContainEqual({ level: 'warn', text: expect.stringContaining('keys also remain under the old default "atlas-restore:"') });
    } finally {
      redis.disconnect();
    }
  });

  it('fails with a clear line when Redis is not there', async () => {
    const gone = await group.start('gone');
    await gone.kill();
    const result = await inspectRedis(configFor({ REDIS_URL: gone.url }));
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual([{ level: 'FAIL', text: expect.stringMatching(/^cannot connect to 127\.0\.0\.1:\d+: not reachable \(.*ECONNREFUSED/) }]);
  });
});
