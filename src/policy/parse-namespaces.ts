// The namespace grammar of a collection-level restore (`only sales.orders,crm` in a command, the modal's text box,
// a drill's `only:` list): `db` or `db.collection`, MongoDB's naming rules, at most 100 databases and 100 collections
// per restore (Atlas's limits: a collection restore job has a list of each, and takes both in one job).
// Pure and dependency-free, so the policy, the Slack layer and the Atlas client all check the same rules.

/** One namespace: a whole database (`collection` undefined) or one collection. */
export interface Namespace {
  /** As written, trimmed: `sales` or `sales.orders`. */
  text: string;
  database: string;
  collection?: string | undefined;
}

export type ParseNamespacesResult = { ok: true; namespaces: Namespace[] } | { ok: false; problems: string[] };

/** Atlas takes at most 100 entries in each of a collection restore job's two lists, `databases` and `collections`. */
export const MAX_NAMESPACES = 100;
/** MongoDB's limit (kMaxDatabaseNameLength): fewer than 64 bytes, so at most 63. */
const MAX_DATABASE_BYTES = 63;
/** MongoDB's limit for `db.collection` (unsharded collections, FCV 4.4+). */
const MAX_NAMESPACE_BYTES = 255;
// MongoDB forbids these in database names on every platform Atlas runs (the Windows set, which Atlas enforces).
const FORBIDDEN_IN_DATABASE = ['/', '\\', '.', ' ', '"', '$', '*', '<', '>', ':', '|', '?'];

/**
 * MongoDB's own databases: the users, roles and replication (`admin`), the oplog and the node's own data (`local`),
 * the sharding metadata and sessions (`config`). Not application data, and Atlas's restore is not for them: an
 * OVERWRITE_EXISTING of `admin` would replace the cluster's users. Database names are unique regardless of case, so
 * `Admin` is refused too.
 */
const SYSTEM_DATABASES = ['admin', 'local', 'config'];

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function show(c: string): string {
  return c === ' ' ? 'a space' : `"${c}"`;
}

/** The problems of one namespace; empty when it is valid. */
export function namespaceProblems(text: string): string[] {
  const problems: string[] = [];
  if (text.includes('\0')) return [`${JSON.stringify(text)}: a namespace must not contain a NUL character`];
  const dot = text.indexOf('.');
  const database = dot < 0 ? text : text.slice(0, dot);
  const collection = dot < 0 ? undefined : text.slice(dot + 1);
  if (database === '') {
    problems.push(`${text}: the database name is empty (write db or db.collection)`);
  } else {
    const bad = FORBIDDEN_IN_DATABASE.filter((c) => c !== '.' && database.includes(c));
    if (bad.length > 0) problems.push(`${text}: a database name must not contain ${bad.map(show).join(', ')}`);
    if (bytes(database) > MAX_DATABASE_BYTES) {
      problems.push(`${text}: the database name is ${bytes(database)} bytes long; at most ${MAX_DATABASE_BYTES}`);
    }
    if (SYSTEM_DATABASES.includes(database.toLowerCase())) {
      problems.push(`${text}: ${database} is one of MongoDB's own databases (admin, local, config), which can't be restored: name the databases or collections of your data`);
    }
  }
  if (collection !== undefined) {
    if (collection === '') problems.push(`${text}: the collection name is empty (write db or db.collection)`);
    if (collection.includes('$')) problems.push(`${text}: a collection name must not contain "$"`);
    if (collection.startsWith('system.')) problems.push(`${text}: system collections (system.*) can't be restored`);
    if (bytes(text) > MAX_NAMESPACE_BYTES) problems.push(`${text}: the namespace is ${bytes(text)} bytes long; at most ${MAX_NAMESPACE_BYTES}`);
  }
  return problems;
}

/**
 * Parses `a.b, c` (one string, comma-separated) or a list of strings. Every problem is reported at once:
 * naming rules, empty items, duplicates, a collection also covered by its listed database, and more than 100
 * databases or more than 100 collections. Databases and collections may be mixed: one Atlas job takes both lists.
 */
export function parseNamespaces(input: string | readonly string[]): ParseNamespacesResult {
  const items = typeof input === 'string' ? input.split(',') : [...input];
  const problems: string[] = [];
  const namespaces: Namespace[] = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (typeof raw !== 'string') {
      problems.push(`item ${index + 1} is not text`);
      return;
    }
    if (text === '') {
      problems.push(items.length === 1 ? 'no namespace was given (write db or db.collection)' : `item ${index + 1} is empty (two commas in a row, or one at the end?)`);
      return;
    }
    const own = namespaceProblems(text);
    if (own.length > 0) {
      problems.push(...own);
      return;
    }
    if (seen.has(text)) {
      problems.push(`${text} is listed twice`);
      return;
    }
    seen.add(text);
    const dot = text.indexOf('.');
    namespaces.push(dot < 0 ? { text, database: text } : { text, database: text.slice(0, dot), collection: text.slice(dot + 1) });
  });
  // MongoDB database names are unique regardless of case: of `Sales` and `sales`, at most one exists on a cluster.
  const spellings = new Map<string, string[]>();
  for (const n of namespaces) {
    const known = spellings.get(n.database.toLowerCase()) ?? [];
    if (!known.includes(n.database)) spellings.set(n.database.toLowerCase(), [...known, n.database]);
  }
  for (const names of spellings.values()) {
    if (names.length > 1) problems.push(`${names.join(' and ')} differ only in case: MongoDB database names are unique regardless of case, so at most one of them exists; write each database the same way`);
  }
  const databases = new Set(namespaces.filter((n) => n.collection === undefined).map((n) => n.database));
  for (const n of namespaces) {
    if (n.collection !== undefined && databases.has(n.database)) problems.push(`${n.text} is already part of ${n.database}, which is listed too`);
  }
  // Counted as given, valid or not, so the limit is said at once with the other problems; a dot makes a collection.
  const given = items.filter((raw): raw is string => typeof raw === 'string' && raw.trim() !== '');
  const kinds = [
    ['databases', given.filter((text) => !text.includes('.')).length],
    ['collections', given.filter((text) => text.includes('.')).length],
  ] as const;
  for (const [kind, count] of kinds) {
    if (count > MAX_NAMESPACES) problems.push(`${count} ${kind} are listed; a restore takes at most ${MAX_NAMESPACES} ${kind} (and ${MAX_NAMESPACES} ${kind === 'databases' ? 'collections' : 'databases'})`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, namespaces };
}
