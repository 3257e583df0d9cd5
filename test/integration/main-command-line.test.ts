// The real entry point as a process, with arguments it doesn't know: it must say so and never start the bot.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function runMain(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'atlas-restore-argv-')), 'policy.yaml');
  writeFileSync(file, 'projects:\n  - name: shop\n    id: 5e2211c17a3e5a48f5497de3\n    clusters: [{ name: orders }]\nrequesters: [U0123ABCD]\napprovers: [U0789IJKL]\n');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    // A valid configuration: without the check of the arguments, the bot would start (and ask Redis first).
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-argv-test',
      SLACK_SIGNING_SECRET: 'argv-test-signing-secret',
      ATLAS_PUBLIC_KEY: 'pubkey',
      ATLAS_PRIVATE_KEY: 'privkey-secret',
      RESTORE_POLICY_FILE: file,
      PORT: '0',
      // Nothing listens here.
      ATLAS_BASE_URL: 'http://127.0.0.1:9',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      REDIS_URL: 'redis://127.0.0.1:9',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('node dist/main.js with unknown arguments', () => {
  it('--chek: the usage on stderr, exit 2, nothing asked of Redis', async () => {
    const result = await runMain(['--chek']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('atlas-restore: unknown argument "--chek"');
    expect(result.stderr).toContain('Usage: node dist/main.js');
    expect(result.stderr).not.toMatch(/Redis is not ready|ECONNREFUSED/);
  });

  it('--help: the usage on stdout, exit 0', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Usage: node dist/main.js');
  });
});
