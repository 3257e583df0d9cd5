// A drill as the restore side needs it: the policy's `drills:` entry with its clusters resolved (DESIGN.md §2, §6).
import type { ClusterRef } from './types.js';

export interface DrillDefinition {
  name: string;
  source: ClusterRef;
  /** A scratch cluster of the policy: a drill may replace its data without an approval. */
  target: ClusterRef;
  /** Cron, 5 fields, in `timeZone`. */
  schedule: string;
  timeZone: string;
  /** Where the drill's card and thread go. */
  channel: string;
  /** A collection-level drill of these namespaces (CREATE_NEW). */
  only?: string[] | undefined;
}

/** One run, kept to compare a drill with its previous runs and to show how its last run went. */
export interface DrillRun {
  /** Absent for a run that never made its request (`not_started`). */
  requestId?: string | undefined;
  /**
   * The request's final state (completed, failed, …), or what the run was instead: `not_started` (no request was
   * made: the target was busy, no snapshot, Atlas down), `unconfirmed` (the POST's answer was lost and no job
   * turned up: Atlas may be restoring all the same) or `dry_run` (DRY_RUN was on: nothing was sent to Atlas), or
   * `in_progress` until the run's request ends (its end replaces that line). Only `completed` is a success.
   */
  state: string;
  /** When the run made its request (ISO): what an `in_progress` run says it runs since. */
  startedAt?: string | undefined;
  /** Why it restored nothing, for `not_started` and `unconfirmed` (app-written mrkdwn). */
  reason?: string | undefined;
  /** When the restore was sent to Atlas (the POST, ISO). */
  submittedAt?: string | undefined;
  finishedAt?: string | undefined;
  /** The POST → completed. */
  restoreMs?: number | undefined;
  /** How old the restored snapshot was when the restore was sent: the data a real restore would have lost. */
  snapshotAgeMs?: number | undefined;
}
