// A connection to Redis that goes silent without closing: the host behind a managed Redis's name is replaced at a
// failover, or the network path to it drops every packet. ioredis hears no close (the kernel retransmits for about 15
// minutes before it gives up), and a command timeout fails the command but keeps the socket (redis/ioredis#559).
// A frozen connection must be dropped and made again within seconds, so the next Slack click and the tracker's next
// step reach the Redis that answers (here: the same one, through a new connection).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_TIMEOUT_MS, createRedisClient, duplicateRedisClient, SOCKET_TIMEOUT_MS, type RedisClient } from '../../src/redis/redis-client.js';
import type { RedisConfig } from '../../src/redis/redis-config.js';
import { createRestoreStore } from '../../src/restore/store.js';
import { sampleRequest } from '../helpers/sample-request.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait-for.js';

const PREFIX = `{frozen-${randomUUID()}}:`;
/** A reconnect on this machine takes well under this; "the bot is gone for a quarter of an hour" is far above. */
const RECONNECT_MARGIN_MS = 4000;

const clients: RedisClient[] = [];
let proxy: TcpProxy | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await proxy?.close();
  proxy = undefined;
});

async function clientThroughProxy(purpose: 'commands' | 'worker'): Promise<RedisClient> {
  proxy = await startTcpProxy(6379);
  const config: Pick<RedisConfig, 'topology' | 'url' | 'tlsCaFile'> = { topology: { kind: 'standalone' }, url: `redis://127.0.0.1:${proxy.port}`, tlsCaFile: undefined };
  const client = createRedisClient(config, purpose);
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

describe('a Redis connection that goes silent without closing', () => {
  it('the commands connection fails the command in flight within its timeout, then is made again', async () => {
    const redis = await clientThroughProxy('commands');
    const store = createRestoreStore({ redis, prefix: PREFIX });
    expect(await store.claimOnce('before', 60)).toBe(true);

    proxy!.freezeOpenConnections();
    const started = Date.now();
    // A Slack click meanwhile: a clear failure (the handler says "try again") within the command timeout, not a hang.
    await expect(store.claimOnce('during', 60)).rejects.toThrow(/timed out/i);
    // The command's own timeout, not the socket's (the next bound) nor the kernel's: loose, for a loaded machine.
    expect(Date.now() - started).toBeLessThan(Math.max(SOCKET_TIMEOUT_MS.commands, COMMAND_TIMEOUT_MS + 3000));

    // The next click reaches Redis again: the silent socket was dropped and a new connection made.
    await waitFor(() => store.ping(), { timeoutMs: SOCKET_TIMEOUT_MS.commands + RECONNECT_MARGIN_MS, message: 'a store write through a new connection' });
    expect(proxy!.connectionCount()).toBeGreaterThan(1);
    await redis.del(`${PREFIX}once:before`, `${PREFIX}once:during`, `${PREFIX}readiness-probe`, `${PREFIX}state-marker`);
  });

  it('a compare-and-set its caller was told failed is not sent again on the new connection', async () => {
    const redis = await clientThroughProxy('commands');
    const store = createRestoreStore({ redis, prefix: PREFIX });
    const req = sampleRequest({ id: 'RR-FROZE1', state: 'submitting' });
    await store.create(req);

    proxy!.freezeOpenConnections();
    // The submission's claim of the POST: it fails, so the step is run again later and claims it then. Were it sent
    // again after the reconnect, the field would be set with no POST made, and the retry would take it as "posted
    // by someone": it would look for a job that was never created, and end the approved request as unconfirmed.
    await expect(store.claimField(req.id, ['submitting'], 'postStartedAt', new Date().toISOString())).rejects.toThrow(/timed out/i);
    await waitFor(() => store.ping(), { timeoutMs: SOCKET_TIMEOUT_MS.commands + RECONNECT_MARGIN_MS, message: 'a store write through a new connection' });
    expect((await store.get(req.id))?.postStartedAt).toBeUndefined();
    expect((await store.claimField(req.id, ['submitting'], 'postStartedAt', new Date().toISOString())).ok).toBe(true);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  it("the worker's connection sends its command again on a new connection, and it lands", async () => {
    const worker = await workerThroughProxy();
    expect(await worker.set(`${PREFIX}worker-before`, '1')).toBe('OK');

    proxy!.freezeOpenConnections();
    // BullMQ's worker waits for Redis forever (no command timeout): a silent socket must not make that forever.
    const write = worker.set(`${PREFIX}worker-after`, '1');
    expect(await settledWithin(write, SOCKET_TIMEOUT_MS.worker + RECONNECT_MARGIN_MS)).toEqual({ value: 'OK' });
    expect(proxy!.connectionCount()).toBeGreaterThan(1);
    await worker.del(`${PREFIX}worker-before`, `${PREFIX}worker-after`);
  });

  it("an idle worker's longest blocking wait (BullMQ's 10 s BZPOPMIN) is not cut as silence", async () => {
    const worker = await workerThroughProxy();
    const connections = proxy!.connectionCount();
    expect(await worker.bzpopmin(`${PREFIX}nothing-here`, 10)).toBeNull();
    expect(proxy!.connectionCount()).toBe(connections);
  });
});

async function workerThroughProxy(): Promise<RedisClient> {
  const commands = await clientThroughProxy('commands');
  const worker = duplicateRedisClient(commands, 'worker');
  worker.on('error', () => undefined);
  clients.push(worker);
  await worker.connect();
  return worker;
}

/** The promise's value if it settles within `ms`, else 'still waiting' (a bound on the wait, not a pause). */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | 'still waiting'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise.then((value) => ({ value })), new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
