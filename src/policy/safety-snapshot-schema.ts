// `safetySnapshot` (DESIGN §2, §6): take an on-demand snapshot of a dedicated target after the last approval and
// before the restore. Allowed at top, project and cluster level; overridden field by field, like `approval`.
import { z } from 'zod';

export const SAFETY_SNAPSHOT_MODES = ['required', 'offered', 'off'] as const;
export type SafetySnapshotMode = (typeof SAFETY_SNAPSHOT_MODES)[number];

/** Off unless the policy asks; two days is long enough to notice a bad restore and short enough to cost little. */
export const DEFAULT_SAFETY_SNAPSHOT = { mode: 'off', retentionInDays: 2 } as const satisfies { mode: SafetySnapshotMode; retentionInDays: number };

const mode = z.enum(SAFETY_SNAPSHOT_MODES, { error: 'expected one of required|offered|off' });
const retentionInDays = z
  .number({ error: 'retentionInDays must be a whole number of days' })
  .int({ error: 'retentionInDays must be a whole number of days' })
  .min(1, { error: 'retentionInDays must be at least 1' });

/** Every field optional: project and cluster overrides. */
export const safetySnapshotOverrideSchema = z.strictObject({
  mode: mode.optional(),
  retentionInDays: retentionInDays.optional(),
});

/** The top level, with defaults. */
export const safetySnapshotSchema = z.strictObject({
  mode: mode.default(DEFAULT_SAFETY_SNAPSHOT.mode),
  retentionInDays: retentionInDays.default(DEFAULT_SAFETY_SNAPSHOT.retentionInDays),
});

export type SafetySnapshotRules = z.output<typeof safetySnapshotSchema>;
