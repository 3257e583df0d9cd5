// /readyz says whether the tracker really takes work, not only whether Redis answers a ping: a worker whose
// blocking connection (the one it waits for jobs on) is gone processes nothing while everything else looks fine.
// The fault is real: the server kills that one connection and refuses new ones (maxclients), the others stay up.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestoreTracker } from '../../src/restore/tracker.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';
import { recordingNotifier } from './tracker-harness.js';

const canRun = skipUnless('readiness-tracker', ['redis-server'], 'it starts a Redis of its own to refuse connections');

describe.skipIf(!canRun)('readiness follows the tracker worker', () => {
  const group = new RedisGroup();
  let server: RedisProcess;
  let h: Harness;
  let admin: Redis;

  beforeAll(async () => {
    server = await group.start('readiness');
    admin = new Redis(server.url);
    h = await startHarness({ redisUrl: server.url });
  });
  afterAll(async () => {
    await admin?.config('SET', 'maxclients', '10000').catch(() => undefined);
    admin?.disconnect();
    await h?.close();
    await group.cleanup();
  });

  const readyz = async () => {
    const res = await fetch(`${h.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { reasons?: string[] } };
  };

  /** The worker's blocking connection: BullMQ names it after its prefix and queue, and it sits in BZPOPMIN. */
  async function blockingClientId(): Promise<string | undefined> {
    const list = String(await admin.client('LIST'));
    const line = list.split('\n').find((l) => l.includes(` name=${h.prefix}bull:`) && / flags=\S*b/.test(l));
    return line?.match(/^id=(\d+)/)?.[1];
  }

  it('is not ready while the worker cannot get its blocking connection back, and ready again once it can', async () => {
    expect((await readyz()).status).toBe(200);
    const id = await waitFor(blockingClientId, { message: "the worker's blocking connection in CLIENT LIST" });

    // Existing connections (the app's, the queue's, the worker's main one) stay; a new one is refused.
    const connected = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
    await admin.config('SET', 'maxclients', String(connected - 1));
    let down: Awaited<ReturnType<typeof readyz>>;
    try {
      await admin.client('KILL', 'ID', id);
      down = await waitFor(async () => {
        const r = await readyz();
        return r.status === 503 ? r : undefined;
      }, { message: '/readyz to turn 503' });
    } finally {
      // Even when the assertion fails: the next test needs new connections.
      await admin.config('SET', 'maxclients', '10000');
    }
    expect(down.body.reasons?.join(' ')).toMatch(/tracker worker's blocking connection is (reconnecting|connecting|connect|close|end)/);
    // Redis itself still answers: a ping alone would have called this replica ready.
    expect(down.body.reasons?.join(' ')).not.toMatch(/redis did not take a write/);
    expect(await h.app.services.store.ping()).toBe(true);

    await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 15_000, message: '/readyz back to 200' });

    // And it does take work again: a restore runs to its end.
    const req = await requestRestore(h, { source: 'ledger' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await h.waitForThread(req.id, /Restore completed/, 15_000);
  }, 60_000);

  it('says the worker is not running once the tracker is closed', async () => {
    const tracker = createRestoreTracker({
      connection: admin,
      prefix: `${h.prefix}bull-closed`,
      store: h.app.services.store,
      atlas: h.app.services.atlas,
      notifier: recordingNotifier([], 'closed'),
      logger: (await import('pino')).pino({ level: 'silent' }),
      pollIntervalSeconds: 1,
      reconcileEveryMs: 0,
    });
    expect(await tracker.health()).toEqual({ ok: false, reason: 'tracker worker not started' });
    await tracker.start();
    expect(await tracker.health()).toEqual({ ok: true });
    await tracker.close();
    expect((await tracker.health()).ok).toBe(false);
  });
});
