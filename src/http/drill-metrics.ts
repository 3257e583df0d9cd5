// Drill figures for Prometheus, read from the drills' history in Redis at scrape time: every replica reports the
// same values, and a restarted pod doesn't forget the last success (an alert on "no success in 8 days" needs that).
import { Gauge, type Registry } from 'prom-client';

export interface DrillFigures {
  drill: string;
  /** Unix seconds of the last completed run. */
  lastSuccessAt?: number | undefined;
  /** Restore time of the last completed run, seconds. */
  lastDurationSeconds?: number | undefined;
}

const SOURCE_TIMEOUT_MS = 1000;

export function registerDrillMetrics(registry: Registry): { setSource(source: () => Promise<DrillFigures[]>): void } {
  let source: (() => Promise<DrillFigures[]>) | undefined;
  let last: DrillFigures[] = [];
  let reading: Promise<DrillFigures[]> | undefined;
  // Both gauges are collected in one scrape: they share one read.
  const read = (): Promise<DrillFigures[]> => (reading ??= readOnce().finally(() => (reading = undefined)));
  const readOnce = async (): Promise<DrillFigures[]> => {
    if (!source) return [];
    const pending = source();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<DrillFigures[]>((resolve) => (timer = setTimeout(() => resolve(last), SOURCE_TIMEOUT_MS)));
    try {
      last = await Promise.race([pending, timeout]);
    } catch {
      // keep the last figures: a Redis hiccup must not fail the scrape
    } finally {
      clearTimeout(timer);
    }
    return last;
  };
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
  return {
    setSource(next) {
      source = next;
    },
  };
}
