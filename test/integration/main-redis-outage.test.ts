// The real process (src/main.ts) through a Redis outage, as the kubelet sees it: /healthz (liveness) stays 200 and the
// process stays up (a restart would cut the work in progress and fix nothing), /readyz (readiness) is 503 with the
// reason while Redis is gone and 200 again once it is back, and SIGTERM ends it within the shutdown bound, also while
// Redis is still gone (a node drained during the outage). Redis is a redis-server of the test's own behind a TCP
// forwarder: killed for real, then started again on its data.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { freePort, RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait-for.js';
import { DEFAULT_POLICY } from './conversation-harness.js';

const runs = skipUnless('main-redis-outage.test.ts', ['redis-server'], 'it kills and restarts a Redis of its own');
const group = new RedisGroup();
let atlas: FakeAtlas;
let slack: FakeSlack;
const proxies: TcpProxy[] = [];
const bots: Bot[] = [];

beforeAll(async () => {
  atlas = await startFakeAtlas();
  slack = await startFakeSlack();
});
afterEach(async () => {
  for (const bot of bots.splice(0)) {
    if (bot.exitCode() === null) bot.kill('SIGKILL');
    await bot.exited;
  }
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await group.cleanup();
  await slack?.close();
  await atlas?.close();
});

interface Bot {
  base: string;
  output(): string;
  exitCode(): number | null;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

async function status(url: string): Promise<number | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
  await res?.text();
  return res?.status;
}

/** Redis (AOF on, so a restart keeps the data) behind a forwarder whose address the bot is given. */
async function redisBehindProxy(): Promise<{ proxy: TcpProxy; redis: RedisProcess; restart(): Promise<void> }> {
  const options = { dir: group.tempDir('outage-data'), args: ['--appendonly', 'yes'] };
  const redis = await group.start('outage', options);
  const proxy = await startTcpProxy(redis.port);
  proxies.push(proxy);
  return {
    proxy,
    redis,
    async restart() {
      proxy.retarget((await group.start('outage', options)).port);
    },
  };
}

async function startBot(redisPort: number, opts: { waitReady?: boolean } = {}): Promise<Bot> {
  const policyFile = join(mkdtempSync(join(tmpdir(), 'atlas-restore-outage-')), 'policy.yaml');
  writeFileSync(policyFile, DEFAULT_POLICY);
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'outage-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      ATLAS_BASE_URL: atlas.url,
      ATLAS_PUBLIC_KEY: atlas.publicKey,
      ATLAS_PRIVATE_KEY: atlas.privateKey,
      RESTORE_POLICY_FILE: policyFile,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const bot: Bot = {
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    kill: (signal) => child.kill(signal),
    exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
  };
  bots.push(bot);
  if (opts.waitReady ?? true) await waitFor(async () => (await status(`${bot.base}/readyz`)) === 200, { timeoutMs: 20_000, message: `ready; output so far: ${out.slice(-500)}` });
  return bot;
}

/** The outage: Redis dies (its connections drop), and nothing answers at its address until it is back. */
async function killRedis(proxy: TcpProxy, redis: RedisProcess): Promise<void> {
  proxy.retarget(await freePort());
  await redis.kill('SIGKILL');
}

async function reasonsOnceUnready(bot: Bot): Promise<string> {
  const unready = await waitFor(
    async () => {
      const res = await fetch(`${bot.base}/readyz`, { signal: AbortSignal.timeout(3000) });
      return res.status === 503 ? ((await res.json()) as { reasons: string[] }) : undefined;
    },
    { timeoutMs: 15_000, message: '/readyz 503 once Redis is gone' },
  );
  return unready.reasons.join('; ');
}

describe.skipIf(!runs)('src/main.ts through a Redis outage', () => {
  it('stays alive (/healthz 200), is unready while Redis is gone, ready again once it is back, and still stops cleanly', async () => {
    const { proxy, redis, restart } = await redisBehindProxy();
    const bot = await startBot(proxy.port);
    await killRedis(proxy, redis);
    expect(await reasonsOnceUnready(bot)).toMatch(/redis did not take a write|tracker worker/);
    await waitFor(() => bot.output().includes('readiness: not ready'), { message: 'the log saying why the pod is unready' });
    // The clients keep trying to reconnect meanwhile: every failed attempt must leave the process up and alive.
    const errorsAtOutage = bot.output().split('redis connection error').length;
    await waitFor(() => bot.output().split('redis connection error').length >= errorsAtOutage + 3, { timeoutMs: 20_000, message: 'three more reconnection attempts' });
    expect(bot.exitCode()).toBeNull();
    expect(await status(`${bot.base}/healthz`)).toBe(200);

    await restart();
    await waitFor(async () => (await status(`${bot.base}/readyz`)) === 200, { timeoutMs: 25_000, message: '/readyz 200 once Redis is back' });
    await waitFor(() => bot.output().includes('readiness: ready again'), { message: 'the log saying the pod is ready again' });
    expect(bot.exitCode()).toBeNull();
    expect(bot.output()).not.toContain('uncaught error');

    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 90_000);

  // A pod (re)started while the in-cluster Redis pod is moving, or a managed Redis is failing over: exiting at once
  // would crash-loop it (KubePodCrashLooping pages someone, and the back-off delays it past Redis's return).
  it('started while Redis is unreachable, waits for it (within the startup probe) and then starts', async () => {
    const { proxy, redis, restart } = await redisBehindProxy();
    await killRedis(proxy, redis);
    const bot = await startBot(proxy.port, { waitReady: false });
    await waitFor(() => bot.output().includes('Redis is not reachable yet'), { timeoutMs: 15_000, message: 'the wait for Redis' }).catch((err: unknown) => {
      throw new Error(`${String(err)}; output: ${bot.output().slice(-800)}`);
    });
    expect(bot.exitCode()).toBeNull();
    await restart();
    await waitFor(async () => (await status(`${bot.base}/readyz`)) === 200, { timeoutMs: 25_000, message: `/readyz 200 once Redis is there; output so far: ${bot.output().slice(-500)}` });
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 60_000);

  it('started while Redis refuses connections, still ends at once on SIGTERM', async () => {
    const bot = await startBot(await freePort(), { waitReady: false });
    await waitFor(() => bot.output().includes('Redis is not reachable yet'), { timeoutMs: 15_000, message: 'the wait for Redis' });
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('stopping during start-up');
  }, 60_000);

  // The kubelet SIGKILLs at terminationGracePeriodSeconds (30 s) counted from preStop (5 s): the process must be gone
  // before, Redis or not, having said how it ended.
  it('on SIGTERM while Redis is still gone, exits within the shutdown bound', async () => {
    const { proxy, redis } = await redisBehindProxy();
    const bot = await startBot(proxy.port);
    await killRedis(proxy, redis);
    await reasonsOnceUnready(bot);
    const sent = Date.now();
    bot.kill('SIGTERM');
    const code = await bot.exited;
    const seconds = (Date.now() - sent) / 1000;
    expect(seconds).toBeLessThan(25);
    expect({ code, said: /"msg":"(stopped|shutdown took too long; exiting)"/.exec(bot.output())?.[1] }).toEqual({ code: 0, said: 'stopped' });
  }, 60_000);
});
