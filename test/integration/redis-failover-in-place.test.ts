// A managed Redis's failover behind one DNS name, for real: two redis-server processes and a TCP forwarder standing in
// for the name. The replica is promoted, the old primary is demoted in place (it stays up, as a replica), and the
// name moves: connections already open stay on the old primary and every write there answers READONLY. The app's
// connections must reconnect (and so reach the new primary), and readiness must not say "ready" on a replica.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '../../src/redis/redis-client.js';
import type { RedisConfig } from '../../src/redis/redis-config.js';
import { createRestoreStore } from '../../src/restore/store.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait-for.js';

const canRun = skipUnless('redis-failover-in-place', ['redis-server'], 'it starts a primary and a replica');
const PREFIX = '{failover-test}:';

const admin = (port: number) => {
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  return client;
};

const linkUp = async (replica: Redis) => /master_link_status:up/.test(await replica.info('replication'));

describe.skipIf(!canRun)('a primary demoted in place behind the same address', () => {
  const group = new RedisGroup();
  let first: RedisProcess;
  let second: RedisProcess;
  let proxy: TcpProxy;
  const clients: (RedisClient | Redis)[] = [];

  beforeAll(async () => {
    first = await group.start('failover-first');
    second = await group.start('failover-second', { args: ['--replicaof', '127.0.0.1', String(first.port)] });
    proxy = await startTcpProxy(first.port);
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await proxy?.close();
    await group.cleanup();
  });

  it('the commands and worker connections reach the new primary, and readiness says no while on the old one', async () => {
    const config: Pick<RedisConfig, 'topology' | 'url' | 'tlsCaFile'> = { topology: { kind: 'standalone' }, url: `redis://127.0.0.1:${proxy.port}`, tlsCaFile: undefined };
    const commands = createRedisClient(config, 'commands');
    const worker = createRedisClient(config, 'worker');
    const [oldPrimary, newPrimary] = [admin(first.port), admin(second.port)];
    clients.push(commands, worker, oldPrimary, newPrimary);
    commands.on('error', () => undefined);
    worker.on('error', () => undefined);
    await Promise.all([commands.connect(), worker.connect()]);
    const store = createRestoreStore({ redis: commands, prefix: PREFIX });
    expect(await store.ping()).toBe(true);
    expect(await store.claimOnce('before', 60)).toBe(true);
    await waitFor(() => linkUp(newPrimary).then((up) => up || undefined), { message: 'the replica in sync' });

    // The failover: promote the replica, demote the old primary in place, move the name.
    await newPrimary.replicaof('NO', 'ONE');
    await oldPrimary.replicaof('127.0.0.1', String(second.port));
    proxy.retarget(second.port);

    // Still on the old primary: a PING would answer, a write doesn't.
    expect(await store.ping()).toBe(false);
    // The commands connection fails a refused command (its caller says "try again") and reconnects: a later one lands.
    await waitFor(() => store.claimOnce('after', 60).catch(() => undefined), { timeoutMs: 5000, message: 'a store write after the failover' });
    expect(await newPrimary.exists(`${PREFIX}once:after`)).toBe(1);
    expect(await store.ping()).toBe(true);
    // The worker's connection sends a refused command again after its reconnect: the caller never sees READONLY.
    expect(await worker.set(`${PREFIX}worker-write`, '1')).toBe('OK');
    expect(await newPrimary.get(`${PREFIX}worker-write`)).toBe('1');
  });
});
