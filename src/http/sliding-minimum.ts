// The lowest value seen over a sliding time window, per key: what a gauge shows when every scraper (an HA pair of
// Prometheus servers scrapes each replica twice) must see the same dip, which "lowest since the previous scrape" can't
// give (each scrape would take the lows away from the other scraper).

interface Sample {
  at: number;
  value: number;
}

export interface SlidingMinimum {
  add(key: string, value: number): void;
  /** The lowest value added within the window, per key; a key with nothing that recent gives its newest value. */
  read(): Map<string, number>;
  delete(key: string): void;
}

export function createSlidingMinimum(windowMs: number, now: () => number): SlidingMinimum {
  // Per key, samples in time order with values strictly increasing (a monotonic queue): a sample followed by a lower or
  // equal one can never be the minimum again, so it is dropped. The memory stays small during a busy minute, the first
  // sample is the minimum, and the last is always the newest.
  const queues = new Map<string, Sample[]>();

  function expire(queue: Sample[]): void {
    const since = now() - windowMs;
    // The newest sample stays even when it is older than the window: while nothing is called, the last value is kept.
    while (queue.length > 1 && queue[0]!.at <= since) queue.shift();
  }

  return {
    add(key, value) {
      const queue = queues.get(key) ?? [];
      while (queue.length > 0 && queue.at(-1)!.value >= value) queue.pop();
      queue.push({ at: now(), value });
      queues.set(key, queue);
    },
    read() {
      const lowest = new Map<string, number>();
      for (const [key, queue] of queues) {
        expire(queue);
        lowest.set(key, queue[0]!.value);
      }
      return lowest;
    },
    delete: (key) => void queues.delete(key),
  };
}
