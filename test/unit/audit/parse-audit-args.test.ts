import { describe, expect, it } from 'vitest';
import { parseAuditArgs, parseSince } from '../../../src/audit/parse-audit-args.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const run = (...argv: string[]) => parseAuditArgs(argv, NOW);
const sinceOf = (...argv: string[]) => {
  const parsed = run(...argv);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(parsed)}`);
  return parsed.args.since?.toISOString();
};
const problem = (...argv: string[]) => {
  const parsed = run(...argv);
  if (parsed.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(parsed)}`);
  return parsed.message;
};

describe('parseAuditArgs', () => {
  it('defaults: everything kept, NDJSON', () => {
    expect(run()).toEqual({ kind: 'run', args: { format: 'ndjson' } });
  });

  it('takes --format and --since with a space or an equals sign, in any order', () => {
    expect(run('--format', 'csv')).toEqual({ kind: 'run', args: { format: 'csv' } });
    expect(run('--format=ndjson', '--since=30m')).toEqual({ kind: 'run', args: { format: 'ndjson', since: new Date('2026-12-02T11:30:00Z') } });
    expect(sinceOf('--since', '12h', '--format', 'csv')).toBe('2026-12-02T00:00:00.000Z');
    expect(sinceOf('--since', '7d')).toBe('2026-11-25T12:00:00.000Z');
  });

  it('takes ISO 8601 times with their zone, fractions of a second, and dates (midnight UTC)', () => {
    expect(sinceOf('--since', '2026-11-01T00:00Z')).toBe('2026-11-01T00:00:00.000Z');
    expect(sinceOf('--since', '2026-11-01T01:00+01:00')).toBe('2026-11-01T00:00:00.000Z');
    expect(sinceOf('--since', '2026-11-01T00:00:00.123Z')).toBe('2026-11-01T00:00:00.123Z');
    expect(sinceOf('--since', '2026-10-31T19:30:15-04:30')).toBe('2026-11-01T00:00:15.000Z');
    expect(sinceOf('--since', '2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
  });

  it('a duration longer than the epoch starts at the beginning', () => {
    expect(parseSince('999999d', NOW)).toEqual(new Date(0));
  });

  it('refuses unknown flags, flags without a value, twice-given flags and stray arguments', () => {
    expect(problem('--bogus')).toBe('unknown flag "--bogus"');
    expect(problem('--since')).toBe('--since needs a value');
    expect(problem('--since', '--format', 'csv')).toBe('--since needs a value');
    expect(problem('--format=')).toBe('--format needs a value');
    expect(problem('--format', 'csv', '--format', 'ndjson')).toBe('--format is given twice');
    expect(problem('csv')).toBe('unexpected argument "csv"');
    expect(problem('-s', '7d')).toBe('unknown flag "-s"');
  });

  it('refuses bad formats, durations and times, saying what was wrong', () => {
    expect(problem('--format', 'xml')).toBe('--format "xml": use ndjson or csv');
    expect(problem('--format', 'CSV')).toBe('--format "CSV": use ndjson or csv');
    expect(problem('--since', '7x')).toMatch(/neither a duration \(30m, 12h, 7d\) nor an ISO 8601 time/);
    expect(problem('--since', '0m')).toMatch(/more than zero/);
    expect(problem('--since', '-1d')).toMatch(/neither a duration/);
    expect(problem('--since', '1.5h')).toMatch(/neither a duration/);
    expect(problem('--since', '2026-11-01T00:00')).toBe('--since "2026-11-01T00:00": give the time\'s zone, e.g. 2026-11-01T00:00Z for UTC');
    for (const bad of ['2026-02-30T00:00Z', '2026-13-01', '2026-11-01T24:00Z', '2026-11-01T23:60Z', '2026-11-01T00:00+19:00', '2026-11-1']) {
      expect(problem('--since', bad)).toMatch(/is not a valid ISO 8601 time/);
    }
  });

  it('answers --help and -h with the usage', () => {
    expect(run('--help')).toEqual({ kind: 'help' });
    expect(run('--since', '7d', '-h')).toEqual({ kind: 'help' });
  });
});
