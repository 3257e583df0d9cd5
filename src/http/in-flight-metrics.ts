// Requests in flight for Prometheus, read from Redis at scrape time (every replica reports the same: aggregate with
// max). A stuck restore shows as an age that only grows; a tracker that stopped taking work, as requests that stay
// approved. Poll lag can't show either: it is recorded only when a poll runs.
import { Gauge, type Registry } from 'prom-client';
import type { RequestState } from '../restore/types.js';
import { readAtScrape } from './read-at-scrape.js';

export interface InFlightRequest {
  state: RequestState;
  /** ISO time the request entered its state's phase: for a running restore, when it was sent to Atlas. */
  since?: string | undefined;
}

export const IN_FLIGHT_STATES = ['pending_approval', 'approved', 'submitting', 'running'] as const;
const SOURCE_TIMEOUT_MS = 1000;

export function registerInFlightMetrics(registry: Registry, now: () => number): { setSource(source: () => Promise<InFlightRequest[]>): void } {
  let source: (() => Promise<InFlightRequest[]>) | undefined;
  const read = readAtScrape(() => source, SOURCE_TIMEOUT_MS);
  new Gauge({
    name: 'atlas_restore_requests_in_flight',
    help: 'Restore requests not final yet, by state (read at scrape time; the last values stay while Redis fails).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const requests = await read();
      if (!requests) return;
      for (const state of IN_FLIGHT_STATES) this.set({ state }, requests.filter((r) => r.state === state).length);
    },
  });
  new Gauge({
    name: 'atlas_restore_oldest_running_restore_seconds',
    help: 'How long the oldest restore still running in Atlas has been running (0 when none runs).',
    registers: [registry],
    async collect() {
      const requests = await read();
      if (!requests) return;
      const starts = requests.filter((r) => r.state === 'running' && r.since).map((r) => Date.parse(r.since!)).filter(Number.isFinite);
      this.set(starts.length === 0 ? 0 : Math.max(0, (now() - Math.min(...starts)) / 1000));
    },
  });
  return {
    setSource(next) {
      source = next;
    },
  };
}
