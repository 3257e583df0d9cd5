// Drill figures for Prometheus, read from the drills' records in Redis at scrape time: every replica reports the
// same values, and a restarted pod doesn't forget the last success (an alert on "no success in 8 days" needs that).
// A drill that never succeeded has no last success to report; its first schedule is where its 8 days start.
import { Gauge, type Registry } from 'prom-client';
import type { DrillStanding } from '../restore/drill-history.js';
import { readAtScrape } from './read-at-scrape.js';

export interface DrillFigures {
  drill: string;
  /** Unix seconds of the last completed run. */
  lastSuccessAt?: number | undefined;
  /** Restore time of the last completed run, seconds. */
  lastDurationSeconds?: number | undefined;
  /** Unix seconds of when the bot first scheduled the drill. */
  firstScheduledAt?: number | undefined;
}

const SOURCE_TIMEOUT_MS = 1000;

export function drillFiguresOf(drill: string, { lastSuccess, firstScheduledAt }: DrillStanding): DrillFigures {
  return {
    drill,
    lastSuccessAt: unixSeconds(lastSuccess?.finishedAt),
    lastDurationSeconds: lastSuccess?.restoreMs !== undefined ? lastSuccess.restoreMs / 1000 : undefined,
    firstScheduledAt: unixSeconds(firstScheduledAt),
  };
}

function unixSeconds(iso: string | undefined): number | undefined {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

export function registerDrillMetrics(registry: Registry): { setSource(source: () => Promise<DrillFigures[]>): void } {
  let source: (() => Promise<DrillFigures[]>) | undefined;
  let last: DrillFigures[] = [];
  const fresh = readAtScrape(() => source, SOURCE_TIMEOUT_MS);
  // A Redis hiccup keeps the last figures (the gauges are reset and set again from them).
  const read = async (): Promise<DrillFigures[]> => (last = (await fresh()) ?? last);
  new Gauge({
    name: 'atlas_restore_drill_last_success_timestamp_seconds',
    help: 'When each restore drill last completed (Unix seconds).',
    labelNames: ['drill'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of await read()) if (f.lastSuccessAt !== undefined) this.set({ drill: f.drill }, f.lastSuccessAt);
    },
  });
  new Gauge({
    name: 'atlas_restore_drill_duration_seconds',
    help: 'Restore time (submitted to completed) of the last completed run of each drill.',
    labelNames: ['drill'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of await read()) if (f.lastDurationSeconds !== undefined) this.set({ drill: f.drill }, f.lastDurationSeconds);
    },
  });
  new Gauge({
    name: 'atlas_restore_drill_first_scheduled_timestamp_seconds',
    help: 'When the bot first scheduled each drill of the policy (Unix seconds), whether or not it ever succeeded.',
    labelNames: ['drill'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of await read()) if (f.firstScheduledAt !== undefined) this.set({ drill: f.drill }, f.firstScheduledAt);
    },
  });
  return {
    setSource(next) {
      source = next;
    },
  };
}
