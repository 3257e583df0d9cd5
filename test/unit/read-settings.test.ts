import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/read-settings.js';

const GOOD_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  ATLAS_PUBLIC_KEY: 'pubkey',
  ATLAS_PRIVATE_KEY: 'private-key-value',
};
const GOOD_POLICY = 'projects:\n  - name: shop\n    id: 5e2211c17a3e5a48f5497de3\n    clusters: [{ name: orders }]\nrequesters: [U0123ABCD]\napprovers: [U0789IJKL]\n';
const BAD_POLICY = 'projects:\n  - name: shop\n    id: nothex\n    clusters: [{ name: orders, type: mega }]\n';

function policyFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'atlas-restore-settings-')), 'policy.yaml');
  writeFileSync(file, text);
  return file;
}

describe('readSettings', () => {
  it('returns the configuration and the policy when both are valid', async () => {
    const settings = await readSettings({ ...GOOD_ENV, RESTORE_POLICY_FILE: policyFile(GOOD_POLICY) });
    if (!settings.ok) throw new Error(settings.errors.join('\n'));
    expect(settings.config.slack.botToken).toBe('xoxb-1-abc');
    expect(settings.policy.projects[0]?.name).toBe('shop');
  });

  it('reads REDIS_TLS_CA_FILE: a placeholder, or a file that is not there, is a configuration problem beside the policy\'s', async () => {
    const placeholder = policyFile('# REPLACE-ME: the PEM of your CA (-----BEGIN CERTIFICATE----- ...)\n');
    const settings = await readSettings({ ...GOOD_ENV, REDIS_URL: 'rediss://cache.example:6380', REDIS_TLS_CA_FILE: placeholder, RESTORE_POLICY_FILE: policyFile(BAD_POLICY) });
    if (settings.ok) throw new Error('accepted a CA file without a certificate');
    expect(settings.errors).toEqual([`Invalid configuration (1 problem):\n  - REDIS_TLS_CA_FILE: ${placeholder} holds no PEM certificate (a -----BEGIN CERTIFICATE----- … -----END CERTIFICATE----- block)`, expect.stringContaining('projects[0].id')]);
    const missing = await readSettings({ ...GOOD_ENV, REDIS_URL: 'rediss://cache.example:6380', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem', RESTORE_POLICY_FILE: policyFile(GOOD_POLICY) });
    expect(missing.ok ? [] : missing.errors).toEqual([expect.stringMatching(/^Invalid configuration \(1 problem\):\n {2}- REDIS_TLS_CA_FILE: cannot read \/nonexistent\/ca\.pem/)]);
  });

  it('reports a bad REDIS_TLS_CA_FILE together with the other bad variables, in one message', async () => {
    const env = { ...GOOD_ENV, REDIS_URL: 'rediss://cache.example:6380', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem', PORT: 'abc', RESTORE_POLICY_FILE: policyFile(GOOD_POLICY) };
    const settings = await readSettings(env);
    const errors = settings.ok ? [] : settings.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Invalid configuration \(2 problems\):\n {2}- PORT must be an integer[^\n]*\n {2}- REDIS_TLS_CA_FILE: cannot read \/nonexistent\/ca\.pem/);
    // A bad REDIS_URL leaves the CA file unread: its problem is the URL's.
    const badUrl = await readSettings({ ...env, REDIS_URL: 'http://cache.example' });
    expect(badUrl.ok ? [] : badUrl.errors[0]).toMatch(/\(2 problems\)[\s\S]*PORT must be[\s\S]*REDIS_URL must be a redis or rediss URL/);
  });

  it('reports the policy problems too when the environment is invalid', async () => {
    const settings = await readSettings({ ...GOOD_ENV, DRY_RUN: 'maybe', SLACK_BOT_TOKEN: undefined, RESTORE_POLICY_FILE: ` ${policyFile(BAD_POLICY)} ` });
    expect(settings.ok).toBe(false);
    const errors = settings.ok ? [] : settings.errors;
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/Invalid configuration \(2 problems\)[\s\S]*DRY_RUN must be[\s\S]*SLACK_BOT_TOKEN is required/);
    expect(errors[1]).toMatch(/projects\[0\]\.id[\s\S]*projects\[0\]\.clusters\[0\]\.type/);
  });

  it('reports an unreadable policy file beside the environment problems', async () => {
    const settings = await readSettings({ ...GOOD_ENV, DRY_RUN: 'maybe', RESTORE_POLICY_FILE: '/nonexistent/policy.yaml' });
    expect(settings).toEqual({ ok: false, errors: [expect.stringContaining('DRY_RUN must be'), expect.stringContaining('/nonexistent/policy.yaml cannot be read (ENOENT)')] });
  });

  it('without RESTORE_POLICY_FILE, reports the environment only (it names the missing variable)', async () => {
    const settings = await readSettings({ ...GOOD_ENV, RESTORE_POLICY_FILE: '  ' });
    expect(settings).toEqual({ ok: false, errors: [expect.stringContaining('RESTORE_POLICY_FILE is required')] });
  });
});
