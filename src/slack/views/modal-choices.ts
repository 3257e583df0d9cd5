// The requester's choices in the restore modal beyond source, snapshot and target: what to restore (the whole
// cluster or namespaces), how to write them, and from what (a snapshot or a point in time). Pure.
import { parseNamespaces, type ParseNamespacesResult } from '../../policy/parse-namespaces.js';
import type { RestoreRequest } from '../../restore/types.js';
import { replacesData } from './describe-restore.js';
import { clip } from './format.js';
import { collectionsUnavailable, pointInTimeUnavailable, type SourceFacts } from './source-facts.js';

export type WriteStrategy = NonNullable<RestoreRequest['writeStrategy']>;
export type IndexStrategy = NonNullable<RestoreRequest['indexStrategy']>;

export const WRITE_STRATEGIES: readonly WriteStrategy[] = ['CREATE_NEW', 'OVERWRITE_EXISTING'];
export const INDEX_STRATEGIES: readonly IndexStrategy[] = ['ALL', 'ALL_EXCEPT_TTL', 'NONE'];

export interface ModalChoices {
  what: 'cluster' | 'namespaces';
  /** As typed in the modal's box: `db` or `db.collection`, one per line or comma-separated. */
  namespacesText: string;
  writeStrategy: WriteStrategy;
  indexStrategy: IndexStrategy;
  from: 'snapshot' | 'pointInTime';
  /** Unix seconds; undefined until chosen (the picker then starts empty: nothing restores to a time nobody chose). */
  pointInTime?: number | undefined;
  /** The "take a safety snapshot" checkbox, where the policy offers one: on unless the requester unticks it. */
  keepSafetySnapshot: boolean;
  /**
   * Namespaces from the command that did not fit in the box (Slack's 3000 characters): the first few and how many.
   * Carried through every rebuild, so the note naming them stays until the modal closes.
   */
  namespacesLeftOut?: LeftOutNamespaces | undefined;
}

export interface LeftOutNamespaces {
  /** At most LEFT_OUT_NAMED of them, in the command's order. */
  first: string[];
  count: number;
}

/** How many left-out namespaces the note names (the rest are counted). */
export const LEFT_OUT_NAMED = 3;
/** A named one is cut past this many characters, so that the metadata stays small. */
export const LEFT_OUT_NAME_MAX = 256;

/** What the modal starts with: the whole cluster from a snapshot, and, for namespaces, the safe write (beside the data). */
export const DEFAULT_CHOICES: ModalChoices = {
  what: 'cluster',
  namespacesText: '',
  writeStrategy: 'CREATE_NEW',
  indexStrategy: 'ALL',
  from: 'snapshot',
  keepSafetySnapshot: true,
};

/**
 * The choices the source allows: a namespace or point-in-time choice falls back to the whole cluster or a snapshot
 * while the source can't do it (Flex, serverless, continuous backup off, facts still loading).
 */
export function effectiveChoices(choices: ModalChoices, sourceKey: string | undefined, facts: SourceFacts): ModalChoices {
  if (sourceKey === undefined) return { ...choices, what: 'cluster', from: 'snapshot' };
  return {
    ...choices,
    what: choices.what === 'namespaces' && !collectionsUnavailable(sourceKey, facts) ? 'namespaces' : 'cluster',
    from: choices.from === 'pointInTime' && !pointInTimeUnavailable(sourceKey, facts) ? 'pointInTime' : 'snapshot',
  };
}

/** True when the choices replace data that is on the target now: the typed confirmation and the warnings apply. */
export function choicesReplaceData(choices: Pick<ModalChoices, 'what' | 'writeStrategy'>): boolean {
  return replacesData(choices.what === 'namespaces' ? { namespaces: [], writeStrategy: choices.writeStrategy } : {});
}

/**
 * The modal's box: one namespace per line or comma-separated, blank lines and a trailing comma forgiven (a text box
 * invites them), then the grammar of the command and the policy (every problem at once).
 */
export function parseNamespacesText(text: string): ParseNamespacesResult {
  const items = text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) return { ok: false, problems: ['List the databases or collections to restore (db or db.collection).'] };
  return parseNamespaces(items);
}

/** Problems as one inline error: as many as fit, then how many more (Slack shows a field's error under it). */
export function namespaceProblemsText(problems: readonly string[], max = 1000): string {
  const shown: string[] = [];
  let length = 0;
  for (const problem of problems) {
    if (length + problem.length + 2 > max - 20) break;
    shown.push(problem);
    length += problem.length + 2;
  }
  if (shown.length === 0 && problems[0] !== undefined) shown.push(clip(problems[0], max - 20));
  const more = problems.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
}
