import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { logFailedJob } from '../../../src/restore/log-failed-job.js';

function captured() {
  const lines: { level: number; msg: string; attempts?: number }[] = [];
  const logger = createLogger({ destination: { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) } });
  return { lines, logger };
}

describe('logFailedJob', () => {
  it('an attempt that will be tried again is a warning; the last one an error to alert on', () => {
    const { lines, logger } = captured();
    logFailedJob(logger, { id: 'restore-RR-1', name: 'restore', attemptsMade: 3, opts: { attempts: 10 } }, new Error('READONLY'));
    logFailedJob(logger, { id: 'restore-RR-1', name: 'restore', attemptsMade: 10, opts: { attempts: 10 } }, new Error('READONLY'));
    // A scheduler's drill run has no attempts of its own: its one failure is its last.
    logFailedJob(logger, { id: 'repeat:drill-a:1', name: 'drill', attemptsMade: 1, opts: {} }, new Error('boom'));
    logFailedJob(logger, undefined, new Error('lost'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'tracker job failed'],
      [50, 'tracker job failed for good'],
      [50, 'tracker job failed for good'],
      [40, 'tracker job failed'],
    ]);
    expect(lines[1]?.attempts).toBe(10);
  });
});
