// Metrics taken at the seams (Bolt middleware, the ends of requests), so handlers and the tracker stay unaware.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { App } from '@slack/bolt';
import { restoreStartedAt } from '../restore/restore-started-at.js';
import type { RestoreRequest } from '../restore/types.js';
import { FINISHED_STATES, type FinishedRestoreState, type Metrics, type SlackRequestKind } from './metrics.js';

function kindOf(body: { type?: unknown; command?: unknown }): SlackRequestKind {
  if (typeof body.command === 'string') return 'command';
  if (body.type === 'view_submission') return 'view_submission';
  if (body.type === 'block_actions') return (body as { view?: unknown }).view ? 'view_action' : 'action';
  return 'other';
}

/** Per Slack request: whether it ended in a refusal (set from the audit trail, see markRefused). */
const requestOutcome = new AsyncLocalStorage<{ refused: boolean }>();

/** Called for every `refused` audit event: the Slack request being handled, if any, counts as refused. */
export function markRefused(): void {
  const current = requestOutcome.getStore();
  if (current) current.refused = true;
}

/** Counts every Slack request by kind and outcome: ok, refused (the policy or a guardrail said no) or error. */
export function observeSlackRequests(app: App, metrics: Metrics): void {
  app.use(async ({ body, next }) => {
    const kind = kindOf(body as { type?: unknown; command?: unknown });
    const outcome = { refused: false };
    try {
      await requestOutcome.run(outcome, next);
      metrics.slackRequests.inc({ kind, outcome: outcome.refused ? 'refused' : 'ok' });
    } catch (err) {
      metrics.slackRequests.inc({ kind, outcome: 'error' });
      throw err;
    }
  });
}

/**
 * Once per request that ended: the tracker calls it when it records an end (not when it tells Slack, which may be
 * tried again for a day), the Slack side when a person rejects or withdraws a request.
 */
export function recordFinished(metrics: Metrics | undefined, req: RestoreRequest): void {
  if (!metrics) return;
  const state = (FINISHED_STATES as readonly string[]).includes(req.state) ? (req.state as FinishedRestoreState) : undefined;
  // A dry run that completed restored nothing: counted as completed, it would pass for a success.
  if (!state || (req.dryRun && state === 'completed')) return;
  metrics.restoresFinished.inc({ state });
  // Only a restore job Atlas has has a restore duration: not a request that was refused, never sent or never confirmed.
  const start = req.atlasJobId ? restoreStartedAt(req) : undefined;
  const type = req.target.type ?? req.target.detectedType;
  if (start && req.finishedAt && type) {
    metrics.restoreDuration.observe({ cluster_type: type, state }, Math.max(0, Date.parse(req.finishedAt) - Date.parse(start)) / 1000);
  }
}
