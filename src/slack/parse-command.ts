// The /atlas-restore grammar (DESIGN.md §2). Total: every string gives a Command, never a throw.
//
//   (empty)                                 open the modal, nothing pre-filled
//   <source> [<snapshotId>] [to <target>]   open the modal pre-filled
//   status [<request or restore job id>]
//   list
//   drill <name>
//   drills
//   help
//
// Keywords are case-insensitive and win over cluster names: a cluster called "list" must be
// written `project/list`. The handler should reply to `invalid` with `message` + usageText().
import { CLUSTER_NAME_PATTERN, PROJECT_ID_PATTERN, PROJECT_NAME_PATTERN, SNAPSHOT_ID_PATTERN } from '../policy/names.js';

export type Command =
  | { kind: 'open'; source?: string; snapshotId?: string; target?: string }
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
    '`/atlas-restore <source> [<snapshotId>] [to <target>]` open the form pre-filled',
    '`/atlas-restore status [<request or restore job id>]` state of one restore, or of your recent ones',
    '`/atlas-restore list` restores in flight and recent ones',
    '`/atlas-restore drill <name>` run a drill of the policy now (approvers of its target)',
    '`/atlas-restore drills` the policy\'s drills: schedule, next run, last result',
    '`/atlas-restore help` this help',
    '`<source>` and `<target>` are `cluster` or `project/cluster` (project = its policy name or 24-hex id).',
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

  const command: { kind: 'open'; source?: string; snapshotId?: string; target?: string } = { kind: 'open' };
  const sourceError = checkClusterRef(head, 'source');
  if (sourceError) return invalid(sourceError);
  command.source = head;

  let i = 0;
  const next = rest[i];
  if (next !== undefined && next.toLowerCase() !== 'to') {
    if (!SNAPSHOT_ID_PATTERN.test(next)) {
      return invalid(`${shown(next)} isn't a snapshot id (24 hex characters) or \`to <target>\`.`);
    }
    command.snapshotId = next.toLowerCase();
    i += 1;
  }
  const toWord = rest[i];
  if (toWord !== undefined) {
    if (toWord.toLowerCase() !== 'to') return invalid(`Expected \`to <target>\` after the snapshot id, but got ${shown(toWord)}.`);
    const target = rest[i + 1];
    if (target === undefined) return invalid('`to` must be followed by the target cluster, e.g. `to shop/orders-staging`.');
    const targetError = checkClusterRef(target, 'target');
    if (targetError) return invalid(targetError);
    command.target = target;
    const extra = rest.slice(i + 2);
    if (extra.length > 0) return invalid(`Unexpected ${shown(extra.join(' '))} after the target.`);
  }
  return command;
}
