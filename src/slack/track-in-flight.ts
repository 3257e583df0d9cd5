// Slack handlers keep working after they ack (Slack wants its answer in 3 s; the work takes longer). On SIGTERM
// the app must let the ones already acked finish before it closes Redis, or their last writes are lost.
import type { App } from '@slack/bolt';

export interface InFlight {
  /** Resolves when no handler runs any more, or after `boundMs`; true when they all finished. */
  drain(boundMs: number): Promise<boolean>;
  count(): number;
}

export function trackInFlight(app: App): InFlight {
  let running = 0;
  let idle: (() => void)[] = [];
  app.use(async ({ next }) => {
    running += 1;
    try {
      await next();
    } finally {
      running -= 1;
      if (running === 0) {
        for (const resolve of idle) resolve();
        idle = [];
      }
    }
  });
  return {
    count: () => running,
    drain(boundMs) {
      if (running === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), boundMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
