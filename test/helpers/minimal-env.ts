// The least environment loadConfig accepts (fake secrets), for tests that care about other variables: Redis's mostly.
import { loadConfig, type Config } from '../../src/config.js';

export const MINIMAL_ENV: Readonly<Record<string, string>> = {
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  ATLAS_PUBLIC_KEY: 'pubkey',
  ATLAS_PRIVATE_KEY: 'private-key-value',
  RESTORE_POLICY_FILE: '/nonexistent/policy.yaml',
};

/** The configuration of the minimal environment with `env` on top. */
export function configWith(env: Record<string, string>): Config {
  return loadConfig({ ...MINIMAL_ENV, ...env });
}
