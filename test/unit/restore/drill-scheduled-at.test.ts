import { describe, expect, it } from 'vitest';
import { drillRunJobId, drillScheduledAt } from '../../../src/restore/drill-scheduled-at.js';

describe('drillScheduledAt', () => {
  it("reads a scheduler run's planned time from BullMQ's job id; a run on command has none", () => {
    expect(drillScheduledAt('repeat:drill-ledger-weekly:1796408650758', { trigger: 'schedule' })).toEqual({ scheduledAt: 1796408650758 });
    expect(drillScheduledAt('repeat:drill-ledger-weekly:1796408650758', { trigger: 'command' })).toEqual({});
    expect(drillScheduledAt('drill-now-ledger-weekly', { trigger: 'schedule' })).toEqual({});
    expect(drillScheduledAt(undefined, { trigger: 'schedule' })).toEqual({});
  });

  it("gives back the job id of a run: its scheduler's run from its planned time, the run on command by its name", () => {
    const scheduled = drillRunJobId({ drill: 'ledger-weekly', trigger: 'schedule', scheduledAt: 1796408650758 });
    expect(scheduled).toBe('repeat:drill-ledger-weekly:1796408650758');
    expect(drillScheduledAt(scheduled, { trigger: 'schedule' })).toEqual({ scheduledAt: 1796408650758 });
    expect(drillRunJobId({ drill: 'ledger-weekly', trigger: 'command' })).toBe('drill-now-ledger-weekly');
    expect(drillRunJobId({ drill: 'ledger-weekly', trigger: 'schedule' })).toBeUndefined();
  });
});
