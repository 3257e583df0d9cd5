// The configuration and the policy that the bot and `--check` start from. The policy is read even when the environment
// is invalid, as long as RESTORE_POLICY_FILE names a file: `--check` owes the operator every problem of both in one
// run (DESIGN.md §6), not the policy's only after the environment is fixed.
import { ConfigError, loadConfig, type Config } from './config.js';
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
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push(err.message);
  }
  // The CA file is read here, not only when Redis is asked: `--check` without --online must refuse the placeholder too.
  if (config?.redis.tlsCaFile) {
    try {
      tlsOptionsOf(new URL(config.redis.url), config.redis.tlsCaFile);
    } catch (err) {
      if (!(err instanceof RedisSetupError)) throw err;
      errors.push(`Invalid configuration: ${err.message}`);
      config = undefined;
    }
  }
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
