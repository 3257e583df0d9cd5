// The environment table of DESIGN.md §2, as one zod schema. loadConfig is pure: it reads only the env it is given.
import { z } from 'zod';
import { maskCredentials, PERCENT_ENCODING_HINT } from './mask-credentials.js';
import { DEFAULT_KEY_PREFIX, redisConfigOf, redisProblems, type RedisConfig } from './redis/redis-config.js';

/** Empty strings count as unset: a `FOO=` line in a Secret must not pass for a value. */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const strictBoolean = (name: string, fallback: boolean) =>
  optionalString.transform((v, ctx) => {
    if (v === undefined) return fallback;
    if (v === 'true') return true;
    if (v === 'false') return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be "true" or "false", got "${v}"` });
    return z.NEVER;
  });

/**
 * Decimal digits only: `Number()` would also take `0x1F90`, `1e3`, `8080.0` or `0b1`, none of which an operator means
 * as written. A leading zero is harmless (`08080` is 8080).
 */
const integer = (name: string, fallback: number, min: number, max: number) =>
  optionalString.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = /^\d{1,15}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max} in decimal digits, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

/**
 * A bad URL as an error message may quote it: its credentials masked, and not at all when it has no "@" and is not
 * plainly scheme://host[:port][/…]: `redis://:s3cret`, `redis://user:s3cret` or a bare password would show as typed.
 */
function quoteSafely(value: string): string {
  if (value.includes('@') || /^[a-z][a-z0-9+.-]*:\/\/[^/?#:@]*(:\d*)?([/?#]|$)/i.test(value)) return `"${maskCredentials(value)}"`;
  return 'a value not shown here (it may hold a password)';
}

const url = (name: string, fallback: string, protocols: readonly string[] = ['http:', 'https:']) =>
  optionalString.transform((v, ctx) => {
    const value = v ?? fallback;
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    if (!protocol || !protocols.includes(protocol)) {
      // A URL may carry a password (REDIS_URL): never echo it. An unencoded "/", "?" or "#" in it is the likely reason
      // the URL doesn't parse, so say how to write one.
      const hint = value.includes('@') ? ` (${PERCENT_ENCODING_HINT})` : '';
      const got = protocols.includes('redis:') ? quoteSafely(value) : `"${maskCredentials(value)}"`;
      ctx.addIssue({ code: 'custom', message: `${name} must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL, got ${got}${hint}` });
      return z.NEVER;
    }
    return value;
  });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: optionalString,
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: optionalString,
    SLACK_SOCKET_MODE: strictBoolean('SLACK_SOCKET_MODE', false),
    SLACK_API_URL: url('SLACK_API_URL', 'https://slack.com/api/'),
    // 0: a free port the system picks (tests start several bots at once); a deployment's probes need a fixed one.
    PORT: integer('PORT', 3000, 0, 65535),
    ATLAS_BASE_URL: url('ATLAS_BASE_URL', 'https://cloud.mongodb.com'),
    ATLAS_PUBLIC_KEY: optionalString,
    ATLAS_PRIVATE_KEY: optionalString,
    ATLAS_CLIENT_ID: optionalString,
    ATLAS_CLIENT_SECRET: optionalString,
    REDIS_URL: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    REDIS_TLS_CA_FILE: optionalString,
    REDIS_SENTINELS: optionalString,
    REDIS_SENTINEL_MASTER: optionalString,
    REDIS_SENTINEL_PASSWORD: optionalString,
    REDIS_CLUSTER_NODES: optionalString,
    RESTORE_POLICY_FILE: optionalString,
    POLL_INTERVAL_SECONDS: integer('POLL_INTERVAL_SECONDS', 10, 1, 3600),
    DRY_RUN: strictBoolean('DRY_RUN', false),
    LOG_LEVEL: optionalString.transform((v, ctx) => {
      const level = v ?? 'info';
      if (!(LOG_LEVELS as readonly string[]).includes(level)) {
        ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"` });
        return z.NEVER;
      }
      return level as (typeof LOG_LEVELS)[number];
    }),
    REDIS_KEY_PREFIX: optionalString,
    LONG_RUNNING_WARNING_MINUTES: integer('LONG_RUNNING_WARNING_MINUTES', 240, 1, 10_080),
  })
;

type ParsedEnv = z.output<typeof envSchema>;
type RawPresence = Partial<Record<keyof ParsedEnv, string | undefined>>;

/**
 * Checks between variables. Run on the raw (trimmed) values, apart from the field schema, because zod skips
 * refinements once a field fails, and we owe the operator every problem at once.
 */
function crossFieldProblems(raw: RawPresence, socketMode: boolean): string[] {
  const problems: string[] = [];
  const issue = (message: string) => problems.push(message);
  if (!raw.SLACK_BOT_TOKEN) issue('SLACK_BOT_TOKEN is required (the bot token, xoxb-…)');
  else if (!raw.SLACK_BOT_TOKEN.startsWith('xoxb-')) issue('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-"');
  if (socketMode) {
    if (!raw.SLACK_APP_TOKEN) issue('SLACK_APP_TOKEN is required when SLACK_SOCKET_MODE=true (an app-level token, xapp-…)');
    else if (!raw.SLACK_APP_TOKEN.startsWith('xapp-')) issue('SLACK_APP_TOKEN must be an app-level token starting with "xapp-"');
  } else if (!raw.SLACK_SIGNING_SECRET) {
    issue('SLACK_SIGNING_SECRET is required in HTTP mode (set SLACK_SOCKET_MODE=true to use Socket Mode instead)');
  }
  const digest = [raw.ATLAS_PUBLIC_KEY, raw.ATLAS_PRIVATE_KEY];
  const service = [raw.ATLAS_CLIENT_ID, raw.ATLAS_CLIENT_SECRET];
  const digestAny = digest.some(Boolean);
  const serviceAny = service.some(Boolean);
  if (digestAny && serviceAny) {
    issue('configure exactly one Atlas auth mode: either ATLAS_PUBLIC_KEY/ATLAS_PRIVATE_KEY or ATLAS_CLIENT_ID/ATLAS_CLIENT_SECRET, not both');
  } else if (digestAny && !digest.every(Boolean)) {
    const [missing, given] = raw.ATLAS_PUBLIC_KEY ? ['ATLAS_PRIVATE_KEY', 'ATLAS_PUBLIC_KEY'] : ['ATLAS_PUBLIC_KEY', 'ATLAS_PRIVATE_KEY'];
    issue(`${missing} is required with ${given} (Atlas API key, HTTP Digest)`);
  } else if (serviceAny && !service.every(Boolean)) {
    const [missing, given] = raw.ATLAS_CLIENT_ID ? ['ATLAS_CLIENT_SECRET', 'ATLAS_CLIENT_ID'] : ['ATLAS_CLIENT_ID', 'ATLAS_CLIENT_SECRET'];
    issue(`${missing} is required with ${given} (Atlas service account)`);
  } else if (!digestAny && !serviceAny) {
    issue('Atlas credentials are required: ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY (API key), or ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET (service account)');
  }
  if (!raw.RESTORE_POLICY_FILE) issue('RESTORE_POLICY_FILE is required (path of the policy file, YAML or JSON)');
  problems.push(...redisProblems(raw));
  return problems;
}

export type AtlasAuthConfig =
  | { kind: 'digest'; publicKey: string; privateKey: string }
  | { kind: 'serviceAccount'; clientId: string; clientSecret: string };

export interface Config {
  slack: {
    botToken: string;
    signingSecret?: string | undefined;
    appToken?: string | undefined;
    socketMode: boolean;
    apiUrl: string;
  };
  port: number;
  atlas: { baseUrl: string; auth: AtlasAuthConfig };
  /** REDIS_URL (with Sentinel or Cluster only its credentials, db and scheme count: see `redis`). */
  redisUrl: string;
  /** Every key of the bot starts with it (default `{atlas-restore}:`; main.ts may keep a legacy one, see key-prefix.ts). */
  redisKeyPrefix: string;
  /** Topology (standalone, Sentinel, Cluster) and TLS. */
  redis: Readonly<RedisConfig>;
  policyFile: string;
  pollIntervalSeconds: number;
  longRunningWarningMinutes: number;
  dryRun: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The trimmed values, empty ones as unset. */
function rawPresence(env: Record<string, string | undefined>): RawPresence {
  const raw: RawPresence = {};
  for (const key of Object.keys(envSchema.shape) as (keyof ParsedEnv)[]) {
    const v = env[key]?.trim();
    raw[key] = v === '' ? undefined : v;
  }
  return raw;
}

/** Returns a typed, frozen config, or throws one ConfigError listing every bad or missing variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const raw = rawPresence(env);
  const result = envSchema.safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((i) => i.message);
  problems.push(...crossFieldProblems(raw, raw.SLACK_SOCKET_MODE === 'true'));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const e = result.data;
  const auth: AtlasAuthConfig = e.ATLAS_PUBLIC_KEY
    ? { kind: 'digest', publicKey: e.ATLAS_PUBLIC_KEY, privateKey: e.ATLAS_PRIVATE_KEY! }
    : { kind: 'serviceAccount', clientId: e.ATLAS_CLIENT_ID!, clientSecret: e.ATLAS_CLIENT_SECRET! };
  const config: Config = {
    slack: {
      botToken: e.SLACK_BOT_TOKEN!,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      socketMode: e.SLACK_SOCKET_MODE,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
    },
    port: e.PORT,
    atlas: { baseUrl: e.ATLAS_BASE_URL.replace(/\/+$/, ''), auth: Object.freeze(auth) },
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX,
    redis: Object.freeze(redisConfigOf(raw)),
    policyFile: e.RESTORE_POLICY_FILE!,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    longRunningWarningMinutes: e.LONG_RUNNING_WARNING_MINUTES,
    dryRun: e.DRY_RUN,
    logLevel: e.LOG_LEVEL,
  };
  Object.freeze(config.slack);
  Object.freeze(config.atlas);
  return Object.freeze(config);
}

/** What a command that only reads Redis needs (`audit`): no Slack token, no Atlas key, no policy file. */
export type RedisSettings = Pick<Config, 'redisUrl' | 'redisKeyPrefix' | 'redis' | 'logLevel'>;

const REDIS_VARIABLES = {
  REDIS_URL: true,
  REDIS_TLS_CA_FILE: true,
  REDIS_SENTINELS: true,
  REDIS_SENTINEL_MASTER: true,
  REDIS_SENTINEL_PASSWORD: true,
  REDIS_CLUSTER_NODES: true,
  REDIS_KEY_PREFIX: true,
  LOG_LEVEL: true,
} as const;

/**
 * The Redis variables and LOG_LEVEL only, validated by the same rules as loadConfig (one ConfigError listing every
 * problem among them). An auditor's job runs with read access to Redis, not with the bot's Slack and Atlas secrets.
 */
export function loadRedisSettings(env: Record<string, string | undefined> = process.env): Readonly<RedisSettings> {
  const raw = rawPresence(env);
  const result = envSchema.pick(REDIS_VARIABLES).safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((i) => i.message);
  problems.push(...redisProblems(raw));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    redisUrl: result.data.REDIS_URL,
    redisKeyPrefix: result.data.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX,
    redis: Object.freeze(redisConfigOf(raw)),
    logLevel: result.data.LOG_LEVEL,
  });
}
