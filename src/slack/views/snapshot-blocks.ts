// The snapshot part of the restore modal: a select of the snapshots a restore can start from, and a plain note
// about the others. Slack cannot disable one option of a select, so snapshots that are not restorable (still being
// taken, failed) are not offered at all; the note says how many there are. Pure.
import type { KnownBlock, PlainTextOption } from '@slack/types';
import { isRestorable, type Snapshot } from '../../atlas/types.js';
import { clip, escapeText, formatInTimeZone } from './format.js';
import { SNAPSHOT_SELECT_ACTION_ID } from './ids.js';
import { snapshotBlockId } from './modal-meta.js';

/** What the list shows of a snapshot: a rebuild of the modal reads these from the per-view cache, not from Atlas. */
export type ShownSnapshot = Pick<Snapshot, 'id' | 'status' | 'createdAt' | 'snapshotType'>;

export type SnapshotSection =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'loaded'; snapshots: readonly ShownSnapshot[] };

const MAX_SNAPSHOT_OPTIONS = 100;
const INFO_BLOCK_ID = 'restore_snapshot_info';
const RUNNING = new Set(['queued', 'inProgress']);

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const info = (text: string): KnownBlock => ({ type: 'section', block_id: INFO_BLOCK_ID, text: { type: 'mrkdwn', text: clip(text, 3000) } });
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Option label: the time in the viewer's zone and the kind; the description names the id. */
function snapshotOption(snapshot: ShownSnapshot & { createdAt: string }, timeZone: string): PlainTextOption {
  const kind = snapshot.snapshotType ? ` · ${snapshot.snapshotType}` : '';
  return {
    text: plain(clip(`${formatInTimeZone(snapshot.createdAt, timeZone)}${kind}`, 75)),
    value: snapshot.id,
    description: plain(clip(`completed · ${snapshot.id}`, 75)),
  };
}

/** "1 snapshot in progress, not restorable yet. 2 failed snapshots are not listed." */
function unlistedNote(unlisted: readonly ShownSnapshot[]): string | undefined {
  const running = unlisted.filter((s) => RUNNING.has(s.status)).length;
  const failed = unlisted.filter((s) => s.status === 'failed').length;
  const other = unlisted.length - running - failed;
  const parts: string[] = [];
  if (running > 0) parts.push(`${plural(running, 'snapshot')} in progress, not restorable yet.`);
  if (failed > 0) parts.push(`${plural(failed, 'failed snapshot')} ${failed === 1 ? 'is' : 'are'} not listed.`);
  if (other > 0) parts.push(`${plural(other, 'other snapshot')} not restorable (not completed, or without a time) ${other === 1 ? 'is' : 'are'} not listed.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function byTimeNewestFirst(a: { createdAt: string }, b: { createdAt: string }): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}

export interface SnapshotBlocksInput {
  /** `project/cluster` of the selected source, or undefined when none is selected. */
  sourceKey: string | undefined;
  snapshots: SnapshotSection;
  selectedSnapshotId?: string | undefined;
  timeZone: string;
}

export function snapshotBlocks({ sourceKey, snapshots: snaps, selectedSnapshotId, timeZone }: SnapshotBlocksInput): KnownBlock[] {
  if (sourceKey === undefined) return [info('_Choose a source cluster to see its snapshots._')];
  const name = `\`${escapeText(sourceKey)}\``;
  if (snaps.status === 'loading') return [info(`:hourglass_flowing_sand: Loading snapshots of ${name}…`)];
  if (snaps.status === 'error') return [info(`:warning: The snapshots of ${name} couldn't be loaded: ${escapeText(snaps.message)}`)];
  if (snaps.snapshots.length === 0) return [info(`${name} has no snapshots to restore from.`)];

  const restorable = snaps.snapshots.filter((s) => isRestorable(s)).sort(byTimeNewestFirst);
  const unlisted = snaps.snapshots.filter((s) => !isRestorable(s));
  const notes: string[] = [];
  const unlistedText = unlistedNote(unlisted);
  if (unlistedText) notes.push(unlistedText);
  const selected = selectedSnapshotId?.toLowerCase();
  const selectedUnlisted = unlisted.find((s) => s.id === selected);
  if (selectedUnlisted) {
    notes.push(`Snapshot \`${escapeText(selectedUnlisted.id)}\` is ${escapeText(selectedUnlisted.status)}: only completed snapshots can be restored.`);
  } else if (selectedSnapshotId && !restorable.some((s) => s.id === selected)) {
    notes.push(`Snapshot \`${escapeText(selectedSnapshotId)}\` isn't among the snapshots listed for ${name}.`);
  }
  if (restorable.length === 0) return [info(`${name} has no completed snapshot to restore from yet. ${notes.join(' ')}`.trim())];

  const shown = restorable.slice(0, MAX_SNAPSHOT_OPTIONS);
  const options = shown.map((s) => snapshotOption(s, timeZone));
  const initial = options.find((o) => o.value === selected);
  if (restorable.length > shown.length) notes.unshift(`Showing the ${shown.length} newest of ${restorable.length} snapshots.`);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: snapshotBlockId(sourceKey),
      label: plain('Snapshot'),
      hint: plain(`Newest first, times in ${timeZone}. Only completed snapshots are listed: they are the ones that can be restored.`),
      element: {
        type: 'static_select',
        action_id: SNAPSHOT_SELECT_ACTION_ID,
        placeholder: plain('Snapshot to restore'),
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
  ];
  if (notes.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: notes.join(' ') }] });
  return blocks;
}
