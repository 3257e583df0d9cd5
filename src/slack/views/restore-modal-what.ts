// "What to restore": the whole cluster, or databases or collections (a collection-level restore, dedicated sources
// only), with how to write them and which indexes to build. Pure. The radio and the write strategy dispatch an
// action: the modal is rebuilt, because the warning and the typed confirmation follow them.
import type { KnownBlock, PlainTextOption } from '@slack/types';
import { MAX_NAMESPACES } from '../../policy/parse-namespaces.js';
import { clip, escapeText, splitText } from './format.js';
import {
  INDEX_STRATEGY_ACTION_ID,
  INDEX_STRATEGY_BLOCK_ID,
  NAMESPACES_BLOCK_ID,
  NAMESPACES_INPUT_ACTION_ID,
  WHAT_BLOCK_ID,
  WHAT_SELECT_ACTION_ID,
  WRITE_STRATEGY_ACTION_ID,
  WRITE_STRATEGY_BLOCK_ID,
} from './ids.js';
import { LEFT_OUT_NAME_MAX, LEFT_OUT_NAMED, type IndexStrategy, type LeftOutNamespaces, type ModalChoices, type WriteStrategy } from './modal-choices.js';
import { collectionsUnavailable, type SourceFacts } from './source-facts.js';

/**
 * Slack's limit for a plain_text_input: 100 namespaces of ordinary length fit; Atlas's full 100 databases and 100
 * collections only with short names.
 */
export const NAMESPACES_MAX_LENGTH = 3000;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const option = (value: string, text: string, description?: string): PlainTextOption => ({
  text: plain(clip(text, 75)),
  value,
  ...(description ? { description: plain(clip(description, 75)) } : {}),
});

const WHAT_OPTIONS: Record<ModalChoices['what'], PlainTextOption> = {
  cluster: option('cluster', 'The whole cluster', 'Everything on the target is replaced'),
  namespaces: option('namespaces', 'Databases or collections', `Up to ${MAX_NAMESPACES} databases and ${MAX_NAMESPACES} collections`),
};

const WRITE_OPTIONS: Record<WriteStrategy, PlainTextOption> = {
  CREATE_NEW: option('CREATE_NEW', 'Beside the live data (CREATE_NEW)', 'Atlas renames a restored namespace that exists already'),
  OVERWRITE_EXISTING: option('OVERWRITE_EXISTING', 'Replace them on the target (OVERWRITE_EXISTING)', 'Their data there is lost; stop writes to them until the restore ends'),
};

const INDEX_OPTIONS: Record<IndexStrategy, PlainTextOption> = {
  ALL: option('ALL', 'All indexes'),
  ALL_EXCEPT_TTL: option('ALL_EXCEPT_TTL', 'All indexes but TTL ones', 'Restored documents do not expire before you look at them'),
  NONE: option('NONE', 'No indexes', 'Faster; build the ones you need yourself'),
};

const note = (text: string, blockId = 'restore_what_info'): KnownBlock => ({ type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: clip(text, 3000) }] });

/**
 * What the box can start with: whole lines, as many as its 3000 characters hold (a list from the command can be
 * longer), and the ones left out. A namespace cut in the middle would be restored under a name nobody asked for.
 */
export function namespacesBoxText(text: string): { text: string; left: string[] } {
  if (text.length <= NAMESPACES_MAX_LENGTH) return { text, left: [] };
  const [box = '', ...rest] = splitText(text, NAMESPACES_MAX_LENGTH);
  return { text: box, left: rest.flatMap((part) => part.split('\n')).filter((l) => l.trim() !== '') };
}

/**
 * The namespaces of the command's list that the box can't start with, as the note names them; on a rebuild the box
 * holds only what fit, so the ones left out come from the choices (kept in the modal's metadata).
 */
export function namespacesLeftOut(choices: Pick<ModalChoices, 'namespacesText' | 'namespacesLeftOut'>): LeftOutNamespaces | undefined {
  const { left } = namespacesBoxText(choices.namespacesText);
  // A namespace is at most 255 bytes in MongoDB: a longer line is no namespace, and is shown cut.
  return left.length > 0 ? { first: left.slice(0, LEFT_OUT_NAMED).map((ns) => clip(ns, LEFT_OUT_NAME_MAX)), count: left.length } : choices.namespacesLeftOut;
}

function leftOutNote({ first, count }: LeftOutNamespaces): string {
  const named = first.map((ns) => `\`${escapeText(ns)}\``).join(', ');
  const more = count > first.length ? ` and ${count - first.length} more` : '';
  return `:warning: *${count} of the namespaces from the command did not fit in the box* (Slack takes 3000 characters): ${named}${more}. Restore them in another request.`;
}

function radio(blockId: string, actionId: string, label: string, options: PlainTextOption[], initial: PlainTextOption, dispatch: boolean): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    ...(dispatch ? { dispatch_action: true } : {}),
    label: plain(label),
    element: { type: 'radio_buttons', action_id: actionId, options, initial_option: initial },
  };
}

/** The blocks of "what to restore", for a loaded source; `choices` are the effective ones (see effectiveChoices). */
export function whatBlocks(sourceKey: string | undefined, facts: SourceFacts, choices: ModalChoices): KnownBlock[] {
  if (sourceKey === undefined || facts.status !== 'loaded') return [];
  const why = collectionsUnavailable(sourceKey, facts);
  if (why) return [note(`*The whole cluster* is restored: ${why}`)];
  const blocks = [radio(WHAT_BLOCK_ID, WHAT_SELECT_ACTION_ID, 'What to restore', Object.values(WHAT_OPTIONS), WHAT_OPTIONS[choices.what], true)];
  if (choices.what === 'cluster') return blocks;
  const box = namespacesBoxText(choices.namespacesText);
  blocks.push({
    type: 'input',
    block_id: NAMESPACES_BLOCK_ID,
    label: plain('Databases or collections'),
    hint: plain(`db or db.collection, one per line or comma-separated; databases and collections may be mixed. Up to ${MAX_NAMESPACES} databases and ${MAX_NAMESPACES} collections.`),
    element: {
      type: 'plain_text_input',
      action_id: NAMESPACES_INPUT_ACTION_ID,
      multiline: true,
      max_length: NAMESPACES_MAX_LENGTH,
      placeholder: plain('sales.orders\nsales.customers'),
      ...(box.text ? { initial_value: box.text } : {}),
    },
  });
  const leftOut = namespacesLeftOut(choices);
  if (leftOut) blocks.push(note(leftOutNote(leftOut), 'restore_namespaces_info'));
  blocks.push(radio(WRITE_STRATEGY_BLOCK_ID, WRITE_STRATEGY_ACTION_ID, 'How to write them', Object.values(WRITE_OPTIONS), WRITE_OPTIONS[choices.writeStrategy], true));
  blocks.push(radio(INDEX_STRATEGY_BLOCK_ID, INDEX_STRATEGY_ACTION_ID, 'Indexes', Object.values(INDEX_OPTIONS), INDEX_OPTIONS[choices.indexStrategy], false));
  return blocks;
}
