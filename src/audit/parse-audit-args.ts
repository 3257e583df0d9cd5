// `audit [--since <duration|time>] [--format ndjson|csv]` (DESIGN.md §6, "Audit export"). Pure and total: every argv
// gives a result, never a throw; a bad one says what was wrong, and the command prints it with the usage (exit 2).

export type AuditFormat = 'ndjson' | 'csv';

export interface AuditArgs {
  /** Records appended at or after this time; undefined: everything the stream keeps. */
  since?: Date | undefined;
  format: AuditFormat;
}

export type ParsedAuditArgs = { kind: 'run'; args: AuditArgs } | { kind: 'help' } | { kind: 'invalid'; message: string };

export const AUDIT_USAGE = [
  'Usage: node dist/main.js audit [--since <duration|time>] [--format ndjson|csv]',
  '',
  'Prints the audit stream on stdout, oldest first, one record per line: time, type, requestId, user, detail, atlasJobId.',
  '  --since   30m, 12h or 7d back from now, or an ISO 8601 time with its zone (2026-11-01T00:00Z,',
  '            2026-11-01T01:00+01:00) or a date (2026-11-01, midnight UTC). Default: everything kept.',
  '  --format  ndjson (default): one JSON object per line, missing fields null.',
  '            csv: RFC 4180, a header line, CRLF line ends, missing fields empty.',
  'Reads only the Redis variables (REDIS_URL, REDIS_KEY_PREFIX, …) and LOG_LEVEL; logs go to stderr.',
].join('\n');

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,6})([mhd])$/;
// A date, or a date and time with its zone: a time without one would depend on where the auditor runs the command.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/i;

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** A real calendar time (no 30 February, no 24:00), or undefined. */
function parseIsoTime(text: string): Date | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const utc = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  const real = utc.getUTCFullYear() === year && utc.getUTCMonth() === month! - 1 && utc.getUTCDate() === day && utc.getUTCHours() === hour && utc.getUTCMinutes() === minute && utc.getUTCSeconds() === second;
  if (!real) return undefined;
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const zone = m[8]?.toUpperCase();
  const offsetMinutes = !zone || zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (Math.abs(offsetMinutes) > 18 * 60) return undefined;
  return new Date(utc.getTime() + Math.floor(fraction) - offsetMinutes * 60_000);
}

export function parseSince(text: string, now: Date): Date | string {
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2]!]!;
    if (ms === 0) return `--since ${shown(text)}: a duration must be more than zero`;
    return new Date(Math.max(0, now.getTime() - ms));
  }
  if (/^\d/.test(text) && text.includes('-')) {
    const time = parseIsoTime(text);
    if (time) return time;
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(text)) return `--since ${shown(text)}: give the time's zone, e.g. ${text}Z for UTC`;
    return `--since ${shown(text)} is not a valid ISO 8601 time (e.g. 2026-11-01T00:00Z)`;
  }
  return `--since ${shown(text)} is neither a duration (30m, 12h, 7d) nor an ISO 8601 time (2026-11-01T00:00Z)`;
}

export function parseAuditArgs(argv: readonly string[], now: Date): ParsedAuditArgs {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (flag !== '--since' && flag !== '--format') {
      return { kind: 'invalid', message: arg.startsWith('-') ? `unknown flag ${shown(flag)}` : `unexpected argument ${shown(arg)}` };
    }
    let value: string | undefined;
    if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i];
    if (value === undefined || value.trim() === '') return { kind: 'invalid', message: `${flag} needs a value` };
    if (given.has(flag)) return { kind: 'invalid', message: `${flag} is given twice` };
    given.set(flag, value.trim());
  }
  const format = given.get('--format') ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') return { kind: 'invalid', message: `--format ${shown(format)}: use ndjson or csv` };
  const sinceText = given.get('--since');
  if (sinceText === undefined) return { kind: 'run', args: { format } };
  const since = parseSince(sinceText, now);
  return typeof since === 'string' ? { kind: 'invalid', message: since } : { kind: 'run', args: { since, format } };
}
