// The real entry point (src/main.ts) as a process, with a valid configuration whose Atlas, Slack and Redis are
// addresses where nothing listens: for the paths that must not contact anything (--check, bad arguments).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MainResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runMainOffline(args: string[], policy: string, env: Record<string, string> = {}): Promise<MainResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'atlas-restore-main-')), 'policy.yaml');
  writeFileSync(file, policy);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-offline-test',
      SLACK_SIGNING_SECRET: 'offline-test-signing-secret',
      ATLAS_PUBLIC_KEY: 'pubkey',
      ATLAS_PRIVATE_KEY: 'privkey-secret',
      RESTORE_POLICY_FILE: file,
      PORT: '0',
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
