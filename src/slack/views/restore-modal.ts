// The restore modal (DESIGN.md §2 "The conversation", step 1). Pure builders and readers.
//
// Flow for the handlers: open buildLoadingModal() within 3 s of the slash command, fetch snapshots,
// then views.update with buildRestoreModal(). When the source select changes (block_actions with
// SOURCE_SELECT_ACTION_ID), read the current values with readModalSubmission(body.view), rebuild
// with snapshots {status:'loading'} and again once loaded.
//
// Snapshot and target blocks carry the selected source in their block id: Slack keeps what a user
// entered in an input block across views.update as long as its block id is unchanged, which would
// keep a snapshot of the previous source selected. Reason and confirmation keep stable ids.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { ClusterRef } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { clip, escapeText } from './format.js';
import { buildModalMeta, targetBlockId, type ModalMeta } from './modal-meta.js';
import { snapshotBlocks, type SnapshotSection } from './snapshot-blocks.js';
import {
  CONFIRMATION_BLOCK_ID,
  CONFIRMATION_INPUT_ACTION_ID,
  REASON_BLOCK_ID,
  REASON_INPUT_ACTION_ID,
  RESTORE_MODAL_CALLBACK_ID,
  SOURCE_BLOCK_ID,
  SOURCE_SELECT_ACTION_ID,
  TARGET_SELECT_ACTION_ID,
} from './ids.js';

export { buildModalMeta, parseModalMeta, ModalMetaError, snapshotBlockId, targetBlockId } from './modal-meta.js';
export type { ModalMeta } from './modal-meta.js';
export { readModalSubmission, validateModalSubmission } from './modal-submission.js';
export type { ModalSubmission, ModalSubmissionView, SubmissionFacts, ModalValidation } from './modal-submission.js';

export type { SnapshotSection } from './snapshot-blocks.js';

export interface RestoreModalState {
  meta: ModalMeta;
  /** IANA zone of the viewer (users.info `tz`); unknown zones fall back to UTC. */
  timeZone: string;
  /** Clusters the requester may use as source / target. */
  sources: readonly ClusterRef[];
  targets: readonly ClusterRef[];
  selectedSourceKey?: string | undefined;
  snapshots: SnapshotSection;
  selectedSnapshotId?: string | undefined;
  /** Defaults to the source when it is a permitted target. */
  selectedTargetKey?: string | undefined;
  reason?: string | undefined;
  /** A line shown at the top, e.g. why a pre-filled value from the command was dropped. */
  notice?: string | undefined;
}

const MAX_CLUSTER_OPTIONS = 100;
export const ALL_DATA_REPLACED_WARNING =
  ':warning: *A restore replaces ALL data on the target cluster.* Anything written to it after the snapshot is lost, and it cannot be undone.';

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});

function clusterOption(ref: ClusterRef): PlainTextOption {
  const label = ref.type ? `${clusterKey(ref)} (${ref.type})` : clusterKey(ref);
  return { text: plain(clip(label, 75)), value: clusterKey(ref) };
}

function baseModal(meta: ModalMeta, blocks: KnownBlock[], withSubmit: boolean): ModalView {
  return {
    type: 'modal',
    callback_id: RESTORE_MODAL_CALLBACK_ID,
    title: plain('Atlas restore'),
    close: plain('Cancel'),
    ...(withSubmit ? { submit: plain('Request restore') } : {}),
    private_metadata: buildModalMeta(meta),
    blocks,
  };
}

/** Opened at once from the slash command (trigger_id lasts 3 s); no submit button. */
export function buildLoadingModal(meta: ModalMeta, text = ':hourglass_flowing_sand: Loading clusters and snapshots…'): ModalView {
  return baseModal(meta, [section(text, 'restore_loading')], false);
}

function sourceBlock(state: RestoreModalState): KnownBlock {
  const options = state.sources.slice(0, MAX_CLUSTER_OPTIONS).map(clusterOption);
  const initial = options.find((o) => o.value === state.selectedSourceKey);
  return {
    type: 'input',
    block_id: SOURCE_BLOCK_ID,
    dispatch_action: true, // a change reloads the snapshots
    label: plain('Source cluster'),
    element: {
      type: 'static_select',
      action_id: SOURCE_SELECT_ACTION_ID,
      placeholder: plain('Cluster to restore from'),
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function targetBlock(state: RestoreModalState, sourceKey: string | undefined): KnownBlock {
  const options = state.targets.slice(0, MAX_CLUSTER_OPTIONS).map(clusterOption);
  const initial = options.find((o) => o.value === (state.selectedTargetKey ?? sourceKey));
  return {
    type: 'input',
    block_id: targetBlockId(sourceKey),
    label: plain('Target cluster (its data will be replaced)'),
    element: {
      type: 'static_select',
      action_id: TARGET_SELECT_ACTION_ID,
      placeholder: plain('Cluster to restore into'),
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

export function buildRestoreModal(state: RestoreModalState): ModalView {
  const meta = { ...state.meta, timeZone: state.meta.timeZone ?? state.timeZone };
  const blocks: KnownBlock[] = [];
  // A notice may list many clusters: a section holds 3000 characters, and views.update fails beyond.
  if (state.notice) blocks.push(section(clip(`:information_source: ${escapeText(state.notice)}`, 3000), 'restore_notice'));
  if (state.sources.length === 0 || state.targets.length === 0) {
    blocks.push(section("You aren't allowed to request a restore of any cluster in the restore policy. Ask its owners to add you to the requesters."));
    return baseModal(meta, blocks, false);
  }
  blocks.push(section(ALL_DATA_REPLACED_WARNING, 'restore_warning'));
  const source = state.sources.find((s) => clusterKey(s) === state.selectedSourceKey);
  const sourceKey = source ? clusterKey(source) : undefined;
  const snapshots = snapshotBlocks({ sourceKey, snapshots: state.snapshots, selectedSnapshotId: state.selectedSnapshotId, timeZone: state.timeZone });
  blocks.push(sourceBlock(state), ...snapshots, targetBlock(state, sourceKey));
  blocks.push({
    type: 'input',
    block_id: REASON_BLOCK_ID,
    label: plain('Reason'),
    hint: plain('Shown on the request card for the approvers.'),
    element: {
      type: 'plain_text_input',
      action_id: REASON_INPUT_ACTION_ID,
      multiline: true,
      max_length: 500,
      placeholder: plain('Why are you restoring, and why this snapshot?'),
      ...(state.reason ? { initial_value: clip(state.reason, 500) } : {}),
    },
  });
  blocks.push({
    type: 'input',
    block_id: CONFIRMATION_BLOCK_ID,
    label: plain('Type the target cluster name to confirm'),
    hint: plain('All data on the target cluster will be replaced. Type its cluster name exactly, e.g. orders-staging.'),
    element: {
      type: 'plain_text_input',
      action_id: CONFIRMATION_INPUT_ACTION_ID,
      max_length: 200,
      placeholder: plain('Target cluster name'),
    },
  });
  return baseModal(meta, blocks, true);
}
