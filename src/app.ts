// The composition root as a function: config → Redis → Atlas client → store → Slack app → tracker.
// main.ts runs it for real; the integration tests and the demo run it against fakes.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAtlasClient, type AtlasClientOptions } from './atlas/client.js';
import type { Config } from './config.js';
import { createHealthRoutes, createReadiness, type ReadinessTracker } from './http/health-routes.js';
import { atlasEndpointLabel, createMetrics, type Metrics } from './http/metrics.js';
import { instrumentNotifier, markRefused, observeSlackRequests } from './http/instrument.js';
import type { Policy } from './policy/policy-schema.js';
import { createMembershipResolver } from './policy/resolve-usergroups.js';
import { listClusters } from './policy/policy.js';
import { watchPolicy } from './policy/watch-policy.js';
import { createRestoreStore } from './restore/store.js';
import { reconcileSubmitting } from './restore/submit-restore.js';
import { createRestoreTracker, type TrackerOptions } from './restore/tracker.js';
import type { RestoreRequest } from './restore/types.js';
import { createSlackApp, type SlackAppAddress, type SlackCustomRoute } from './slack/create-app.js';
import { registerHandlers } from './slack/register-handlers.js';
import { tellUserAboutErrors } from './slack/tell-user-about-error.js';
import type { Services } from './slack/services.js';
import { createSlackMessenger } from './slack/slack-messenger.js';
import { createSlackNotifier } from './slack/slack-notifier.js';
import { announceSubmitOutcome, submitApproved, submitDepsOf } from './slack/approve-request.js';

/** A request still `submitting` (or `approved`) this long after its last step has lost its replica: settle it. */
const STUCK_AFTER_MS = 2 * 60_000;

export interface AppOverrides {
  /** Tests shrink BullMQ and poll timings. */
  tracker?: Partial<Pick<TrackerOptions, 'minDelayMs' | 'maxDelayMs' | 'worker' | 'random' | 'closeTimeoutMs' | 'statusUnknownAfterMinutes' | 'reconcileEveryMs' | 'notifyLeaseSeconds'>>;
  atlas?: Partial<Pick<AtlasClientOptions, 'retryPolicy' | 'timeoutMs'>>;
  reconcileDelayMs?: number;
  /** A request left `submitting` or `approved` this long is taken to have lost its replica (default 2 min). */
  stuckAfterMs?: number;
  customRoutes?: SlackCustomRoute[];
  now?: () => Date;
  /** Reload the policy from this file when it changes (main.ts passes RESTORE_POLICY_FILE). */
  watchPolicyFile?: string;
  policyWatchIntervalMs?: number;
}

export interface RunningApp {
  services: Services;
  address(): SlackAppAddress | undefined;
  start(): Promise<SlackAppAddress | undefined>;
  /** Graceful: stop taking work, let in-flight work finish (bounded), close connections. */
  stop(): Promise<void>;
  redis: Redis;
  metrics: Metrics;
  readiness: ReadinessTracker;
  /** Re-reads the policy file now (SIGHUP); a no-op without watchPolicyFile. */
  reloadPolicy(): Promise<void>;
}

export function buildApp(config: Readonly<Config>, policy: Policy, logger: Logger, overrides: AppOverrides = {}): RunningApp {
  const now = overrides.now ?? (() => new Date());
  // Fail fast while Redis is down (no offline queue): the user gets "try again" instead of a hang.
  const redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const auditLog = logger.child({ component: 'audit' });
  const store = createRestoreStore({
    redis,
    prefix: config.redisKeyPrefix,
    // Every decision, one structured line, besides the Redis stream.
    onAudit: (event, streamId) => {
      auditLog.info({ audit: { ...event, streamId } }, `audit: ${event.type}`);
      if (event.type === 'refused') markRefused();
    },
  });
  const metrics = createMetrics();
  const readiness = createReadiness({ pingRedis: () => store.ping() });
  metrics.setPendingApprovalsSource(async () => (await store.listActive()).filter((r) => r.state === 'pending_approval').length);
  const atlas = createAtlasClient({
    baseUrl: config.atlas.baseUrl,
    auth: config.atlas.auth,
    logger,
    onResponse: ({ method, path, status, rateLimit }) => metrics.atlasAnswer({ endpoint: atlasEndpointLabel(method, path), status, rateLimit }),
    ...overrides.atlas,
  });
  const slack = createSlackApp({
    botToken: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    appToken: config.slack.appToken,
    socketMode: config.slack.socketMode,
    slackApiUrl: config.slack.apiUrl,
    port: config.port,
    logger,
    customRoutes: [...createHealthRoutes({ metrics, isReady: () => readiness.isReady() }), ...(overrides.customRoutes ?? [])],
  });
  observeSlackRequests(slack.app, metrics);
  const client = slack.app.client;
  const messenger = createSlackMessenger(client, logger, now);
  const resolver = createMembershipResolver(async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? []);

  const tracker = createRestoreTracker({
    connection: redis,
    prefix: `${config.redisKeyPrefix}bull`,
    store,
    atlas,
    notifier: instrumentNotifier(createSlackNotifier(messenger, now), metrics),
    onPollLag: (seconds) => metrics.pollLag.observe(seconds),
    logger,
    pollIntervalSeconds: config.pollIntervalSeconds,
    longRunningAfterMinutes: config.longRunningWarningMinutes,
    targetLockTtlSeconds: 6 * 3600,
    onStuckSubmitting: (req) => settleStuckSubmitting(req),
    onStuckApproved: (req) => settleStuckApproved(req),
    ...overrides.tracker,
  });

  const services: Services = {
    policy,
    resolver,
    store,
    atlas,
    tracker,
    messenger,
    redis,
    prefix: config.redisKeyPrefix,
    logger,
    dryRun: config.dryRun,
    now,
    metrics,
    ...(overrides.reconcileDelayMs !== undefined ? { reconcileDelayMs: overrides.reconcileDelayMs } : {}),
  };
  registerHandlers(slack.app, services);

  // Handlers read services.policy on every request: swapping it applies a new policy to the next click.
  const policyWatcher = overrides.watchPolicyFile
    ? watchPolicy({
        path: overrides.watchPolicyFile,
        intervalMs: overrides.policyWatchIntervalMs,
        onChange: (next) => {
          services.policy = next;
          logger.info({ file: overrides.watchPolicyFile, clusters: listClusters(next).length }, 'policy reloaded');
        },
        onError: (err) => logger.error({ err: err instanceof Error ? err.message : String(err), file: overrides.watchPolicyFile }, 'policy not reloaded: the file is invalid; the previous policy stays in force'),
      })
    : undefined;
  tellUserAboutErrors(slack.app, messenger, logger);

  /** Requests a crashed replica left half-done; reconcile() hands them over at start-up and every few minutes. */
  const isStuck = (since: string | undefined) => now().getTime() - Date.parse(since ?? '') >= (overrides.stuckAfterMs ?? STUCK_AFTER_MS);

  /** A crash between `submitting` and the POST's answer: adopt the Atlas job or fail the request, never post again. */
  async function settleStuckSubmitting(req: RestoreRequest): Promise<void> {
    // Younger than that, another replica may still be waiting for Atlas's answer: a later run looks again.
    if (!isStuck(req.submittingAt ?? req.updatedAt)) return;
    const outcome = await reconcileSubmitting(submitDepsOf(services, req.dryRun), req);
    logger.info({ requestId: req.id, outcome: outcome.kind }, 'reconciled a request left in submitting');
    await announceSubmitOutcome(services, outcome);
  }

  /** Approved, but its approver's replica died before recording the intent: nothing was sent, so submit it now. */
  async function settleStuckApproved(req: RestoreRequest): Promise<void> {
    if (!isStuck(req.updatedAt)) return;
    logger.info({ requestId: req.id }, 'submitting a request left approved');
    await submitApproved(services, req);
  }

  let started = false;
  let stopping: Promise<void> | undefined;
  return {
    services,
    redis,
    metrics,
    readiness,
    reloadPolicy: () => policyWatcher?.reload() ?? Promise.resolve(),
    address: () => slack.address(),
    async start() {
      await redis.connect();
      await tracker.start();
      const address = await slack.start();
      started = true;
      readiness.markInitialised();
      // After a restart: resume polls, expire overdue approvals, settle interrupted submissions.
      void tracker.reconcile().catch((err: unknown) => logger.error({ err }, 'start-up reconciliation failed'));
      return address;
    },
    stop() {
      // Idempotent: a second SIGTERM, or a test and its harness, may both ask.
      stopping ??= (async () => {
        readiness.markShuttingDown();
        policyWatcher?.close();
        if (started) await slack.stop().catch((err: unknown) => logger.warn({ err }, 'slack app stop failed'));
        await tracker.close();
        redis.disconnect();
      })();
      return stopping;
    },
  };
}
