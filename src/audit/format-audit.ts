// One audit stream entry as an auditor's record, and the two ways to print it. Pure.
//
// `time` is the entry's stream id (`<ms>-<seq>`, Redis's clock when it was appended): the same clock `--since`
// filters on and the stream is ordered by, so the records are in time order. Fields the entry doesn't have
// (no person acted, no Atlas job yet) are null in NDJSON, so every line has the same six keys, and empty in CSV.

export const AUDIT_COLUMNS = ['time', 'type', 'requestId', 'user', 'detail', 'atlasJobId'] as const;

export type AuditRecord = { time: string; type: string } & Record<'requestId' | 'user' | 'detail' | 'atlasJobId', string | null>;

/** The stream id's milliseconds as ISO 8601 UTC; the entry's own `at` if the id can't be read. */
function timeOf(streamId: string, at: string | undefined): string {
  const ms = Number(streamId.split('-')[0]);
  if (streamId.includes('-') && Number.isSafeInteger(ms)) return new Date(ms).toISOString();
  return at ?? '';
}

/** `fields` as XRANGE returns them: name, value, name, value… */
export function toAuditRecord(streamId: string, fields: readonly string[]): AuditRecord {
  const entry = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) entry.set(fields[i]!, fields[i + 1]!);
  const field = (name: string) => entry.get(name) ?? null;
  return {
    time: timeOf(streamId, entry.get('at')),
    type: entry.get('type') ?? '',
    requestId: field('requestId'),
    user: field('user'),
    detail: field('detail'),
    atlasJobId: field('atlasJobId'),
  };
}

export function formatNdjson(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** RFC 4180: a field with a comma, a quote, CR or LF is quoted, its quotes doubled; anything else as is. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const CSV_HEADER = `${AUDIT_COLUMNS.join(',')}\r\n`;

export function formatCsv(record: AuditRecord): string {
  return `${AUDIT_COLUMNS.map((c) => csvField(record[c])).join(',')}\r\n`;
}
