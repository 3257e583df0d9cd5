// The app's configuration pointed at the fake Slack and the fake Atlas: shared by the tests, the demo and the benchmarks.
import type { AppOverrides } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { FakeAtlas } from './fake-atlas.js';
import type { FakeSlack } from './fake-slack.js';

export interface FakeWorldConfig {
  slack: FakeSlack;
  atlas: FakeAtlas;
  /** HTTP mode's signing secret; unused in Socket Mode. */
  signingSecret?: string | undefined;
  /** Socket Mode with this app-level token (the fake Slack's `socketMode.appToken`), instead of HTTP. */
  socketAppToken?: string | undefined;
  prefix: string;
  redisUrl?: string | undefined;
  /** More REDIS_* variables (TLS CA, Sentinel, Cluster), as an operator would set them. */
  redisEnv?: Record<string, string> | undefined;
  policyFile?: string | undefined;
  dryRun?: boolean | undefined;
  pollIntervalSeconds?: number | undefined;
  /** Atlas auth the app uses against the fake: an API key (Digest, default) or a service account. */
  auth?: 'digest' | 'serviceAccount' | undefined;
}

export function configForFakes(world: FakeWorldConfig): Readonly<Config> {
  return loadConfig({
    SLACK_BOT_TOKEN: world.slack.botToken,
    ...(world.socketAppToken !== undefined ? { SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: world.socketAppToken } : { SLACK_SIGNING_SECRET: world.signingSecret ?? '' }),
    SLACK_API_URL: world.slack.apiUrl,
    PORT: '0',
    ATLAS_BASE_URL: world.atlas.url,
    ...(world.auth === 'serviceAccount'
      ? { ATLAS_CLIENT_ID: world.atlas.clientId, ATLAS_CLIENT_SECRET: world.atlas.clientSecret }
      : { ATLAS_PUBLIC_KEY: world.atlas.publicKey, ATLAS_PRIVATE_KEY: world.atlas.privateKey }),
    RESTORE_POLICY_FILE: world.policyFile ?? 'inline-policy.yaml',
    POLL_INTERVAL_SECONDS: String(world.pollIntervalSeconds ?? 1),
    DRY_RUN: world.dryRun ? 'true' : 'false',
    REDIS_URL: world.redisUrl ?? process.env.REDIS_URL,
    REDIS_KEY_PREFIX: world.prefix,
    ...world.redisEnv,
  });
}

/** Quick polls for a local world (spread this when overriding other tracker settings). */
export const FAST_TRACKER: NonNullable<AppOverrides['tracker']> = { minDelayMs: 50, maxDelayMs: 200, worker: { drainDelay: 1 }, findWindowMs: 1500, lateAdoptWindowMs: 4000 };

/** Timings shrunk for a local world: quick retries and polls, short reconcile waits. */
export const FAST_OVERRIDES: AppOverrides = {
  atlas: { retryPolicy: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }, timeoutMs: 2000 },
  tracker: FAST_TRACKER,
};
