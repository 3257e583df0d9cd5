// `--check` on a policy with drills and safety snapshots: the real entry point as a process, nothing contacted.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const POLICY = (drillTarget: string, catalogSafety = '') => `
projects:
  - name: shop
    id: 5e2211c17a3e5a48f5497de3
    clusters:
      - name: orders
        type: dedicated
        safetySnapshot: { mode: required, retentionInDays: 3 }
      - name: orders-drill
        type: dedicated
        scratch: true
      - name: catalog
        type: flex
        ${catalogSafety}
requesters: [U0123ABCD]
approvers: [U0789IJKL]
drills:
  - name: orders-weekly
    source: shop/orders
    target: ${drillTarget}
    schedule: "0 3 * * 1"
    timeZone: Europe/Berlin
    channel: C0ABCDEF1
`;

function check(policy: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'atlas-restore-drills-')), 'policy.yaml');
  writeFileSync(file, policy);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--check'], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-check-only',
      SLACK_SIGNING_SECRET: 'check-only-signing-secret',
      ATLAS_PUBLIC_KEY: 'pubkey',
      ATLAS_PRIVATE_KEY: 'privkey-secret',
      RESTORE_POLICY_FILE: file,
      // Nothing listens here: --check must not connect to anything.
      ATLAS_BASE_URL: 'http://127.0.0.1:9',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      REDIS_URL: 'redis://127.0.0.1:9',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('node dist/main.js --check with drills', () => {
  it('accepts a policy whose drill targets a scratch cluster', async () => {
    const result = await check(POLICY('shop/orders-drill'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/policy OK/);
  });

  it('refuses a drill into a cluster that is not scratch, and a safety snapshot a Flex cluster cannot have, on stderr with exit 1', async () => {
    const result = await check(POLICY('shop/orders', 'safetySnapshot: { mode: required }'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('drills[0] (orders-weekly): target shop/orders is not scratch');
    expect(result.stderr).toContain("projects[0].clusters[2].safetySnapshot.mode: a flex cluster can't have a safety snapshot");
  });

  it('lists the policy problems too when the environment is invalid, exit 1', async () => {
    const result = await check(POLICY('shop/orders'), { DRY_RUN: 'maybe' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('DRY_RUN must be "true" or "false"');
    expect(result.stderr).toContain('drills[0] (orders-weekly): target shop/orders is not scratch');
  });
});
