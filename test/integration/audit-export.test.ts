// `main.ts audit` as an auditor runs it: a child process with the Redis variables only (no Slack or Atlas secret),
// after a real conversation (request, approve, restore to completion) through the harness.
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/format-audit.js';
import { exportAudit } from '../../src/audit/export-audit.js';
import { readCsv } from '../helpers/read-csv.js';
import { RedisGroup, skipUnless } from '../helpers/redis-servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, REQUESTER, requestRestore, useHarness, waitForState } from './conversation-harness.js';
import { connect, deleteKeys, randomPrefix } from './store-fixtures.js';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'audit', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const h = useHarness();
/** What an auditor's job gets: where Redis is and the bot's prefix. Nothing else. */
const auditEnv = () => ({ ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}), REDIS_KEY_PREFIX: h.prefix });
const ndjson = (out: string): AuditRecord[] => out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);

/** `subsequence` appears in `list` in this order (other entries, e.g. state_changed, may sit between). */
function inOrder(list: readonly string[], subsequence: readonly string[]): boolean {
  let at = 0;
  for (const item of list) if (item === subsequence[at]) at++;
  return at === subsequence.length;
}

describe('audit export (CLI)', () => {
  let requestId = '';
  let jobId = '';
  let all: AuditRecord[] = [];
  let first: CliResult;

  beforeAll(async () => {
    const req = await requestRestore(h, { source: 'orders', reason: 'audit, with "quotes", and a\nline break' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    // A state change seen by a poll, then the end.
    h.atlas.advanceJob(running.atlasJobId!, 'running');
    await waitFor(async () => (await h.app.services.store.readAudit(100)).some((e) => e.requestId === req.id && e.type === 'state_changed'), { message: 'state change audited' });
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
    await waitFor(async () => (await h.app.services.store.readAudit(100)).some((e) => e.requestId === req.id && e.type === 'finished'), { message: 'finished audited' });
    requestId = req.id;
    jobId = running.atlasJobId!;
    // The plain export is what the other tests compare with.
    first = await cli([], auditEnv());
    all = ndjson(first.stdout);
  });

  it('NDJSON: oldest first, the whole conversation with its request id, users and Atlas job id', () => {
    const res = first;
    expect(res.code, res.stderr).toBe(0);
    const times = all.map((r) => r.time);
    expect(times.every((t) => new Date(t).toISOString() === t)).toBe(true);
    expect([...times].sort()).toEqual(times);
    const mine = all.filter((r) => r.requestId === requestId);
    expect(inOrder(mine.map((r) => r.type), ['requested', 'approved', 'submitting', 'submitted', 'finished'])).toBe(true);
    const byType = (type: string) => mine.find((r) => r.type === type)!;
    expect(byType('requested')).toMatchObject({ user: REQUESTER, atlasJobId: null, detail: expect.stringContaining('audit, with "quotes", and a\nline break') });
    expect(byType('approved')).toMatchObject({ user: APPROVER, detail: '1 of 1' });
    expect(byType('submitted').atlasJobId).toBe(jobId);
    expect(byType('finished').atlasJobId).toBe(jobId);
    // Every record written once the job is known names it, its state changes included.
    const changes = mine.filter((r) => r.type === 'state_changed');
    expect(changes.length).toBeGreaterThan(0);
    for (const r of changes) expect(r.atlasJobId).toBe(jobId);
    for (const r of all) expect(Object.keys(r)).toEqual(['time', 'type', 'requestId', 'user', 'detail', 'atlasJobId']);
    // Logs on stderr, records only on stdout.
    expect(res.stderr).toMatch(/"msg":"audit: \d+ record\(s\) exported"/);
  });

  it('CSV: a header, RFC 4180 quoting and CRLF, the same records as NDJSON', async () => {
    const res = await cli(['--format', 'csv'], auditEnv());
    expect(res.code, res.stderr).toBe(0);
    const [header, ...rows] = readCsv(res.stdout);
    expect(header).toEqual(['time', 'type', 'requestId', 'user', 'detail', 'atlasJobId']);
    const asRecords = rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i] === '' && column !== 'type' && column !== 'time' ? null : row[i]])));
    expect(asRecords).toEqual(all);
    expect(res.stdout).toContain('"shop/orders snapshot');
  });

  it('--since keeps the records from that time on: an ISO time, a duration, a time still to come', async () => {
    const approved = all.find((r) => r.requestId === requestId && r.type === 'approved')!;
    const since = new Date(Date.parse(approved.time) + 1).toISOString();
    const [fromTime, fromHour, future] = await Promise.all([
      cli(['--since', since], auditEnv()),
      cli(['--since=1h', '--format=ndjson'], auditEnv()),
      cli(['--since', '2099-01-01T00:00Z', '--format', 'csv'], auditEnv()),
    ]);
    expect(fromTime.code, fromTime.stderr).toBe(0);
    const kept = ndjson(fromTime.stdout);
    expect(kept).toEqual(all.filter((r) => r.time >= since));
    expect(kept.some((r) => r.requestId === requestId && (r.type === 'requested' || r.type === 'approved'))).toBe(false);
    expect(kept.some((r) => r.requestId === requestId && r.type === 'finished')).toBe(true);
    expect(ndjson(fromHour.stdout)).toEqual(all);
    expect(future).toMatchObject({ code: 0, stdout: 'time,type,requestId,user,detail,atlasJobId\r\n' });
  });

  it('bad flags: the usage on stderr, nothing on stdout, exit 2', async () => {
    const cases = [['--since'], ['--since', '7x'], ['--since', '2026-11-01T00:00'], ['--format', 'xml'], ['--bogus'], ['--format']];
    const results = await Promise.all(cases.map((args) => cli(args, auditEnv())));
    for (const [i, res] of results.entries()) {
      expect(res.code, cases[i]!.join(' ')).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/^atlas-restore audit: .+\n\nUsage: node dist\/main\.js audit \[--since <duration\|time>\] \[--format ndjson\|csv\]/);
    }
    expect(results[1]!.stderr).toContain('"7x" is neither a duration');
  });

  it('a bad configuration lists every problem and exits 1, before connecting', async () => {
    const res = await cli([], { REDIS_URL: 'http://127.0.0.1:6379', REDIS_SENTINEL_MASTER: 'mymaster' });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('Invalid configuration (2 problems)');
    expect(res.stderr).toContain('REDIS_URL must be a redis or rediss URL');
    expect(res.stderr).toContain('REDIS_SENTINELS is required with REDIS_SENTINEL_MASTER');
  });
});

describe('exportAudit', () => {
  const redis = connect();
  const prefix = randomPrefix('audit');
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('pages through a large stream oldest first, one write per page, and starts at --since by stream id', async () => {
    const key = `${prefix}audit`;
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1234; i++) pipeline.xadd(key, `${1_000_000 + Math.floor(i / 10)}-${i % 10}`, 'type', 'requested', 'requestId', `RR-${i}`);
    await pipeline.exec();
    const writes: string[] = [];
    const count = await exportAudit({ redis, key, format: 'ndjson', pageSize: 100, write: async (chunk) => void writes.push(chunk) });
    expect(count).toBe(1234);
    expect(writes).toHaveLength(13);
    const ids = writes.join('').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as AuditRecord).requestId);
    expect(ids).toEqual(Array.from({ length: 1234 }, (_, i) => `RR-${i}`));
    const since: string[] = [];
    await exportAudit({ redis, key, since: new Date(1_000_100), format: 'csv', pageSize: 7, write: async (chunk) => void since.push(chunk) });
    const rows = readCsv(since.join(''));
    expect(rows).toHaveLength(1 + 1234 - 1000);
    expect(rows[1]).toEqual([new Date(1_000_100).toISOString(), 'requested', 'RR-1000', '', '', '']);
  });
});

const canRun = skipUnless('audit-export', ['redis-server'], 'the prefix rule and an unreachable Redis need a Redis of their own');
describe.skipIf(!canRun)('audit export: the key prefix the bot uses, and an unreachable Redis', () => {
  const group = new RedisGroup();
  afterAll(() => group.cleanup());

  it('without REDIS_KEY_PREFIX, reads the old default prefix while only it holds data, and warns on stderr', async () => {
    const server = await group.start('audit-prefix');
    const redis = new Redis(server.url);
    try {
      await redis.xadd('atlas-restore:audit', '*', 'type', 'requested', 'requestId', 'RR-LEGACY');
      const res = await cli([], { REDIS_URL: server.url });
      expect(res.code, res.stderr).toBe(0);
      expect(ndjson(res.stdout).map((r) => r.requestId)).toEqual(['RR-LEGACY']);
      expect(res.stderr).toContain('keeping \\"atlas-restore:\\"');
    } finally {
      redis.disconnect();
    }
  });

  it('an unreachable Redis: exit 1 with the reason', async () => {
    const gone = await group.start('audit-gone');
    await gone.kill();
    const res = await cli([], { REDIS_URL: gone.url });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/cannot connect to Redis \(127\.0\.0\.1:\d+\): not reachable/);
  });
});
