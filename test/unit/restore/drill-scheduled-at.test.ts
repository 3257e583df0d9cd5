import { describe, expect, it } from 'vitest';
import { drillScheduledAt } from '../../../src/restore/drill-scheduled-at.js';

describe('drillScheduledAt', () => {
  it("reads a scheduler run's planned time from BullMQ's job id; a run on command has none", () => {
    expect(drillScheduledAt('repeat:drill-ledger-weekly:1796408650758', { trigger: 'schedule' })).toEqual({ scheduledAt: 1796408650758 });
    expect(drillScheduledAt('repeat:drill-ledger-weekly:1796408650758', { trigger: 'command' })).toEqual({});
    expect(drillScheduledAt('drill-now-ledger-weekly', { trigger: 'schedule' })).toEqual({});
    expect(drillScheduledAt(undefined, { trigger: 'schedule' })).toEqual({});
  });
});
