// How a restore's end is titled and explained, the same on the card, in the thread and in `status`: a failed collection
// restore that left namespaces behind, a request that ended before anything reached Atlas.
import { JUDGED_REASON_START, namedNamespaces, unrestoredNamespaces } from '../../restore/collection-progress.js';
import type { RestoreRequest } from '../../restore/types.js';
import { escapeText } from './format.js';

/**
 * A failed collection restore whose reason is the bot's verdict on a job Atlas called SUCCESSFUL
 * (collection-progress.ts), not a reason Atlas gave: it is never introduced by "Atlas says:".
 */
export function isJudgedFailure(req: Pick<RestoreRequest, 'state' | 'failureReason'>): boolean {
  const reason = req.failureReason ?? '';
  return req.state === 'failed' && reason.startsWith(JUDGED_REASON_START);
}

/** Why a request that ended before anything reached Atlas was not submitted ("Not submitted: …"); else undefined. */
export function notSubmittedReason(req: RestoreRequest): string | undefined {
  if (req.state !== 'failed' || req.atlasJobId || !req.failureReason?.startsWith('Not submitted: ')) return undefined;
  return req.failureReason.slice('Not submitted: '.length);
}

/** " Nothing was restored.", unless the reason says it already (a failed safety snapshot's does). */
export function nothingRestoredAfter(reason: string): string {
  return /nothing was restored/i.test(reason) ? '' : ' Nothing was restored.';
}

export interface EndTitle {
  emoji: string;
  /** `Restore failed` */
  head: string;
  /** `not everything was restored` */
  detail?: string | undefined;
}

const END_TITLES = {
  completed: { emoji: ':white_check_mark:', head: 'Restore completed' },
  failed: { emoji: ':x:', head: 'Restore failed' },
  cancelled: { emoji: ':no_entry_sign:', head: 'Restore cancelled' },
  expired: { emoji: ':hourglass:', head: 'Restore expired' },
} as const;

/**
 * The title of a restore's end, the same on the card, in the thread and in `status`. A failed collection restore
 * that left namespaces behind says whether anything was restored (collection-progress.ts: it ends failed).
 */
export function endTitle(req: RestoreRequest, outcome: keyof typeof END_TITLES): EndTitle {
  const base = END_TITLES[outcome];
  if (outcome !== 'failed') return base;
  const results = req.namespaceResults;
  const missing = unrestoredNamespaces(results, namedNamespaces(req)).length;
  if (missing === 0 && !isJudgedFailure(req)) return base;
  // Restored documents count even when their indexes failed; without the list, a judged job restored something.
  const some = results === undefined || results.some((r) => r.state === 'restored' || r.state === 'indexes_failed');
  return { ...base, detail: some ? 'not everything was restored' : 'no namespace was restored' };
}

/** `:x: *Restore failed: not everything was restored*`, or for a drill `:x: *Drill nightly: restore failed, not everything was restored*`. */
export function endTitleText(title: EndTitle, drillName?: string): string {
  if (drillName === undefined) return `${title.emoji} *${title.head}${title.detail ? `: ${title.detail}` : ''}*`;
  const head = `${title.head.charAt(0).toLowerCase()}${title.head.slice(1)}`;
  return `${title.emoji} *Drill ${escapeText(drillName)}: ${head}${title.detail ? `, ${title.detail}` : ''}*`;
}
