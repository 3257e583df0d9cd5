// The configuration and the policy that the bot and `--check` start from. The policy is read even when the environment
// is invalid, as long as RESTORE_POLICY_FILE names a file: `--check` owes the operator every problem of both in one
// run (DESIGN.md §6), not the policy's only after the environment is fixed.
import { ConfigError, loadConfig, loadRedisSettings, type Config, type RedisSettings } from './config.js';
import { loadPolicy, PolicyError } from './policy/load-policy.js';
import type { Policy } from './policy/policy-schema.js';
import { policyFileVersion, type PolicyFileVersion } from './policy/watch-policy.js';
import { RedisSetupError, tlsOptionsOf } from './redis/redis-client.js';

export type Settings =
  /** `policyVersion`: the file as it was right before it was read, what a later change is told from. */
  | { ok: true; config: Readonly<Config>; policy: Policy; policyVersion?: PolicyFileVersion }
  /** One message per source (configuration, policy), each listing all its problems. */
  | { ok: false; errors: string[] };

export async function readSettings(env: Record<string, string | undefined>): Promise<Settings> {
  const errors: string[] = [];
  let config: Readonly<Config> | undefined;
  let problems: readonly string[] = [];
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems;
  }
  // The CA file is read here, not only when Redis is asked: `--check` without --online must refuse the placeholder too.
  // It is read whenever the Redis variables are valid, so its problem comes with every other one, not a run later.
  const caProblem = caFileProblem(config?.redis ?? redisOf(env));
  if (caProblem) {
    problems = [...problems, caProblem];
    config = undefined;
  }
  if (problems.length > 0) errors.push(new ConfigError([...problems]).message);
  // Trimmed and empty-as-unset, as loadConfig reads it.
  const policyFile = config?.policyFile ?? (env.RESTORE_POLICY_FILE?.trim() || undefined);
  let policy: Policy | undefined;
  let policyVersion: PolicyFileVersion | undefined;
  if (policyFile) {
    try {
      policyVersion = policyFileVersion(policyFile);
      policy = await loadPolicy(policyFile);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      errors.push(err.message);
    }
  }
  return config && policy ? { ok: true, config, policy, policyVersion } : { ok: false, errors };
}

/** The Redis part of an environment whose other variables may be bad; undefined when the Redis ones are bad too. */
function redisOf(env: Record<string, string | undefined>): RedisSettings['redis'] | undefined {
  try {
    return loadRedisSettings(env).redis;
  } catch (err) {
    if (err instanceof ConfigError) return undefined; // loadConfig reported it already
    throw err;
  }
}

function caFileProblem(redis: RedisSettings['redis'] | undefined): string | undefined {
  if (!redis?.tlsCaFile) return undefined;
  try {
    tlsOptionsOf(new URL(redis.url), redis.tlsCaFile);
    return undefined;
  } catch (err) {
    if (!(err instanceof RedisSetupError)) throw err;
    return err.message;
  }
}
