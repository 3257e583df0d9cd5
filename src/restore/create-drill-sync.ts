// Applying the drill schedules of a reloaded policy. A sync that fails (Redis unreachable for a moment, a failover)
// is tried again with backoff until it succeeds or a newer policy's sync takes its place: otherwise a drill added
// during a Redis blip would have no schedule until the next reload or restart, and nothing would say it never runs.
import type { Logger } from 'pino';

export interface DrillSyncOptions {
  /** The tracker's syncDrills: reads the policy in force when it runs. */
  sync: () => Promise<void>;
  logger: Pick<Logger, 'error' | 'info'>;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export interface DrillSync {
  /** Sync now; a failure is logged and tried again later. A newer request replaces an older one's retries. */
  request(): void;
  /** No more tries (the app is stopping). */
  close(): void;
}

export function createDrillSync({ sync, logger, firstDelayMs = 5000, maxDelayMs = 5 * 60_000 }: DrillSyncOptions): DrillSync {
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function attempt(mine: number, failures: number): void {
    sync().then(
      () => {
        if (failures > 0 && mine === generation) logger.info({ attempts: failures + 1 }, 'drill schedules updated after all');
      },
      (err: unknown) => {
        if (closed || mine !== generation) return;
        const delayMs = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(failures, 20));
        logger.error({ err, attempts: failures + 1, retryInMs: delayMs }, 'could not update the drill schedules; trying again');
        timer = setTimeout(() => attempt(mine, failures + 1), delayMs);
        timer.unref();
      },
    );
  }

  return {
    request() {
      if (closed) return;
      clearTimeout(timer);
      generation += 1;
      attempt(generation, 0);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
