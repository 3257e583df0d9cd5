import { describe, expect, it } from 'vitest';
import { MAX_NAMESPACES, namespaceProblems, parseNamespaces } from '../../../src/policy/parse-namespaces.js';

const problemsOf = (input: string | string[]): string[] => {
  const result = parseNamespaces(input);
  if (result.ok) throw new Error(`expected problems for ${JSON.stringify(input)}`);
  return result.problems;
};

describe('parseNamespaces', () => {
  it('parses databases and collections, trimming around commas; a collection may contain dots', () => {
    expect(parseNamespaces(' sales.orders , sales.order.items,crm.users ')).toEqual({
      ok: true,
      namespaces: [
        { text: 'sales.orders', database: 'sales', collection: 'orders' },
        { text: 'sales.order.items', database: 'sales', collection: 'order.items' },
        { text: 'crm.users', database: 'crm', collection: 'users' },
      ],
    });
    expect(parseNamespaces(['sales', 'crm'])).toEqual({
      ok: true,
      namespaces: [
        { text: 'sales', database: 'sales' },
        { text: 'crm', database: 'crm' },
      ],
    });
  });

  it('reports every problem at once, each naming the namespace', () => {
    expect(problemsOf('sa les.orders,a/b,sales.$cmd,sales.system.users,sales.,.orders,x*y?.c')).toEqual([
      'sa les.orders: a database name must not contain a space',
      'a/b: a database name must not contain "/"',
      'sales.$cmd: a collection name must not contain "$"',
      "sales.system.users: system collections (system.*) can't be restored",
      'sales.: the collection name is empty (write db or db.collection)',
      '.orders: the database name is empty (write db or db.collection)',
      'x*y?.c: a database name must not contain "*", "?"',
    ]);
  });

  it('refuses every character MongoDB forbids in a database name', () => {
    for (const c of ['/', '\\', ' ', '"', '$', '*', '<', '>', ':', '|', '?']) {
      expect(namespaceProblems(`a${c}b.c`), c).toHaveLength(1);
    }
    expect(namespaceProblems('a-b_c.d$')).toEqual(['a-b_c.d$: a collection name must not contain "$"']);
    expect(namespaceProblems('a\0b')).toEqual(['"a\\u0000b": a namespace must not contain a NUL character']);
  });

  it('counts the database limit (63, MongoDB\'s) in UTF-8 bytes, and the whole namespace at 255 bytes', () => {
    expect(namespaceProblems('d'.repeat(63))).toEqual([]);
    expect(namespaceProblems('d'.repeat(64))).toEqual([`${'d'.repeat(64)}: the database name is 64 bytes long; at most 63`]);
    expect(namespaceProblems(`${'d'.repeat(64)}.c`)).toEqual([`${'d'.repeat(64)}.c: the database name is 64 bytes long; at most 63`]);
    expect(namespaceProblems('é'.repeat(32))[0]).toMatch(/64 bytes long; at most 63$/); // 32 characters, 64 bytes
    expect(namespaceProblems(`${'é'.repeat(31)}d`)).toEqual([]); // 32 characters, 63 bytes
    expect(namespaceProblems(`db.${'c'.repeat(252)}`)).toEqual([]);
    expect(namespaceProblems(`db.${'c'.repeat(253)}`)[0]).toMatch(/256 bytes long; at most 255$/);
  });

  it('refuses empty items, duplicates and overlaps', () => {
    expect(problemsOf('')).toEqual(['no namespace was given (write db or db.collection)']);
    expect(problemsOf('a.b,,c.d,')).toEqual(['item 2 is empty (two commas in a row, or one at the end?)', 'item 4 is empty (two commas in a row, or one at the end?)']);
    expect(problemsOf('a.b,c.d,a.b')).toEqual(['a.b is listed twice']);
    expect(problemsOf('sales,sales.orders')).toEqual(['sales.orders is already part of sales, which is listed too']);
    expect(problemsOf('crm,sales,sales.orders,crm.users.archive')).toEqual([
      'sales.orders is already part of sales, which is listed too',
      'crm.users.archive is already part of crm, which is listed too',
    ]);
  });

  it('mixes whole databases and collections: one Atlas job takes both lists', () => {
    expect(parseNamespaces('crm,sales.orders')).toEqual({
      ok: true,
      namespaces: [
        { text: 'crm', database: 'crm' },
        { text: 'sales.orders', database: 'sales', collection: 'orders' },
      ],
    });
  });

  it(`accepts ${MAX_NAMESPACES} databases and ${MAX_NAMESPACES} collections, and refuses one more of either`, () => {
    const collections = Array.from({ length: MAX_NAMESPACES + 1 }, (_, i) => `db.c${i}`);
    const databases = Array.from({ length: MAX_NAMESPACES + 1 }, (_, i) => `d${i}`);
    expect(parseNamespaces([...databases.slice(0, MAX_NAMESPACES), ...collections.slice(0, MAX_NAMESPACES)]).ok).toBe(true);
    expect(problemsOf(collections)).toEqual(['101 collections are listed; a restore takes at most 100 collections (and 100 databases)']);
    expect(problemsOf([...databases, 'db.c'])).toEqual(['101 databases are listed; a restore takes at most 100 databases (and 100 collections)']);
  });

  it("refuses MongoDB's own databases (admin, local, config), whatever their case, and their collections", () => {
    for (const ns of ['admin', 'local.oplog.rs', 'config.system.sessions', 'Admin.users', 'CONFIG']) {
      const problems = problemsOf(ns);
      expect(problems.join('\n'), ns).toContain(`${ns}: ${ns.split('.')[0]} is one of MongoDB's own databases (admin, local, config), which can't be restored`);
    }
    expect(parseNamespaces('administration,locals.x,configs').ok).toBe(true);
  });

  it('refuses databases that differ only in case (MongoDB allows one of them per cluster), once per database', () => {
    expect(problemsOf('Sales.orders, sales.orders')).toEqual([
      'Sales and sales differ only in case: MongoDB database names are unique regardless of case, so at most one of them exists; write each database the same way',
    ]);
    expect(problemsOf('crm, CRM.users, Crm.leads, sales.a, sales.b')).toEqual([
      'crm and CRM and Crm differ only in case: MongoDB database names are unique regardless of case, so at most one of them exists; write each database the same way',
    ]);
    // Collection names are case-sensitive: both may exist.
    expect(parseNamespaces('sales.Orders, sales.orders').ok).toBe(true);
  });
});
