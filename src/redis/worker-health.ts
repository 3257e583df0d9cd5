// Does the tracker's BullMQ worker really take work? A worker can say "running" while processing nothing: BullMQ
// before the fix of taskforcesh/bullmq#4378 (PR #4384) left its blocking connection ended for good after a Sentinel
// failover. The installed 6.x has the fix; readiness still checks the connection the worker waits for jobs on, so a
// replica in that state stops taking Slack traffic and shows up as not ready instead of failing silently.
import type { Worker } from 'bullmq';

export interface WorkerHealth {
  ok: boolean;
  /** Why not, in words for /readyz. */
  reason?: string;
}

/** How long to wait for BullMQ to hand out its clients; they exist once the worker has started. */
const CLIENT_TIMEOUT_MS = 500;

/** ioredis Cluster says "connect" when usable, and "ready" only with a ready check; BullMQ treats both as live. */
function isLive(client: { status: string; isCluster: boolean }): boolean {
  return client.status === 'ready' || (client.isCluster && client.status === 'connect');
}

async function within<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  if (!promise) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), CLIENT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function workerHealth(worker: Worker | undefined): Promise<WorkerHealth> {
  if (!worker) return { ok: false, reason: 'tracker worker not started' };
  if (!worker.isRunning()) return { ok: false, reason: 'tracker worker is not running' };
  const backend = worker.getBackend();
  const blocking = await within(backend.blockingClient);
  if (!blocking) return { ok: false, reason: 'tracker worker has no blocking connection' };
  if (!isLive(blocking)) return { ok: false, reason: `tracker worker's blocking connection is ${blocking.status}` };
  const main = await within(backend.client);
  if (!main) return { ok: false, reason: 'tracker worker has no connection' };
  if (!isLive(main)) return { ok: false, reason: `tracker worker's connection is ${main.status}` };
  return { ok: true };
}
