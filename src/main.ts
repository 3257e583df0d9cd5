// Entry point: `node dist/main.js` runs the bot; `node dist/main.js --check` validates configuration and policy and exits;
// `--check --online` also asks Redis, Slack and Atlas whether the server, token, scopes, credentials and clusters work.
// `node dist/main.js audit [--since …] [--format ndjson|csv]` prints the audit stream (src/audit/), reading only Redis.
// Before the bot starts, Redis is checked the same way (src/redis/inspect-redis.ts): a FAIL refuses the start, but an
// unreachable Redis is waited for first (up to REDIS_START_WAIT_MS), so a pod started while Redis moves does not crash-loop.
// A bad configuration or policy exits 1 with the full list of problems of both (src/read-settings.ts) before anything
// connects. Any other argument prints the usage (src/parse-command-line.ts): `--help` on stdout with exit 0, anything
// unknown on stderr with exit 2.
import { constants } from 'node:os';
import { webApi } from '@slack/bolt';
import { buildApp, type RunningApp } from './app.js';
import { runAuditCommand } from './audit/audit-command.js';
import { createAtlasClient } from './atlas/client.js';
import { runPreflight } from './preflight.js';
import type { Config } from './config.js';
import { createLogger, scrubSecrets, type Logger } from './logger.js';
import { parseCommandLine, USAGE } from './parse-command-line.js';
import { listClusters } from './policy/policy.js';
import { inspectRedis, type RedisInspection } from './redis/inspect-redis.js';
import { describeRedis } from './redis/redis-client.js';
import { readSettings } from './read-settings.js';
import { formatCheck } from './redis/server-checks.js';

/** Kubernetes' default grace period is 30 s: finish well within it. */
const SHUTDOWN_BOUND_MS = 20_000;
/**
 * How long the bot's start waits for a Redis that can't be reached (a Redis pod being moved, a failover): well inside
 * the startup probe's 60 s (manifests/base/deployment.yaml), since the port opens only after Redis. Exiting at once
 * would crash-loop the pod, and the kubelet's back-off would keep it down after Redis is back.
 */
const REDIS_START_WAIT_MS = 40_000;

function secretsOf(config: Readonly<Config>): string[] {
  const auth = config.atlas.auth;
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    auth.kind === 'digest' ? auth.privateKey : auth.clientSecret,
    config.redis.topology.kind === 'sentinel' ? config.redis.topology.sentinelPassword : undefined,
    decodeURIComponent(new URL(config.redisUrl).password) || undefined,
  ].filter((s): s is string => typeof s === 'string');
}

/**
 * What SIGTERM and SIGINT do. In a container node is PID 1, and the kernel drops a signal PID 1 has no handler for, so
 * there is one from the first moment: until the bot has something to finish, a signal ends the process at once
 * (`audit`, `--check`, reading the settings); the bot then replaces it with its graceful shutdown.
 */
let onStopSignal = (signal: NodeJS.Signals): void => process.exit(128 + constants.signals[signal]);
process.on('SIGTERM', () => onStopSignal('SIGTERM'));
process.on('SIGINT', () => onStopSignal('SIGINT'));

/**
 * An error nothing caught ends the process, as Node would end it, but reported by us: Node prints the whole error
 * object, and an ioredis error holds a refused login's password. Until the bot's logger exists, its stack on stderr.
 */
const reportToStderr = (err: unknown, secrets: readonly string[] = []): void =>
  void process.stderr.write(`atlas-restore: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err), secrets)}\n`);
let reportUncaught = (err: unknown): void => reportToStderr(err);
process.on('uncaughtException', (err) => {
  reportUncaught(err);
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  reportUncaught(err);
  process.exit(1);
});

/**
 * Only "can't reach it" heals by waiting: refused (a Service without endpoints), no answer, or closed at once (a proxy or
 * load balancer in front of a Redis that is gone). A refused password or certificate, or a failed check, doesn't.
 */
const unreachableOnly = (redis: RedisInspection) =>
  !redis.ok && redis.checks.length === 1 && /^cannot connect to .*: (not reachable \(|no answer within |Connection is closed|.*ECONNRESET)/.test(redis.checks[0]!.text);

/** inspectRedis, again with a growing pause while Redis can't be reached, up to REDIS_START_WAIT_MS. A SIGTERM meanwhile exits. */
async function inspectRedisAtStart(config: Config, logger: Logger): Promise<RedisInspection> {
  const deadline = Date.now() + REDIS_START_WAIT_MS;
  for (let pauseMs = 1000; ; pauseMs = Math.min(pauseMs * 2, 8000)) {
    const redis = await inspectRedis(config);
    if (!unreachableOnly(redis) || Date.now() + pauseMs >= deadline) return redis;
    logger.warn({ redisCheck: redis.checks[0]!.text, retryInSeconds: pauseMs / 1000 }, 'Redis is not reachable yet: waiting for it before starting');
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === 'invalid') {
    process.stderr.write(`atlas-restore: ${command.message}\n\n${USAGE}\n`);
    return 2;
  }
  // Before the full configuration is read: an auditor's job has Redis settings only, no Slack or Atlas secrets.
  if (command.kind === 'audit') return runAuditCommand(command.args, { stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => new Date() });
  const settings = await readSettings(process.env);
  if (!settings.ok) {
    for (const error of settings.errors) process.stderr.write(`atlas-restore: ${error}\n`);
    return 1;
  }
  const { config, policy, policyVersion } = settings;
  // From here the secrets are known: `--check --online` (which has no logger) scrubs them from an uncaught error too.
  reportUncaught = (err) => reportToStderr(err, secretsOf(config));
  if (command.kind === 'check') {
    const clusters = listClusters(policy).length;
    process.stdout.write(
      `atlas-restore: configuration OK (${config.slack.socketMode ? 'Socket Mode' : `HTTP on port ${config.port}`}, Atlas ${config.atlas.auth.kind === 'digest' ? 'API key' : 'service account'}${config.dryRun ? ', DRY RUN' : ''}); policy OK (${policy.projects.length} project(s), ${clusters} cluster(s))\n`,
    );
    if (!command.online) return 0;
    const atlas = createAtlasClient({ baseUrl: config.atlas.baseUrl, auth: config.atlas.auth });
    const slack = new webApi.WebClient(config.slack.botToken, { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 1 } });
    const redis = await inspectRedis(config);
    const result = await runPreflight({ policy, atlas, slack, redisChecks: redis.checks, slackAppToken: config.slack.socketMode ? config.slack.appToken : undefined });
    process.stdout.write(`${result.lines.join('\n')}\n`);
    // A warning (continuous backup off, a safety snapshot the form can't offer) doesn't stop a deploy, but is worth a look.
    const warned = result.lines.some((line) => line.startsWith('warn'));
    process.stdout.write(
      result.ok ? `atlas-restore: Redis, Slack and Atlas are ready${warned ? ' (read the warn lines above)' : ''}\n` : 'atlas-restore: fix the FAIL lines above before deploying\n',
    );
    return result.ok ? 0 : 1;
  }

  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  reportUncaught = (err) => logger.fatal({ err }, 'uncaught error: exiting');
  // The graceful shutdown takes over the signals before the Redis checks (up to 10 s): a SIGTERM meanwhile ends the
  // start-up instead of being ignored until the grace period's SIGKILL, in the middle of the bot's work.
  let app: RunningApp | undefined = undefined; // assigned once Redis passed its checks
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (!app) {
      logger.info({ signal }, 'stopping during start-up: nothing to finish');
      process.exit(0);
    }
    logger.info({ signal }, 'shutting down: readiness off, finishing in-flight work');
    const bound = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    bound.unref();
    app
      .stop()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  onStopSignal = shutdown;
  // Before the app exists the policy in hand is the file's: nothing to reload.
  process.on('SIGHUP', () => void app?.reloadPolicy());

  const redis = await inspectRedisAtStart(config, logger);
  for (const check of redis.checks) {
    if (check.level === 'warn') logger.warn({ redisCheck: check.text }, formatCheck(check));
  }
  if (!redis.ok) {
    const failures = redis.checks.filter((c) => c.level === 'FAIL').map(formatCheck);
    logger.fatal({ redisChecks: failures }, 'not starting: Redis is not ready for the bot');
    process.stderr.write(`atlas-restore: not starting, Redis is not ready for the bot:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    return 1;
  }
  app = buildApp({ ...config, redisKeyPrefix: redis.prefix }, policy, logger, { watchPolicyFile: config.policyFile, policyFileVersion: policyVersion });

  try {
    const address = await app.start();
    logger.info(
      { port: address?.port, socketMode: config.slack.socketMode, dryRun: config.dryRun, clusters: listClusters(policy).length, redis: describeRedis(config.redis), keyPrefix: redis.prefix },
      'atlas-restore started',
    );
  } catch (err) {
    // A signal during start() stops the app under it, and start() then fails: the shutdown says how the process ends.
    if (stopping) return -1;
    logger.fatal({ err }, 'could not start');
    await app.stop().catch(() => undefined);
    return 1;
  }
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`atlas-restore: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
