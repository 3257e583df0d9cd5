import { describe, expect, it } from 'vitest';
import { CSV_HEADER, csvField, formatCsv, formatNdjson, toAuditRecord } from '../../../src/audit/format-audit.js';
import { readCsv } from '../../helpers/read-csv.js';

const ID = '1764679739980-3';
const TIME = new Date(1764679739980).toISOString();

describe('toAuditRecord', () => {
  it('takes the time from the stream id, the fields by name, and null for what the entry lacks', () => {
    const record = toAuditRecord(ID, ['at', '2026-01-01T00:00:00Z', 'type', 'finished', 'requestId', 'RR-7K3P2Q', 'detail', 'completed', 'atlasJobId', '6a793f812c88faeba59bc399', 'state', 'completed']);
    expect(record).toEqual({ time: TIME, type: 'finished', requestId: 'RR-7K3P2Q', user: null, detail: 'completed', atlasJobId: '6a793f812c88faeba59bc399' });
    expect(Object.keys(record)).toEqual(['time', 'type', 'requestId', 'user', 'detail', 'atlasJobId']);
  });
});

describe('CSV', () => {
  it('quotes exactly the fields that need it (comma, quote, CR, LF) and doubles quotes', () => {
    expect(csvField('plain text; with: punctuation')).toBe('plain text; with: punctuation');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('"')).toBe('""""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('crlf\r\n')).toBe('"crlf\r\n"');
    expect(csvField(' leading and trailing ')).toBe(' leading and trailing '); // spaces are data in RFC 4180
  });

  it('a header and records with CRLF line ends that an RFC 4180 reader gives back exactly', () => {
    const nasty = 'shop/orders → shop/orders: "oops", dropped\r\nthe index\nagain, é ✓';
    const records = [
      toAuditRecord(ID, ['type', 'requested', 'requestId', 'RR-7K3P2Q', 'user', 'U0REQUEST1', 'detail', nasty]),
      toAuditRecord('1764679740000-0', ['type', 'approval_expired', 'requestId', 'RR-7K3P2Q']),
    ];
    const text = CSV_HEADER + records.map(formatCsv).join('');
    expect(CSV_HEADER).toBe('time,type,requestId,user,detail,atlasJobId\r\n');
    expect(readCsv(text)).toEqual([
      ['time', 'type', 'requestId', 'user', 'detail', 'atlasJobId'],
      [TIME, 'requested', 'RR-7K3P2Q', 'U0REQUEST1', nasty, ''],
      ['2025-12-02T12:49:00.000Z', 'approval_expired', 'RR-7K3P2Q', '', '', ''],
    ]);
  });

  it('the reader above does refuse malformed CSV (it can fail)', () => {
    expect(() => readCsv('a,b\n')).toThrow(/bare line break/);
    expect(() => readCsv('a"b\r\n')).toThrow(/quote inside/);
  });
});

describe('NDJSON', () => {
  it('one JSON object per line, the same six keys always, line breaks escaped', () => {
    const line = formatNdjson(toAuditRecord(ID, ['type', 'refused', 'user', 'U0OUTSIDE1', 'detail', 'two\nlines']));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ time: TIME, type: 'refused', requestId: null, user: 'U0OUTSIDE1', detail: 'two\nlines', atlasJobId: null });
  });
});
