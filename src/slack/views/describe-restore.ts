// What a request restores, from where, into what and how, in the words the card, the thread and the home share.
// Pure. A whole-cluster restore and OVERWRITE_EXISTING replace data; CREATE_NEW writes beside the live data.
import type { RestoreRequest } from '../../restore/types.js';
import { escapeText, slackDate } from './format.js';

const INDEXES: Record<NonNullable<RestoreRequest['indexStrategy']>, string> = {
  ALL: 'with all indexes',
  NONE: 'without indexes',
  ALL_EXCEPT_TTL: 'with all indexes but TTL ones',
};

/** True when the restore replaces data that is there now: the typed confirmation and the warnings apply. */
export function replacesData(req: Pick<RestoreRequest, 'namespaces' | 'writeStrategy'>): boolean {
  return !req.namespaces || req.writeStrategy === 'OVERWRITE_EXISTING';
}

/** "the whole cluster" or "`sales.orders`, `crm` (2 namespaces)". */
export function restoreWhat(req: Pick<RestoreRequest, 'namespaces'>, max = 10): string {
  if (!req.namespaces || req.namespaces.length === 0) return 'the whole cluster';
  const names = req.namespaces.map((n) => `\`${escapeText(n.sourceNamespace)}\``);
  const shown = names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
  return `${shown} (${names.length} namespace${names.length === 1 ? '' : 's'})`;
}

/** The exact UTC second of a point in time: the card shows it as Atlas will use it. */
export function utcSecond(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z').replace('T', ' ')} UTC`;
}

/** "snapshot `…` (time)" or "the point in time 2026-12-01 14:05:00 UTC (base snapshot `…`)". */
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
