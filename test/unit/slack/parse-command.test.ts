import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand, usageText } from '../../../src/slack/parse-command.js';

const SNAP = '6748a9f0c1d2e3f4a5b6c7d8';
const KEYWORDS = new Set(['help', 'list', 'status', 'to', '?', '-h', '--help']);

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const clusterName = fc
  .tuple(alnum, fc.array(fc.oneof(alnum, fc.constant('-')), { maxLength: 20 }))
  .map(([h, t]) => h + t.join(''));
const projectName = fc
  .tuple(alnum, fc.array(fc.oneof(alnum, fc.constantFrom('-', '_', '.')), { maxLength: 12 }))
  .map(([h, t]) => h + t.join(''));
const hex24 = fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 24, maxLength: 24 }).map((a) => a.join(''));
const clusterRef = fc.oneof(clusterName, fc.tuple(fc.oneof(projectName, hex24), clusterName).map(([p, c]) => `${p}/${c}`));
const space = fc.array(fc.constantFrom(' ', '  ', '\t', '\u00a0', '\n'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const randomCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((flags) => [...word].map((ch, i) => (flags[i] ? ch.toUpperCase() : ch)).join(''));

describe('parseCommand: fixed cases', () => {
  it.each([
    ['', { kind: 'open' }],
    ['   ', { kind: 'open' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ['list', { kind: 'list' }],
    ['List ', { kind: 'list' }],
    ['status', { kind: 'status' }],
    ['status RR-7K3P2Q', { kind: 'status', id: 'RR-7K3P2Q' }],
    ['STATUS  5e2211c17a3e5a48f5497de3', { kind: 'status', id: '5e2211c17a3e5a48f5497de3' }],
    ['orders', { kind: 'open', source: 'orders' }],
    ['shop/orders', { kind: 'open', source: 'shop/orders' }],
    [`shop/orders ${SNAP}`, { kind: 'open', source: 'shop/orders', snapshotId: SNAP }],
    [`shop/orders ${SNAP.toUpperCase()} TO shop/orders-staging`, { kind: 'open', source: 'shop/orders', snapshotId: SNAP, target: 'shop/orders-staging' }],
    ['orders to staging', { kind: 'open', source: 'orders', target: 'staging' }],
    ['5e2211c17a3e5a48f5497de3/orders to orders-2', { kind: 'open', source: '5e2211c17a3e5a48f5497de3/orders', target: 'orders-2' }],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  it("undoes Slack's auto-formatting: links, mailto, smart quotes, code ticks", () => {
    expect(parseCommand('<http://shop.io/orders|shop.io/orders>')).toEqual({ kind: 'open', source: 'shop.io/orders' });
    expect(parseCommand('“shop/orders” to ‘shop/orders-staging’')).toEqual({ kind: 'open', source: 'shop/orders', target: 'shop/orders-staging' });
    expect(parseCommand('`orders`')).toEqual({ kind: 'open', source: 'orders' });
    expect(parseCommand('<https://shop/orders>')).toEqual({ kind: 'open', source: 'shop/orders' });
    expect(parseCommand('<mailto:x@y.z|x@y.z>')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('orders\u200b to staging')).toEqual({ kind: 'open', source: 'orders', target: 'staging' });
  });

  it.each([
    ['list all', /`list` takes nothing/],
    ['status a b', /one request or restore job id/],
    ['status <@U123>', /isn't a request id/],
    ['to shop/orders', /Name the source cluster before `to`/],
    ['orders to', /must be followed by the target/],
    ['orders 1234', /isn't a snapshot id/],
    [`orders ${SNAP} staging`, /Expected `to <target>`.* after the snapshot id/],
    ['orders to staging now', /Unexpected “now” after the target/],
    ['a/b/c', /more than one "\/"/],
    ['bad_name', /isn't a cluster name/],
    ['shop/bad.name', /The cluster in/],
    ['op!/orders', /The project in/],
    ['pro ject!/x to y', /isn't a cluster name|isn't a snapshot id/],
    ['orders to a/b/c', /target/],
  ])('%j is invalid', (text, pattern) => {
    const cmd = parseCommand(text);
    expect(cmd.kind).toBe('invalid');
    if (cmd.kind === 'invalid') expect(cmd.message).toMatch(pattern);
  });

  it('never echoes Slack markup back', () => {
    const cmd = parseCommand('<!channel>');
    expect(cmd.kind).toBe('invalid');
    if (cmd.kind === 'invalid') expect(cmd.message).not.toMatch(/[<>]/);
  });

  it('usage lists every form', () => {
    const usage = usageText();
    for (const form of ['status', 'list', 'help', '<source> [<snapshotId> | at <time>] [only <ns>[,<ns>…]] [to <target>]', '`at <time>`', '`only <ns>,…`']) {
      expect(usage).toContain(form);
    }
  });
});

describe('parseCommand: at <time>', () => {
  const T = Date.UTC(2026, 11, 1, 14, 5) / 1000;
  it.each([
    ['shop/ledger at 2026-12-01T14:05Z', T],
    ['shop/ledger at 2026-12-01t14:05z', T],
    ['shop/ledger at 2026-12-01T14:05:30Z', T + 30],
    ['shop/ledger at 2026-12-01T14:05:30.999Z', T + 30], // whole seconds: a fraction is dropped, not rounded up
    ['shop/ledger at 2026-12-01T15:05+01:00', T],
    ['shop/ledger at 2026-12-01T15:05+0100', T],
    ['shop/ledger at 2026-12-01T09:35-04:30', T],
    ['shop/ledger AT 2026-12-01 14:05Z', T], // a space instead of the T
    [`shop/ledger at ${T}`, T],
  ])('%j', (text, utcSeconds) => {
    expect(parseCommand(text)).toEqual({ kind: 'open', source: 'shop/ledger', pointInTime: utcSeconds });
  });

  it('combines with only and to', () => {
    expect(parseCommand('ledger at 2026-12-01T14:05Z only sales.orders to staging')).toEqual({
      kind: 'open',
      source: 'ledger',
      pointInTime: T,
      namespaces: ['sales.orders'],
      target: 'staging',
    });
  });

  it.each([
    ['ledger at 2026-12-01T14:05', /has no time zone.*add one, e\.g\. `2026-12-01T14:05Z` for UTC/],
    ['ledger at 2026-12-01T14:05:00', /has no time zone/],
    ['ledger at 2026-12-01', /a date without a time/],
    ['ledger at', /`at` must be followed by a time/],
    ['ledger at yesterday', /isn't a time/],
    ['ledger at 2026-02-30T10:00Z', /isn't a real time/],
    ['ledger at 2026-12-01T24:00Z', /isn't a real time/],
    ['ledger at 2026-12-01T14:05+19:00', /isn't a real time/],
    [`ledger at ${T * 1000}`, /looks like milliseconds/],
    [`ledger 6748a9f0c1d2e3f4a5b6c7d8 at 2026-12-01T14:05Z`, /a snapshot id or `at <time>`, not both/],
    ['ledger at 2026-12-01T14:05Z staging', /Expected `to <target>` \(or `only <namespaces>`\) after the time/],
  ])('%j is invalid', (text, pattern) => {
    const cmd = parseCommand(text);
    expect(cmd.kind).toBe('invalid');
    if (cmd.kind === 'invalid') expect(cmd.message).toMatch(pattern);
  });

  it('a cluster may still be called "at" or "only": the words are keywords only after the source', () => {
    expect(parseCommand('at to only')).toEqual({ kind: 'open', source: 'at', target: 'only' });
  });
});

describe('parseCommand: only <ns>,…', () => {
  it.each([
    ['ledger only sales.orders', ['sales.orders']],
    ['ledger only sales.orders,sales.customers', ['sales.orders', 'sales.customers']],
    ['ledger only sales.orders, sales.customers ,sales.items', ['sales.orders', 'sales.customers', 'sales.items']], // as Slack users type it
    ['ledger ONLY crm,billing', ['crm', 'billing']],
  ])('%j', (text, namespaces) => {
    expect(parseCommand(text)).toEqual({ kind: 'open', source: 'ledger', namespaces });
  });

  it('after a snapshot id, before the target', () => {
    expect(parseCommand('ledger 6748a9f0c1d2e3f4a5b6c7d8 only sales.orders, crm.x to staging')).toEqual({
      kind: 'open',
      source: 'ledger',
      snapshotId: '6748a9f0c1d2e3f4a5b6c7d8',
      namespaces: ['sales.orders', 'crm.x'],
      target: 'staging',
    });
  });

  it('reports every problem of the list at once, with the grammar of parseNamespaces', () => {
    const cmd = parseCommand('ledger only sales.$bad, sales.system.users, my$db, sales.orders, sales.orders');
    expect(cmd.kind).toBe('invalid');
    if (cmd.kind !== 'invalid') return;
    expect(cmd.message).toMatch(/can't be restored as written/);
    expect(cmd.message).toContain('a collection name must not contain "$"');
    expect(cmd.message).toContain("system collections (system.*) can't be restored");
    expect(cmd.message).toContain('a database name must not contain "$"');
    expect(cmd.message).toContain('sales.orders is listed twice');
  });

  it('never echoes Slack markup from the namespaces back', () => {
    const cmd = parseCommand('ledger only <!channel>.x');
    expect(cmd.kind === 'invalid' && cmd.message.split('\n').slice(1).join('\n')).not.toMatch(/[<>`]/);
  });

  it('more than 100 collections are refused; databases and collections mix', () => {
    const many = Array.from({ length: 101 }, (_, i) => `db.c${i}`).join(',');
    const cmd = parseCommand(`ledger only ${many}`);
    expect(cmd.kind === 'invalid' && cmd.message).toMatch(/101 collections are listed; a restore takes at most 100 collections \(and 100 databases\)/);
    expect(parseCommand('ledger only crm, sales.orders')).toMatchObject({ kind: 'open', namespaces: ['crm', 'sales.orders'] });
  });

  it.each([
    ['ledger only', /`only` must be followed by databases or collections/],
    ['ledger only to staging', /`only` must be followed/],
    ['ledger only a.b c.d', /separate namespaces with commas/],
    ['ledger only a.b, to staging', /item 2 is empty/], // a trailing comma before `to` is a typo, not a database called "to"
    ['ledger only sales, sales.orders', /already part of sales/],
    ['ledger to staging only a.b', /`only <namespaces>` comes before `to <target>`/],
  ])('%j is invalid', (text, pattern) => {
    const cmd = parseCommand(text);
    expect(cmd.kind).toBe('invalid');
    if (cmd.kind === 'invalid') expect(cmd.message).toMatch(pattern);
  });
});

describe('parseCommand: properties', () => {
  it('never throws, and always returns a known kind; invalid always explains', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        const cmd = parseCommand(text);
        expect(['open', 'status', 'list', 'help', 'invalid']).toContain(cmd.kind);
        if (cmd.kind === 'invalid') expect(cmd.message.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('keyword-ish garbage never crashes either', () => {
    const word = fc.oneof(fc.constantFrom('to', 'status', 'list', 'help', '<', '>', '|', '/', '“', '`'), clusterRef, hex24, fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), (words) => {
        const cmd = parseCommand(words.join(' '));
        if (cmd.kind === 'invalid') expect(cmd.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('valid generated commands parse back to their parts', () => {
    const command = fc.record({
      source: clusterRef.filter((s) => !KEYWORDS.has(s.toLowerCase())),
      snapshotId: fc.option(hex24, { nil: undefined }),
      target: fc.option(clusterRef, { nil: undefined }),
      to: randomCase('to'),
      gaps: fc.array(space, { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(command, ({ source, snapshotId, target, to, gaps }) => {
        const parts = [source, snapshotId, ...(target ? [to, target] : [])].filter((p): p is string => p !== undefined);
        const text = (gaps[0] ?? '') + parts.map((p, i) => p + (gaps[i + 1] ?? ' ')).join('');
        const expected: Record<string, string> = { kind: 'open', source };
        if (snapshotId) expected.snapshotId = snapshotId.toLowerCase();
        if (target) expected.target = target;
        expect(parseCommand(text)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('status with any legal id parses back', () => {
    fc.assert(
      fc.property(fc.oneof(hex24, fc.stringMatching(/^RR-[A-Z0-9]{6}$/)), randomCase('status'), (id, word) => {
        expect(parseCommand(`${word} ${id}`)).toEqual({ kind: 'status', id });
      }),
    );
  });
});
