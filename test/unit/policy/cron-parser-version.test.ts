// The policy checks drill schedules with cron-parser so that what it accepts is what BullMQ's job schedulers will run.
// That holds only while both load the same copy: a version bump of one without the other nests a second copy.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('cron-parser', () => {
  it('is the very copy BullMQ loads', () => {
    const ours = require.resolve('cron-parser');
    const bullmqDir = dirname(require.resolve('bullmq/package.json'));
    const bullmqs = require.resolve('cron-parser', { paths: [bullmqDir] });
    expect(bullmqs).toBe(ours);
  });

  it('is pinned in package.json to the version BullMQ depends on', () => {
    const pkg = require('../../../package.json') as { dependencies: Record<string, string> };
    const bullmq = require('bullmq/package.json') as { dependencies: Record<string, string> };
    expect(pkg.dependencies['cron-parser']).toBe(bullmq.dependencies['cron-parser']);
  });
});
