// Streams the audit stream out, oldest first, a page at a time: a stream of 100 000 entries (its cap) goes out
// without being held in memory, and each page waits until the previous one was written (backpressure).
import type { RedisClient } from '../redis/redis-client.js';
import type { AuditFormat } from './parse-audit-args.js';
import { CSV_HEADER, formatCsv, formatNdjson, toAuditRecord } from './format-audit.js';

export interface ExportAuditOptions {
  redis: RedisClient;
  /** The stream's key: `<prefix>audit`. */
  key: string;
  since?: Date | undefined;
  format: AuditFormat;
  /** Resolves once the chunk is written. */
  write(chunk: string): Promise<void>;
  /** Entries per XRANGE. Default 500. */
  pageSize?: number;
}

/** The id right after `id`: XRANGE's start is inclusive (the `(` exclusive form needs Redis 6.2; this works on any). */
function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${(BigInt(seq ?? '0') + 1n).toString()}`;
}

/** Writes every entry from `since` (by stream id: `<ms>-0`) on; returns how many. */
export async function exportAudit(opts: ExportAuditOptions): Promise<number> {
  const pageSize = opts.pageSize ?? 500;
  const format = opts.format === 'csv' ? formatCsv : formatNdjson;
  if (opts.format === 'csv') await opts.write(CSV_HEADER);
  let start = opts.since ? `${opts.since.getTime()}-0` : '-';
  let count = 0;
  for (;;) {
    const page = await opts.redis.xrange(opts.key, start, '+', 'COUNT', pageSize);
    if (page.length === 0) return count;
    await opts.write(page.map(([id, fields]) => format(toAuditRecord(id, fields))).join(''));
    count += page.length;
    if (page.length < pageSize) return count;
    start = nextId(page[page.length - 1]![0]);
  }
}
