// The composition root as a function: config → Redis → Atlas client → store → Slack app → tracker.
// main.ts runs it for real; the integration tests and the demo run it against fakes.
import type { ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { createAtlasClient, type AtlasClientOptions } from './atlas/client.js';
import type { Config } from './config.js';
import { createHealthRoutes, createReadiness, type ReadinessTracker } from './http/health-routes.js';
import { drillFiguresOf } from './http/drill-metrics.js';
import { atlasEndpointLabel, createMetrics, type Metrics } from './http/metrics.js';
import { markRefused, recordFinished, observeSlackRequests } from './http/instrument.js';
import type { Policy } from './policy/policy-schema.js';
import { createRedisClient, explainRedisError, type RedisClient } from './redis/redis-client.js';
import { createMembershipResolver } from './policy/resolve-usergroups.js';
import { listClusters } from './policy/policy.js';
import { drillsOf } from './policy/resolve-drills.js';
import { createDrillSync } from './restore/create-drill-sync.js';
import { restoreStartedAt } from './restore/restore-started-at.js';
import type { RestoreRequest } from './restore/types.js';
import { listDrillSummaries } from './restore/list-drill-summaries.js';
import { watchPolicy, type PolicyFileVersion } from './policy/watch-policy.js';
import { createRestoreStore } from './restore/store.js';
import { tellStateLoss } from './slack/tell-state-loss.js';
import { createSubmissionGate } from './restore/recheck-request.js';
import { createRestoreTracker, type TrackerOptions } from './restore/tracker.js';
import { DEFAULT_TARGET_LOCK_TTL_SECONDS } from './restore/tracker-types.js';
import { createSlackApp, type SlackAppAddress, type SlackCustomRoute } from './slack/create-app.js';
import { registerHandlers } from './slack/register-handlers.js';
import { tellUserAboutErrors } from './slack/tell-user-about-error.js';
import type { Services } from './slack/services.js';
import { createSlackMessenger } from './slack/slack-messenger.js';
import { createSlackNotifier } from './slack/slack-notifier.js';
import { createUserChannels } from './slack/user-channels.js';
import { createHomeRefresher, peopleConcerned, type HomeRefresherOptions } from './slack/home-refresher.js';
import { publishHome } from './slack/home-state.js';
import { trackInFlight } from './slack/track-in-flight.js';

/**
 * Shutdown within main.ts's 20 s bound: the handlers' drain (8 s) runs alongside the tracker's in-progress polls
 * (closeTimeoutMs, 10 s), then App Home publishes (3 s) and the connections close: at most about 13 s plus what the
 * HTTP server needs to send the responses in flight.
 */
const DRAIN_BOUND_MS = 8_000;
/** How long shutdown waits for App Home publishes in progress (best effort: the next app_home_opened publishes anyway). */
const HOME_CLOSE_BOUND_MS = 3_000;

export interface AppOverrides {
  /** Tests shrink BullMQ and poll timings. */
  tracker?: Partial<
    Pick<
      TrackerOptions,
      'minDelayMs' | 'maxDelayMs' | 'worker' | 'random' | 'closeTimeoutMs' | 'statusUnknownAfterMinutes' | 'reconcileEveryMs' | 'notifyLeaseSeconds' | 'notFoundGraceMs' | 'findWindowMs' | 'lateAdoptWindowMs' | 'windowRecheckMs' | 'drillRepeat' | 'drillStartWindowMs' | 'settleRetry'
    >
  >;
  atlas?: Partial<Pick<AtlasClientOptions, 'retryPolicy' | 'timeoutMs'>>;
  /** How long stop() waits for Slack handlers already acked (default 8 s). */
  drainTimeoutMs?: number;
  /** How long user-group members are trusted (default 60 s). */
  membershipTtlMs?: number;
  customRoutes?: SlackCustomRoute[];
  now?: () => Date;
  /** Reload the policy from this file when it changes (main.ts passes RESTORE_POLICY_FILE). */
  watchPolicyFile?: string;
  /** The file's version when `policy` was read from it: a change after that read is applied (default: as it is now). */
  policyFileVersion?: PolicyFileVersion;
  policyWatchIntervalMs?: number;
  /** First wait before a failed drill-schedule sync is tried again (default 5 s, doubling up to 5 min). */
  drillSyncRetryMs?: number;
  /** App Home refresh after a change (default: 1.5 s debounce, 25 homes per change). */
  homeRefresh?: Pick<HomeRefresherOptions, 'debounceMs' | 'maxPerChange'>;
}

export interface RunningApp {
  services: Services;
  address(): SlackAppAddress | undefined;
  start(): Promise<SlackAppAddress | undefined>;
  /** Graceful: stop taking work, let in-flight work finish (bounded), close connections. */
  stop(): Promise<void>;
  redis: RedisClient;
  metrics: Metrics;
  readiness: ReadinessTracker;
  /** Re-reads the policy file now (SIGHUP); a no-op without watchPolicyFile. */
  reloadPolicy(): Promise<void>;
  /** Hands one payload to the Bolt app as a receiver would, with the receiver's ack (tests of what a receiver does). */
  processEvent(event: ReceiverEvent): Promise<void>;
}

export function buildApp(config: Readonly<Config>, policy: Policy, logger: Logger, overrides: AppOverrides = {}): RunningApp {
  const now = overrides.now ?? (() => new Date());
  // Fail fast while Redis is down (no offline queue, bounded command time): the user gets "try again" instead of a
  // hang, with one server, Sentinel or Cluster alike. The tracker's worker gets its own connection that never gives up.
  const redis = createRedisClient(config.redis, 'commands');
  redis.on('error', (err: unknown) => logger.warn({ err: explainRedisError(err) }, 'redis connection error'));
  const auditLog = logger.child({ component: 'audit' });
  const store = createRestoreStore({
    redis,
    prefix: config.redisKeyPrefix,
    // Every decision, one structured line, besides the Redis stream.
    onAudit: (event, streamId) => {
      auditLog.info({ audit: { ...event, streamId } }, `audit: ${event.type}`);
      if (event.type === 'refused') markRefused();
    },
    // Found by the readiness probe (no extra Redis work): said once per replica, and kept in /readyz and the metrics.
    onRedisWarning: (warning) => {
      if (warning.code !== 'REDIS_STATE_LOST') return logger.error({ code: warning.code }, warning.text);
      logger.error({ code: warning.code, lastSeen: warning.loss.lastSeen }, warning.text);
      metrics.redisStateLosses.inc();
      void tellStateLoss({ messenger, claimAs: (key, value, ttl) => store.claimAs(key, value, ttl), logger }, warning.loss);
      // The drill schedules went with the data: written again now, not at the next restart or policy change.
      drillSync.request();
    },
  });
  const metrics = createMetrics();
  metrics.setRedisEvictingSource(() => store.redisWarnings().some((w) => w.code === 'REDIS_EVICTION_POLICY'));
  // `tracker` is built below; readiness asks it only once the app has started.
  const readiness = createReadiness({
    pingRedis: () => store.ping(),
    trackerHealth: () => tracker.health(),
    // Socket Mode: the websocket to Slack (`slack` is built below; undefined in HTTP mode).
    slackHealth: () => slack.socketHealth?.() ?? { ok: true },
    onChange: ({ ready, reasons }) => (ready ? logger.info('readiness: ready again') : logger.error({ reasons }, 'readiness: not ready')),
    warnings: () => store.redisWarnings().map((w) => w.text),
  });
  // The gauges that count requests in flight are collected together: one read of them per scrape.
  let activeRead: Promise<RestoreRequest[]> | undefined;
  const active = () => (activeRead ??= store.listActive().finally(() => (activeRead = undefined)));
  metrics.setPendingApprovalsSource(async () => (await active()).filter((r) => r.state === 'pending_approval').length);
  metrics.setInFlightSource(async () => (await active()).map((r) => ({ state: r.state, since: r.state === 'running' ? restoreStartedAt(r) : undefined })));
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
  const inFlight = trackInFlight(slack.app);
  const client = slack.app.client;
  // Every card posted or refreshed is a change someone's App Home shows (`homes` is built below, used only later).
  const messenger = createSlackMessenger(client, logger, now, { cards: { redis, prefix: config.redisKeyPrefix, load: (id) => store.get(id) }, onChange: (req) => void homes.refresh(req) });
  metrics.setSlackTokenSource(() => messenger.tokenHealth());
  // Its own client: asked within a form's 3 s, it must not wait behind another call's rate limit (see lookupClient).
  const resolver = createMembershipResolver(async (usergroup) => (await slack.lookupClient.usergroups.users.list({ usergroup })).users ?? [], {
    ...(overrides.membershipTtlMs !== undefined ? { ttlMs: overrides.membershipTtlMs } : {}),
    // Counted as an empty group (nobody is let in by it): the policy names a wrong id, which its owners must hear of.
    onMissingGroup: (usergroup, slackError) => logger.error({ usergroup, slackError }, 'the restore policy names a Slack user group that does not exist: it counts as empty'),
  });

  const tracker = createRestoreTracker({
    connection: redis,
    prefix: `${config.redisKeyPrefix}bull`,
    store,
    atlas,
    notifier: createSlackNotifier(messenger, now, { drillRuns: (name, count) => tracker.drillRuns(name, count) }),
    onRequestFinished: (req) => recordFinished(metrics, req),
    onPollLag: (seconds) => metrics.pollLag.observe(seconds),
    onFinalNotificationAbandoned: () => metrics.finalNotificationsAbandoned.inc(),
    logger,
    pollIntervalSeconds: config.pollIntervalSeconds,
    longRunningAfterMinutes: config.longRunningWarningMinutes,
    targetLockTtlSeconds: DEFAULT_TARGET_LOCK_TTL_SECONDS,
    // The policy is read when a request is submitted, not when the tracker was built: a reload applies at once.
    submission: createSubmissionGate({ policy: () => services.policy, resolver, dryRun: () => config.dryRun }),
    drills: () => drillsOf(services.policy),
    ...overrides.tracker,
  });

  const homes = createHomeRefresher({
    redis,
    prefix: config.redisKeyPrefix,
    logger,
    publish: (user) => publishHome(services, client, user),
    concerned: (req) => peopleConcerned(services.policy, resolver, req),
    ...overrides.homeRefresh,
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
    channelsOf: createUserChannels(client),
    formClient: slack.lookupClient,
    drills: () => drillsOf(services.policy),
    listDrills: () => listDrillSummaries(drillsOf(services.policy), tracker),
    homes,
  };
  metrics.setDrillSource(async () =>
    Promise.all(
      services.drills().map(async ({ name }) => drillFiguresOf(name, await tracker.drillStanding(name))),
    ),
  );
  registerHandlers(slack.app, services);

  const drillSync = createDrillSync({ sync: () => tracker.syncDrills(), logger, ...(overrides.drillSyncRetryMs ? { firstDelayMs: overrides.drillSyncRetryMs } : {}) });
  // Handlers read services.policy on every request: swapping it applies a new policy to the next click.
  const policyWatcher = overrides.watchPolicyFile
    ? watchPolicy({
        path: overrides.watchPolicyFile,
        intervalMs: overrides.policyWatchIntervalMs,
        since: overrides.policyFileVersion,
        onChange: (next) => {
          services.policy = next;
          // Drill schedules follow the file: added, changed and removed drills take effect at once (or once Redis answers).
          drillSync.request();
          logger.info({ file: overrides.watchPolicyFile, clusters: listClusters(next).length }, 'policy reloaded');
        },
        onError: (err) => logger.error({ err: err instanceof Error ? err.message : String(err), file: overrides.watchPolicyFile }, 'policy not reloaded: the file is invalid; the previous policy stays in force'),
      })
    : undefined;
  tellUserAboutErrors(slack.app, messenger, logger);

  let started = false;
  // Slack's start may wait long (Socket Mode retries until Slack says hello): a stop meanwhile must end it too.
  let slackStarting = false;
  let stopping: Promise<void> | undefined;
  return {
    services,
    redis,
    metrics,
    readiness,
    reloadPolicy: () => policyWatcher?.reload() ?? Promise.resolve(),
    processEvent: (event) => slack.app.processEvent(event),
    address: () => slack.address(),
    async start() {
      await redis.connect();
      await tracker.start();
      await tracker.syncDrills();
      slackStarting = true;
      const address = await slack.start();
      started = true;
      // Stopped while Slack was connecting: nothing more is started (the stop is under way).
      if (stopping) return address;
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
        drillSync.close();
        // At once and alongside the drain below: no new poll starts here (another replica takes it), and the ones in
        // progress get their bound while the handlers get theirs, not after it. The queue stays open for the handlers.
        const workerStopped = tracker.stopWorker();
        if (started || slackStarting) await slack.stop().catch((err: unknown) => logger.warn({ err }, 'slack app stop failed'));
        // Handlers already acked go on after the ack: let them finish (bounded) before Redis goes.
        if (!(await inFlight.drain(overrides.drainTimeoutMs ?? DRAIN_BOUND_MS))) logger.warn({ handlers: inFlight.count() }, 'stopped before every Slack handler finished');
        await workerStopped;
        await tracker.close();
        // After the tracker, whose last steps may still schedule home refreshes; before Redis, which it needs.
        let bound: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([homes.close(), new Promise((resolve) => (bound = setTimeout(resolve, HOME_CLOSE_BOUND_MS)))]);
        clearTimeout(bound);
        redis.disconnect();
      })();
      return stopping;
    },
  };
}
