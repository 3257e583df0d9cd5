// What the Slack side shows about a drill of the policy (DESIGN.md §6, "Drills"): its definition and how its last run
// went. The drill scheduler fills these in; until it exists the app lists none (Services.listDrills answers []).

export interface DrillSummary {
  name: string;
  /** `project/cluster`, as written in the policy. */
  source: string;
  /** `project/cluster` of the scratch target. */
  target: string;
  /** Cron, 5 fields. */
  schedule: string;
  /** IANA zone of the schedule. */
  timeZone: string;
  /** Where the drill's card and thread go. */
  channel: string;
  /** ISO 8601, when known. */
  nextRunAt?: string;
  /** A run of it that waits (Atlas down) before making its request. */
  waiting?: DrillRunWaiting;
  lastRun?: {
    /** Absent when the run made no request (`not_started`). */
    requestId?: string;
    /** The request's state (completed, failed, …), or `not_started` / `unconfirmed` / `dry_run` / `in_progress` (see DrillRun). */
    state: string;
    /** When an `in_progress` run made its request. */
    startedAt?: string;
    /** Why it restored nothing (`not_started`, `unconfirmed`). */
    reason?: string;
    finishedAt?: string;
    /** Submit → completed. */
    restoreMs?: number;
    /** Age of the snapshot when the restore was submitted. */
    snapshotAgeMs?: number;
  };
}

/** A run that waits before making its request: a second one now would wait for the same and say so twice. */
export interface DrillRunWaiting {
  trigger: 'schedule' | 'command';
  /** App-written mrkdwn: what it waits for. */
  why: string;
  /** ISO: when it tries again. */
  nextTryAt: string;
  /** ISO: when it gives up and says it did not run. */
  until: string;
}
