// Metrics taken at the seams (Bolt middleware, the tracker's notifier), so handlers and the tracker stay unaware.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { App } from '@slack/bolt';
import type { RestoreNotifier } from '../restore/tracker.js';
import { restoreStartedAt } from '../restore/restore-started-at.js';
import type { RestoreRequest } from '../restore/types.js';
import type { Metrics, SlackRequestKind } from './metrics.js';

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

export function recordFinished(metrics: Metrics | undefined, req: RestoreRequest): void {
  if (!metrics) return;
  const state = req.state;
  if (state === 'completed' || state === 'failed' || state === 'cancelled' || state === 'expired' || state === 'rejected' || state === 'approval_expired') {
    metrics.restoresFinished.inc({ state });
  }
  const start = restoreStartedAt(req) ?? req.submittingAt;
  const type = req.target.type ?? req.target.detectedType;
  if (start && req.finishedAt && type) {
    metrics.restoreDuration.observe({ cluster_type: type }, Math.max(0, Date.parse(req.finishedAt) - Date.parse(start)) / 1000);
  }
}

export function instrumentNotifier(notifier: RestoreNotifier, metrics: Metrics): RestoreNotifier {
  return {
    ...notifier,
    async restoreFinished(req, job) {
      recordFinished(metrics, req);
      await notifier.restoreFinished(req, job);
    },
    async trackingLost(req, error) {
      recordFinished(metrics, req);
      await notifier.trackingLost(req, error);
    },
    async approvalExpired(req) {
      recordFinished(metrics, req);
      await notifier.approvalExpired(req);
    },
  };
}
