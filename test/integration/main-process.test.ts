// The real entry point as a process: bad configuration, --check, serving, and SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import { DEFAULT_POLICY } from './conversation-harness.js';

let atlas: FakeAtlas;
let slack: FakeSlack;
let policyFile: string;
const prefixes: string[] = [];

beforeAll(async () => {
  atlas = await startFakeAtlas();
  slack = await startFakeSlack();
  const dir = mkdtempSync(join(tmpdir(), 'atlas-restore-main-'));
  policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, DEFAULT_POLICY);
});
afterAll(async () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await slack?.close();
  await atlas?.close();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/main.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function newPrefix(): string {
  const prefix = `test-main-${randomBytes(4).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

function goodEnv(port: number): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'main-process-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    ATLAS_BASE_URL: atlas.url,
    ATLAS_PUBLIC_KEY: atlas.publicKey,
    ATLAS_PRIVATE_KEY: atlas.privateKey,
    RESTORE_POLICY_FILE: policyFile,
    REDIS_KEY_PREFIX: newPrefix(),
    LOG_LEVEL: 'info',
  };
}

describe('src/main.ts', () => {
  it('exits 1 with every configuration problem listed, before connecting to anything', async () => {
    const p = run({ DRY_RUN: 'maybe', ATLAS_CLIENT_ID: 'x' });
    expect(await p.exited).toBe(1);
    const out = p.output();
    for (const s of ['SLACK_BOT_TOKEN is required', 'SLACK_SIGNING_SECRET is required', 'ATLAS_CLIENT_SECRET is required', 'RESTORE_POLICY_FILE is required', 'DRY_RUN must be']) {
      expect(out).toContain(s);
    }
  });

  it('--check validates configuration and policy, then exits 0', async () => {
    const p = run(goodEnv(0), ['--check']);
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/configuration OK.*policy OK \(1 project\(s\), 4 cluster\(s\)\)/);
  });

  it('--check --online asks Slack and Atlas, and exits 1 naming what is not ready', async () => {
    atlas.addCluster({ groupId: '5e2211c17a3e5a48f5497de3', name: 'orders', type: 'flex', snapshots: 1 });
    const p = run(goodEnv(0), ['--check', '--online']);
    expect(await p.exited).toBe(1); // only orders exists in this fake Atlas: the other policy clusters are missing
    const out = p.output();
    expect(out).toContain('ok   Slack: token works');
    expect(out).toContain('ok   Atlas: shop/orders is flex, 1 snapshot(s), 1 restorable');
    expect(out).toContain('info Atlas: shop/orders point in time: not available (flex clusters have no continuous cloud backup)');
    expect(out).toMatch(/Atlas: shop\/orders safety snapshot: not possible \(flex\)/);
    expect(out).toMatch(/FAIL Atlas: shop\/ledger: /);
    expect(out).toContain('fix the FAIL lines above before deploying');
  });

  it('--check names the bad field of a broken policy', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'atlas-restore-bad-')), 'policy.yaml');
    writeFileSync(bad, 'projects:\n  - name: shop\n    id: nothex\n    clusters: [{ name: orders, type: mega }]\n');
    const p = run({ ...goodEnv(0), RESTORE_POLICY_FILE: bad }, ['--check']);
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('projects[0].id');
    expect(p.output()).toContain('projects[0].clusters[0].type');
  });

  // In a container node is PID 1, which the kernel gives no default action for SIGTERM: without a handler the signal is
  // dropped and the pod is SIGKILLed later. Here (not PID 1) a missing handler shows as death by signal instead of an exit.
  /**
   * Runs the process against a Redis that accepts and never answers, sends SIGTERM once it has connected, and gives
   * back how it ended: by its own exit (`signal` null) or killed by the signal (no handler).
   */
  async function sigtermWhileRedisIsSilent(env: Record<string, string>, args: string[] = []) {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const redisPort = (silent.address() as { port: number }).port;
      const p = run({ ...env, REDIS_URL: `redis://127.0.0.1:${redisPort}` }, args);
      const signalled = new Promise<NodeJS.Signals | null>((resolve) => p.child.on('exit', (_code, signal) => resolve(signal)));
      await waitFor(() => sockets.length > 0, { timeoutMs: 15_000, message: 'the process connected to Redis' });
      p.child.kill('SIGTERM');
      return { signal: await signalled, code: await p.exited, output: p.output() };
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }

  it('handles SIGTERM during start-up (Redis checks still waiting) and exits 0', async () => {
    const ended = await sigtermWhileRedisIsSilent(goodEnv(0));
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(0);
    expect(ended.output).toContain('stopping during start-up');
  }, 30_000);

  it('`audit` ends on SIGTERM while it waits for Redis, with exit 143 (128 + SIGTERM) rather than ignoring it', async () => {
    const ended = await sigtermWhileRedisIsSilent({}, ['audit']);
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(143);
  }, 30_000);

  it('serves /healthz, /readyz and /metrics, and on SIGTERM shuts down and exits 0 without leaking secrets to logs', async () => {
    const port = await freePort();
    const p = run(goodEnv(port));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 15_000, message: 'ready' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('atlas_restore_approvals_pending');
    // SIGHUP re-reads the policy file (and does not end the process).
    writeFileSync(policyFile, `${DEFAULT_POLICY}\n# edited\n`);
    p.child.kill('SIGHUP');
    await waitFor(() => p.output().includes('policy reloaded'), { message: 'policy reloaded after SIGHUP' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const out = p.output();
    expect(out).toContain('shutting down');
    expect(out).not.toContain(atlas.privateKey);
    expect(out).not.toContain(slack.botToken);
  }, 30_000);
});

/**
 * A fault that nothing in the app catches, loaded before main.ts: on SIGUSR2 the process throws (or leaves a promise
 * rejected) from its own event loop, with the secrets of its environment in the error's message, stack and in an
 * ioredis-like `command` (a refused AUTH carries the password there). The real handlers of main.ts must report it.
 */
function faultOnSigusr2(kind: 'throw' | 'reject'): string[] {
  const source = `
    process.on('SIGUSR2', () => {
      const secrets = [process.env.ATLAS_PRIVATE_KEY, process.env.SLACK_SIGNING_SECRET, process.env.SLACK_BOT_TOKEN].join(' ');
      const err = new Error('injected fault holding ' + secrets);
      err.command = { name: 'auth', args: ['default', process.env.ATLAS_PRIVATE_KEY] };
      err.detail = secrets;
      setImmediate(() => { ${kind === 'throw' ? 'throw err;' : 'void Promise.reject(err);'} });
    });`;
  return ['--import', `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`];
}

describe('src/main.ts: an error nothing caught', () => {
  const secretsOf = (env: Record<string, string>) => [env.ATLAS_PRIVATE_KEY!, env.SLACK_SIGNING_SECRET!, env.SLACK_BOT_TOKEN!];

  for (const kind of ['throw', 'reject'] as const) {
    it(`the running bot logs ${kind === 'throw' ? 'an uncaught exception' : 'an unhandled rejection'} once, as a scrubbed JSON line, and exits 1`, async () => {
      const port = await freePort();
      const env = goodEnv(port);
      const p = run(env, [], faultOnSigusr2(kind));
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 15_000, message: 'ready' });
      p.child.kill('SIGUSR2');
      expect(await p.exited).toBe(1);
      const out = p.output();
      for (const secret of secretsOf(env)) expect(out).not.toContain(secret);
      const fatal = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string; command?: { args?: unknown } } })
        .filter((line) => line.msg === 'uncaught error: exiting');
      expect(fatal).toHaveLength(1);
      expect(fatal[0]!.level).toBe(60); // pino's fatal
      expect(fatal[0]!.err?.message).toMatch(/^injected fault holding \[Redacted\] \[Redacted\] \[Redacted\]$/);
      expect(fatal[0]!.err?.command?.args).toBe('[Redacted]');
    }, 30_000);
  }

  // Before the bot's logger exists (`--check --online` has none) the error goes to stderr: scrubbed of the
  // configuration's secrets too, not only of what looks like a token.
  it('during --check --online, goes to stderr without the configuration\'s secrets and exits 1', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const env = { ...goodEnv(0), REDIS_URL: `redis://127.0.0.1:${(silent.address() as { port: number }).port}` };
      const p = run(env, ['--check', '--online'], faultOnSigusr2('throw'));
      await waitFor(() => sockets.length > 0, { timeoutMs: 15_000, message: 'the check connected to Redis' });
      p.child.kill('SIGUSR2');
      expect(await p.exited).toBe(1);
      const out = p.output();
      expect(out).toContain('atlas-restore: Error: injected fault holding [Redacted] [Redacted] [Redacted]');
      for (const secret of secretsOf(env)) expect(out).not.toContain(secret);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 30_000);
});
