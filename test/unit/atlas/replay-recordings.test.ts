// Real Atlas answers, replayed: every vendored recording goes through the client's normalisation (toSnapshot,
// toRestoreJob, page parsing, newestFirst) or its error mapping (errorFromResponse, hints), and each file's outcome
// is checked against replay-expectations.ts. A recording added to test/fixtures/atlas-recordings/ without an
// expectation fails here.
import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../../../src/atlas/errors.js';
import { newestFirst, PageSchema, parseAtlasBody, toRestoreJob, toSnapshot } from '../../../src/atlas/normalize-responses.js';
import { readRateLimit } from '../../../src/atlas/rate-limit-headers.js';
import { isRestorable, type ClusterType, type RestoreJob, type Snapshot } from '../../../src/atlas/types.js';
import { loadAtlasRecordings, type Recording } from '../../helpers/atlas-recordings.js';
import { BACKUP_ANSWERS, ERROR_ANSWERS, type Expected } from './replay-expectations.js';

const recordings = loadAtlasRecordings();
const BACKUP_PATH = /\/(clusters|flexClusters|serverless)\/[^/]+\/backup\/(snapshots|restoreJobs)(\/[^/]+)?$/;
const TYPE_OF: Record<string, ClusterType> = { clusters: 'dedicated', flexClusters: 'flex', serverless: 'serverless' };

const isError = (r: Recording) => r.status >= 400;
const backupMatch = (r: Recording) => BACKUP_PATH.exec(r.path);
const backupAnswers = recordings.filter((r) => !isError(r) && backupMatch(r));
const errors = recordings.filter(isError);
const request = (r: Recording) => `${r.method} ${r.path}`;
const typeOf = (r: Recording) => TYPE_OF[backupMatch(r)![1]!]!;

function count<T>(items: readonly T[], by: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[by(item)] = (out[by(item)] ?? 0) + 1;
  return out;
}

/** What listSnapshots / listRestoreJobs do with one page: parse it, normalise every item. */
function page<T>(r: Recording, normalise: (type: ClusterType, raw: unknown, req: string) => T) {
  const parsed = parseAtlasBody(PageSchema, r.json, request(r), 'page 1');
  return { ...parsed, items: parsed.results.map((raw) => normalise(typeOf(r), raw, request(r))) };
}

function check(r: Recording, expected: Expected): void {
  if ('empty' in expected) {
    expect(r.body).toBe('');
    return;
  }
  if ('snapshot' in expected) {
    const s = toSnapshot(typeOf(r), r.json, request(r));
    expect({ status: s.status, createdAt: s.createdAt, ...(expected.snapshot.frequencyType ? { frequencyType: s.frequencyType } : {}) }).toEqual(expected.snapshot);
    expect(isRestorable(s)).toBe(s.status === 'completed');
    return;
  }
  if ('snapshotPage' in expected) {
    const { items, totalCount } = page<Snapshot>(r, toSnapshot);
    const e = expected.snapshotPage;
    expect({ count: items.length, totalCount, statuses: count(items, (s) => s.status) }).toEqual({ count: e.count, totalCount: e.count, statuses: e.statuses });
    const times = items.map((s) => Date.parse(s.createdAt!));
    if (e.atlasOrder === 'oldestFirst') expect([...times].sort((a, b) => a - b)).toEqual(times);
    const sorted = newestFirst(items).map((s) => Date.parse(s.createdAt!));
    expect([...sorted].sort((a, b) => b - a)).toEqual(sorted);
    return;
  }
  if ('job' in expected) {
    const j = toRestoreJob(typeOf(r), r.json, request(r));
    expect({ state: j.state, createdAt: j.createdAt, finishedAt: j.finishedAt }).toEqual(expected.job);
    expect(j.failureReason).toBeUndefined(); // no recorded job has one
    return;
  }
  const { items, totalCount, links } = page<RestoreJob>(r, toRestoreJob);
  const e = expected.jobPage;
  expect({ count: items.length, totalCount, hasNext: links?.some((l) => l.rel === 'next') ?? false, states: count(items, (j) => j.state) }).toEqual({
    count: e.count, totalCount: e.totalCount, hasNext: e.hasNext, states: e.states,
  });
  const failed = items.filter((j) => j.state === 'failed');
  expect(failed.filter((j) => j.finishedAt !== undefined)).toHaveLength(e.failedWithFinishedAt ?? 0);
  expect(failed.every((j) => j.failureReason === undefined)).toBe(true);
  // Restore-job lists come newest first (Flex jobs carry their creation time; the dedicated list has one job).
  const created = items.map((j) => Date.parse(j.createdAt ?? '')).filter((t) => !Number.isNaN(t));
  expect([...created].sort((a, b) => b - a)).toEqual(created);
}

describe('the recordings themselves', () => {
  it('are all found and parsed: 92 files, one key each, method and path from the file name', () => {
    expect(recordings).toHaveLength(92);
    expect(new Set(recordings.map((r) => r.key)).size).toBe(recordings.length);
    for (const r of recordings) {
      expect(r.path, r.file).toMatch(/^\/api\/(atlas\/v2|private)\//);
      expect(r.occurrence, r.file).toBeGreaterThanOrEqual(1);
      if (r.body !== '') expect(r.json, `${r.file} has a JSON body`).toBeDefined();
    }
    expect(recordings.filter((r) => backupMatch(r))).toHaveLength(53); // 48 at HEAD, 5 from history (README)
  });

  it('every 2xx backup answer has an expectation, and every expectation a file', () => {
    expect(backupAnswers.map((r) => r.key).sort()).toEqual(Object.keys(BACKUP_ANSWERS).sort());
  });

  it('backup answers recorded at HEAD carry Atlas\'s rate limit: 1200 per backup endpoint family, counting down', () => {
    const atHead = recordings.filter((r) => backupMatch(r) && r.key.startsWith('head '));
    expect(atHead).toHaveLength(48);
    for (const r of atHead) {
      const { limit, remaining } = readRateLimit(r.headers);
      expect({ file: r.key, limit, below: remaining !== undefined && remaining > 1100 && remaining < 1200 }).toEqual({ file: r.key, limit: 1200, below: true });
    }
  });

  it('every error answer has an expected hint', () => {
    const codes = new Set(errors.map((r) => `${r.status} ${errorFromResponse(r.status, r.json, request(r)).errorCode}`));
    expect([...codes].sort()).toEqual(Object.keys(ERROR_ANSWERS).sort());
  });
});

describe.each(backupAnswers.map((r) => [r.key, r] as const))('%s', (_key, r) => {
  it('normalises to the expected state and times', () => check(r, BACKUP_ANSWERS[r.key]!));
});

describe.each(errors.map((r) => [`${r.status} ${r.key}`, r] as const))('%s', (_key, r) => {
  const body = (r.json ?? {}) as Record<string, unknown>;
  const header = r.headers.get('x-error-code');

  it('maps to the expected code, hint and retry decision', () => {
    const error = errorFromResponse(r.status, r.json, request(r), { headerErrorCode: header });
    expect(error.status).toBe(r.status);
    if (typeof body['errorCode'] === 'string') expect(error.errorCode).toBe(body['errorCode']);
    if (header) expect(error.errorCode).toBe(header); // body and header agree in every recording
    const expected = ERROR_ANSWERS[`${r.status} ${error.errorCode}`]!;
    expect(error.hint).toMatch(expected.hint);
    expect(error.transient).toBe(expected.transient);
    expect(error.detail).toBe(body['detail']);
    // ApiError.parameters: strings (or null) in reality, objects in the spec.
    expect(error.parameters).toEqual(Array.isArray(body['parameters']) ? body['parameters'] : []);
    expect(error.parameters.every((p) => typeof p === 'string')).toBe(true);
    if (header) {
      // The same code from X-Error-Code alone, had the body none.
      const { errorCode: _dropped, ...withoutCode } = body;
      expect(errorFromResponse(r.status, withoutCode, request(r), { headerErrorCode: header }).errorCode).toBe(header);
    }
  });
});
