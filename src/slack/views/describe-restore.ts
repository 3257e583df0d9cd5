// What a request restores, from where, into what and how, in the words the card, the thread and the home share.
// Pure. A whole-cluster restore and OVERWRITE_EXISTING replace data; CREATE_NEW writes beside the live data.
import type { RestoreRequest } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { clip, escapeText, slackDate } from './format.js';

const INDEXES: Record<NonNullable<RestoreRequest['indexStrategy']>, string> = {
  ALL: 'with all indexes',
  NONE: 'without indexes',
  ALL_EXCEPT_TTL: 'with all indexes but TTL ones',
};

/** True when the restore replaces data that is there now: the typed confirmation and the warnings apply. */
export function replacesData(req: Pick<RestoreRequest, 'namespaces' | 'writeStrategy'>): boolean {
  return !req.namespaces || req.writeStrategy === 'OVERWRITE_EXISTING';
}

const plural = (n: number) => `${n} namespace${n === 1 ? '' : 's'}`;

/** "the whole cluster" or "`sales.orders`, `crm` (2 namespaces)". */
export function restoreWhat(req: Pick<RestoreRequest, 'namespaces'>, max = 10): string {
  if (!req.namespaces || req.namespaces.length === 0) return 'the whole cluster';
  const names = req.namespaces.map((n) => `\`${escapeText(n.sourceNamespace)}\``);
  const shown = names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
  return `${shown} (${plural(names.length)})`;
}

/**
 * Every namespace, one per line, as far as `maxChars` allows (a card's section holds 3000): 100 names of ordinary
 * length fit (Atlas takes up to 100 databases and 100 collections), and a list cut short says how many are left out
 * rather than hiding them.
 */
export function namespaceLines(req: Pick<RestoreRequest, 'id' | 'namespaces'>, maxChars = 2800): string {
  const names = (req.namespaces ?? []).map((n) => `\`${escapeText(n.sourceNamespace)}\``);
  const lines: string[] = [];
  let used = 0;
  for (const name of names) {
    if (used + name.length + 1 > maxChars - 60) break;
    lines.push(name);
    used += name.length + 1;
  }
  const left = names.length - lines.length;
  return left > 0 ? `${lines.join('\n')}\n…and ${left} more (\`/atlas-restore status ${escapeText(req.id)}\` lists them all)` : lines.join('\n');
}

/** A short tag for one-line summaries: "", " · 3 namespaces", " · point in time", " · 2 namespaces at a point in time". */
export function restoreBrief(req: Pick<RestoreRequest, 'namespaces' | 'pointInTime'>): string {
  const parts = [req.namespaces ? plural(req.namespaces.length) : undefined, req.pointInTime ? (req.namespaces ? 'at a point in time' : 'point in time') : undefined].filter(Boolean);
  return parts.length > 0 ? ` · ${parts.join(' ')}` : '';
}

/** The exact UTC second of a point in time, "2026-12-01 14:05:00 UTC": the card shows it as Atlas will use it. */
export function utcSecond(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, '').replace('T', ' ')} UTC`;
}

/** "snapshot `…` (time)" or "the point in time 2026-12-01 14:05:00 UTC (base snapshot `…`, time)". */
export function restoreFrom(req: Pick<RestoreRequest, 'snapshot' | 'pointInTime'>): string {
  if (req.pointInTime) return `the point in time ${utcSecond(req.pointInTime.utcSeconds)} (base snapshot \`${escapeText(req.snapshot.id)}\`, ${slackDate(req.snapshot.createdAt)})`;
  return `snapshot \`${escapeText(req.snapshot.id)}\` (${slackDate(req.snapshot.createdAt)})`;
}

/** How a collection restore writes; empty for a whole-cluster restore (it replaces everything). */
export function restoreHow(req: Pick<RestoreRequest, 'namespaces' | 'writeStrategy' | 'indexStrategy'>): string {
  if (!req.namespaces) return '';
  const indexes = INDEXES[req.indexStrategy ?? 'ALL'];
  return req.writeStrategy === 'OVERWRITE_EXISTING'
    ? `replacing those namespaces on the target (OVERWRITE_EXISTING), ${indexes}`
    : `beside the live data (CREATE_NEW: a namespace that exists is restored under a new name), ${indexes}`;
}

/**
 * Atlas's own caveat of OVERWRITE_EXISTING (its writeStrategy description): what is written to those namespaces while
 * the restore runs is lost. The form, the card and the Approve dialog say it.
 */
export const STOP_WRITES = 'Stop writes to those namespaces before the approval and until the restore ends: Atlas drops and replaces them, and anything written to them meanwhile is lost.';
const STOP_WRITES_SHORT = 'Stop writes to them from now until the restore ends, or those writes are lost.';
/** Slack's limit for a confirmation dialog's text. */
const CONFIRM_CHARS = 300;

/** The card's and the home's line before Approve: what approving replaces, or that it replaces nothing (naming up to `max` namespaces). */
export function approvalWarning(req: RestoreRequest, target: string, max = 5): string {
  if (!req.namespaces) return `:warning: Approving replaces *ALL data* on ${target} with ${req.pointInTime ? 'the data as it was at that time' : 'this snapshot'}.`;
  if (req.writeStrategy === 'OVERWRITE_EXISTING') return `:warning: Approving replaces ${restoreWhat(req, max)} on ${target}; the rest of it is left as it is. ${STOP_WRITES}`;
  return `:information_source: Approving writes ${restoreWhat(req, max)} beside the live data of ${target}: nothing there is replaced.`;
}

/** The Approve dialog's text (Slack allows 300 characters): what is replaced, or that nothing is. */
export function approveConfirmText(req: RestoreRequest): string {
  const target = clusterKey(req.target);
  const source = clusterKey(req.source);
  const from = req.pointInTime ? `${source} as it was at ${utcSecond(req.pointInTime.utcSeconds)}` : `snapshot ${req.snapshot.id} of ${source}`;
  const names = (req.namespaces ?? []).map((n) => n.sourceNamespace);
  const dry = req.dryRun ? 'Dry run: nothing will be sent to Atlas. In a real run: ' : '';
  // The list takes what the dialog has left (at most 80): the warning around it must fit whole.
  const withList = (text: (list: string) => string) => {
    const room = Math.min(80, CONFIRM_CHARS - dry.length - text('').length);
    return text(clip(names.join(', '), Math.max(20, room)));
  };
  let real: string;
  if (!req.namespaces) real = `ALL data on ${target} will be replaced by ${from}. This cannot be undone.`;
  else if (req.writeStrategy === 'OVERWRITE_EXISTING') real = withList((list) => `${plural(names.length)} on ${target} (${list}) will be replaced by ${from}. ${STOP_WRITES_SHORT} This cannot be undone.`);
  else real = withList((list) => `${plural(names.length)} (${list}) will be restored from ${from} beside the live data of ${target}. Nothing there is replaced.`);
  return `${dry}${real}`;
}
