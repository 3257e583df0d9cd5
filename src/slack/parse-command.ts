// The /atlas-restore grammar (DESIGN.md §2). Total: every string gives a Command, never a throw.
//
//   (empty)                                 open the modal, nothing pre-filled
//   <source> [<snapshotId> | at <time>] [only <ns>[,<ns>…]] [to <target>]   open the modal pre-filled
//   status [<request or restore job id>]
//   list
//   drill <name>
//   drills
//   help
//
// Keywords are case-insensitive and win over cluster names: a cluster called "list" must be
// written `project/list`. The handler should reply to `invalid` with `message` + usageText().
// `at` and `only` are keywords only where they can appear (after the source): clusters may be called "at".
import { CLUSTER_NAME_PATTERN, PROJECT_ID_PATTERN, PROJECT_NAME_PATTERN, SNAPSHOT_ID_PATTERN } from '../policy/names.js';
import { parseNamespaces } from '../policy/parse-namespaces.js';
import { joinsDateAndTime, parsePointInTime } from './parse-point-in-time.js';

export interface OpenCommand {
  kind: 'open';
  source?: string;
  snapshotId?: string;
  /** `at <time>`: a point-in-time restore to this second (Unix seconds, UTC). */
  pointInTime?: number;
  /** `only a.b,c`: a collection-level restore of these namespaces, already valid by the grammar. */
  namespaces?: string[];
  target?: string;
}

export type Command =
  | OpenCommand
  | { kind: 'status'; id?: string }
  | { kind: 'list' }
  | { kind: 'drill'; name: string }
  | { kind: 'drills' }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

/** Request ids ("RR-7K3P2Q") and Atlas job ids (24 hex). */
const STATUS_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DRILL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HELP_WORDS = new Set(['help', '-h', '--help', '?']);
const MAX_SHOWN = 40;

export function usageText(): string {
  return [
    '*Usage*',
    '`/atlas-restore` open the restore form',
    '`/atlas-restore <source> [<snapshotId> | at <time>] [only <ns>[,<ns>…]] [to <target>]` open the form pre-filled',
    '`/atlas-restore status [<request or restore job id>]` state of one restore, or of your recent ones',
    '`/atlas-restore list` restores in flight and recent ones',
    '`/atlas-restore drill <name>` run a drill of the policy now (approvers of its target)',
    '`/atlas-restore drills` the policy\'s drills: schedule, next run, last result',
    '`/atlas-restore help` this help',
    '`<source>` and `<target>` are `cluster` or `project/cluster` (project = its policy name or 24-hex id).',
    '`at <time>`: a point in time (dedicated clusters with continuous cloud backup), ISO 8601 with its zone (`2026-12-01T14:05Z`, `2026-12-01T15:05+01:00`) or Unix seconds.',
    '`only <ns>,…`: only these databases or collections (`db` or `db.collection`, dedicated clusters), written beside the live data unless you choose to overwrite them in the form.',
  ].join('\n');
}

/** Shows user input back safely: short, no Slack markup that could ping or link. */
function shown(token: string): string {
  const clipped = token.length > MAX_SHOWN ? `${token.slice(0, MAX_SHOWN)}…` : token;
  return `“${clipped.replace(/[`<>&]/g, '')}”`;
}

/** Undoes what Slack's composer does to plain text: links, mailto, smart quotes, code ticks. */
function normalise(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2') // <http://x|label> → label
    .replace(/<(?:mailto:|https?:\/\/)([^<>]*)>/g, '$1') // <http://x> → x
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u200B-\u200D\uFEFF]/g, ''); // zero-width characters pasted along with names
}

const QUOTES = /^[`"'“”‘’«»]+|[`"'“”‘’«»]+$/g;

function tokenise(text: string): string[] {
  return normalise(text)
    .split(/\s+/u)
    .map((t) => t.replace(QUOTES, ''))
    .filter((t) => t !== '');
}

/** Checks a cluster reference as typed: `cluster` or `project/cluster`. Returns an error or undefined. */
function checkClusterRef(token: string, role: 'source' | 'target'): string | undefined {
  const parts = token.split('/');
  if (parts.length > 2) {
    return `The ${role} ${shown(token)} has more than one "/": write \`cluster\` or \`project/cluster\`.`;
  }
  const [first = '', second] = parts;
  if (second === undefined) {
    if (!CLUSTER_NAME_PATTERN.test(first)) {
      return `The ${role} ${shown(token)} isn't a cluster name (letters, digits and hyphens, at most 64).`;
    }
    return undefined;
  }
  if (!PROJECT_NAME_PATTERN.test(first) && !PROJECT_ID_PATTERN.test(first)) {
    return `The project in ${shown(token)} isn't a project name or a 24-hex project id.`;
  }
  if (!CLUSTER_NAME_PATTERN.test(second)) {
    return `The cluster in ${shown(token)} isn't a cluster name (letters, digits and hyphens, at most 64).`;
  }
  return undefined;
}

const invalid = (message: string): Command => ({ kind: 'invalid', message });

export function parseCommand(text: string): Command {
  const tokens = tokenise(typeof text === 'string' ? text : '');
  const [head, ...rest] = tokens;
  if (head === undefined) return { kind: 'open' };
  const keyword = head.toLowerCase();

  if (HELP_WORDS.has(keyword)) return { kind: 'help' };
  if (keyword === 'list') {
    return rest.length === 0 ? { kind: 'list' } : invalid(`\`list\` takes nothing after it, but got ${shown(rest.join(' '))}.`);
  }
  if (keyword === 'drills') {
    return rest.length === 0 ? { kind: 'drills' } : invalid(`\`drills\` takes nothing after it, but got ${shown(rest.join(' '))}.`);
  }
  if (keyword === 'drill') {
    const [name, ...extra] = rest;
    if (name === undefined) return invalid('Name the drill to run, e.g. `/atlas-restore drill orders-weekly`; `/atlas-restore drills` lists them.');
    if (extra.length > 0) return invalid(`\`drill\` takes one drill name, but got ${rest.length} words.`);
    if (!DRILL_NAME_PATTERN.test(name)) return invalid(`${shown(name)} isn't a drill name (letters, digits, ".", "_" and "-").`);
    return { kind: 'drill', name };
  }
  if (keyword === 'status') {
    const [id, ...extra] = rest;
    if (id === undefined) return { kind: 'status' };
    if (extra.length > 0) return invalid(`\`status\` takes one request or restore job id, but got ${rest.length} words.`);
    if (!STATUS_ID_PATTERN.test(id)) return invalid(`${shown(id)} isn't a request id (like RR-7K3P2Q) or an Atlas restore job id.`);
    return { kind: 'status', id };
  }
  if (keyword === 'to') return invalid('Name the source cluster before `to`, e.g. `/atlas-restore shop/orders to shop/orders-staging`.');

  const sourceError = checkClusterRef(head, 'source');
  if (sourceError) return invalid(sourceError);
  return parseOpen(head, rest);
}

const isWord = (token: string | undefined, word: string) => token?.toLowerCase() === word;

/** `<source> [<snapshotId> | at <time>] [only <ns>[,<ns>…]] [to <target>]`, the source already checked. */
function parseOpen(source: string, rest: string[]): Command {
  const command: OpenCommand = { kind: 'open', source };
  let i = 0;
  if (isWord(rest[i], 'at')) {
    const timeText = joinsDateAndTime(rest[i + 1] ?? '', rest[i + 2]) ? `${rest[i + 1]}T${rest[i + 2]}` : rest[i + 1];
    if (timeText === undefined) return invalid('`at` must be followed by a time with its zone, e.g. `at 2026-12-01T14:05Z`.');
    const time = parsePointInTime(timeText);
    if (!time.ok) return invalid(time.message);
    command.pointInTime = time.utcSeconds;
    i += timeText === rest[i + 1] ? 2 : 3;
  } else if (rest[i] !== undefined && !isWord(rest[i], 'to') && !isWord(rest[i], 'only')) {
    const next = rest[i]!;
    if (!SNAPSHOT_ID_PATTERN.test(next)) {
      return invalid(`${shown(next)} isn't a snapshot id (24 hex characters), \`at <time>\`, \`only <namespaces>\` or \`to <target>\`.`);
    }
    command.snapshotId = next.toLowerCase();
    i += 1;
    if (isWord(rest[i], 'at')) return invalid('Give a snapshot id or `at <time>`, not both: a restore starts from one or the other.');
  }
  if (isWord(rest[i], 'only')) {
    const list = namespaceList(rest, i + 1);
    if (!list.ok) return invalid(list.message);
    command.namespaces = list.namespaces;
    i = list.next;
  }
  const toWord = rest[i];
  if (toWord !== undefined) {
    if (!isWord(toWord, 'to')) return invalid(unexpectedBeforeTarget(command, toWord));
    const target = rest[i + 1];
    if (target === undefined) return invalid('`to` must be followed by the target cluster, e.g. `to shop/orders-staging`.');
    const targetError = checkClusterRef(target, 'target');
    if (targetError) return invalid(targetError);
    command.target = target;
    const extra = rest.slice(i + 2);
    if (isWord(extra[0], 'only')) return invalid('`only <namespaces>` comes before `to <target>`, e.g. `shop/orders only sales.orders to shop/orders-staging`.');
    if (extra.length > 0) return invalid(`Unexpected ${shown(extra.join(' '))} after the target.`);
  }
  return command;
}

function unexpectedBeforeTarget(command: OpenCommand, token: string): string {
  if (command.namespaces) return `Expected \`to <target>\` after the namespaces, but got ${shown(token)} (separate namespaces with commas: \`only a.b, c.d\`).`;
  const after = command.pointInTime !== undefined ? 'the time' : command.snapshotId ? 'the snapshot id' : 'the source';
  return `Expected \`to <target>\` (or \`only <namespaces>\`) after ${after}, but got ${shown(token)}.`;
}

/**
 * The namespaces after `only`, from `from` on: commas separate them, and Slack users type `a.b, c.d`, so a token
 * that ends with a comma (or a next one that starts with one) continues the list. `to` ends it even after a comma.
 */
function namespaceList(tokens: string[], from: number): { ok: true; namespaces: string[]; next: number } | { ok: false; message: string } {
  const parts: string[] = [];
  let i = from;
  while (i < tokens.length && !isWord(tokens[i], 'to')) {
    const token = tokens[i]!;
    parts.push(token);
    i += 1;
    const continues = token.endsWith(',') || (tokens[i]?.startsWith(',') ?? false);
    if (!continues) break;
  }
  if (parts.length === 0) return { ok: false, message: '`only` must be followed by databases or collections, e.g. `only sales.orders,sales.customers` or `only crm`.' };
  const parsed = parseNamespaces(parts.join(''));
  if (!parsed.ok) {
    // Every problem at once, each shown back safely: the requester fixes them all in one go.
    const problems = parsed.problems.slice(0, 20).map((p) => `• ${p.replace(/[`<>&]/g, '').slice(0, 200)}`);
    const more = parsed.problems.length > 20 ? [`• and ${parsed.problems.length - 20} more`] : [];
    return { ok: false, message: ['The namespaces after `only` can\'t be restored as written:', ...problems, ...more].join('\n') };
  }
  return { ok: true, namespaces: parsed.namespaces.map((n) => n.text), next: i };
}
