// `npm run demo` as a user runs it: a child process against real Redis, judged by its exit code and transcript.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { renderMrkdwn, wrapLine } from '../../scripts/demo-transcript.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runDemo(env: Record<string, string>, timeoutMs: number): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_LOG: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('plays the whole conversation to "Restore completed", shows the guardrails, cleans up and exits 0', async () => {
    const run = await runDemo({ REDIS_URL }, 60_000);
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    const out = run.stdout;
    // The modal's offer, with snapshot times in Alice's zone.
    expect(out).toContain('/atlas-restore shop/orders');
    expect(out).toMatch(/shop\/ledger \(dedicated\)/);
    expect(out).toMatch(/• \d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT\+[12] {2}\(completed · [0-9a-f]{24}\)/);
    // Both guardrails: the inline error of a wrong confirmation, and no approving one's own request.
    expect(out).toContain('guardrail: the modal stays open, with an inline error');
    expect(out).toMatch(/\(only @alice sees this\) You requested RR-\w+, so someone else has to\s+approve it\./);
    // The card, its updates and the thread up to the end.
    expect(out).toContain('posted in #db-ops:');
    expect(out).toMatch(/card updated:[\s\S]*\+ Approvals: 1 of 1: @bob/);
    expect(out).toMatch(/↳ 🚀 Restore submitted to Atlas/);
    expect(out).toMatch(/↳ ✅ Restore completed after \d+ s/);
    // The second act: a drill run now, with its restore time and the age of the snapshot it restored.
    expect(out).toContain('/atlas-restore drill ledger-nightly');
    expect(out).toMatch(/Restore time: \d+ s \(submitted → completed\)/);
    expect(out).toMatch(/Snapshot age at the start: \d/);
    // The third act: a collection restore beside the live data, its progress, and where the collection went.
    expect(out).toContain('/atlas-restore shop/ledger only sales.orders');
    expect(out).toMatch(/25 % restored \(12,000 of 48,000\s+documents\)/);
    expect(out).toMatch(/`sales\.orders` → `sales\.orders_restored`: restored, 48,000 of 48,000/);
    // Readable: mrkdwn rendered, every line fits 100 columns.
    expect(out).not.toMatch(/<@U|<!date|<!subteam/);
    const tooWide = out.split('\n').filter((l) => [...l].length > 100);
    expect(tooWide).toEqual([]);

    // Nothing left behind: the demo's Redis keys and its temp dir are gone.
    const prefix = /keys under "([^"]+)\*"/.exec(out)?.[1];
    const tempDir = /policy in (\S+)/.exec(out)?.[1];
    expect(prefix).toMatch(/^demo-[0-9a-f]{8}:$/);
    expect(tempDir).toBeDefined();
    expect(existsSync(tempDir!)).toBe(false);
    const redis = new Redis(REDIS_URL);
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      expect(keys).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 70_000);

  it('without Redis: a clear message and exit code 1, within seconds', async () => {
    const run = await runDemo({ REDIS_URL: 'redis://127.0.0.1:1' }, 15_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(run.stderr).toContain('start one with `redis-server` or set REDIS_URL');
    expect(run.stdout).toBe('');
    // Given up on the refused connection itself, not after waiting out a timeout or retrying; runDemo's 15 s is the
    // only clock (node + tsx start-up on a loaded machine is most of any wall time measured here).
    expect(run.stderr).toContain('(connect ECONNREFUSED 127.0.0.1:1)');
  }, 20_000);
});

describe('the transcript renders Slack mrkdwn as a person reads it', () => {
  const names: Record<string, string> = { U0ALICE001: 'alice' };
  const render = (t: string) => renderMrkdwn(t, (id) => names[id] ?? id);

  it('mentions, dates, links, emoji, bold and escapes', () => {
    expect(render('<@U0ALICE001> asked, <@U0NOBODY1> too')).toBe('@alice asked, @U0NOBODY1 too');
    expect(render('at <!date^1764420000^{date_short_pretty} {time}|2025-11-29 12:40 UTC>')).toBe('at 2025-11-29 12:40 UTC');
    expect(render('<https://example.com/x|the card> or <https://example.com/y>')).toBe('the card or https://example.com/y');
    expect(render(':white_check_mark: *Restore completed* in _2 s_ :unknown_emoji:')).toBe('✅ Restore completed in 2 s :unknown_emoji:');
    expect(render('a &lt;b&gt; &amp; c')).toBe('a <b> & c');
  });

  it('wraps to the width, keeping a hanging indent', () => {
    const lines = wrapLine(`  - ${'word '.repeat(30).trim()}`, 40);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('    ') && !l.startsWith('     '))).toBe(true);
    expect(wrapLine('x'.repeat(85), 40)).toEqual(['x'.repeat(40), 'x'.repeat(40), 'x'.repeat(5)]);
  });
});
