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
//
// What to restore (restore-modal-what.ts), from what (restore-modal-from.ts) and the safety snapshot
// (restore-modal-safety.ts) follow what the source supports (SourceFacts) and the target's policy; the radios, the
// write strategy and the target dispatch actions, and the modal is rebuilt from its own state (readModalSubmission).
import type { KnownBlock, ModalView } from '@slack/types';
import type { ClusterRef } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { clip, escapeText } from './format.js';
import { STOP_WRITES } from './describe-restore.js';
import { choicesReplaceData, DEFAULT_CHOICES, effectiveChoices, type ModalChoices } from './modal-choices.js';
import { clusterSelectOptions } from './cluster-select-options.js';
import { buildModalMeta, targetBlockId, type ModalMeta } from './modal-meta.js';
import { fromBlocks } from './restore-modal-from.js';
import { safetyBlocks, safetySnapshotPlan, type SafetyFacts } from './restore-modal-safety.js';
import { namespacesBoxText, namespacesLeftOut, whatBlocks } from './restore-modal-what.js';
import type { SnapshotSection } from './snapshot-blocks.js';
import { collectionsUnavailable, type SourceFacts } from './source-facts.js';
import { confirmationText, MAX_REASON_LENGTH, targetClusterName } from './modal-validation.js';
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
export { readModalSubmission, validateModalSubmission, confirmationText, sharedClusterNames, targetClusterName } from './modal-submission.js';
export type { ModalSubmission, ModalSubmissionView, SubmissionFacts, ModalValidation } from './modal-submission.js';

export type { SnapshotSection } from './snapshot-blocks.js';
export type { SourceFacts } from './source-facts.js';
export type { ModalChoices } from './modal-choices.js';
export type { SafetyFacts } from './restore-modal-safety.js';

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
  /** What the selected source supports (namespaces, point in time); loading until known. */
  sourceFacts?: SourceFacts | undefined;
  /** What to restore, how, and from what: the defaults until the requester or the command says otherwise. */
  choices?: ModalChoices | undefined;
  /** Now, in Unix seconds: where the point-in-time picker starts, and the restorable window's end. */
  nowSeconds?: number | undefined;
  /** The selected target's safety snapshot rules and type; undefined: no target selected. */
  safety?: SafetyFacts | undefined;
  /** Cluster names (lower case) in more than one project of the policy: confirmed by `project/cluster` only. */
  sharedClusterNames?: readonly string[] | undefined;
}

export const ALL_DATA_REPLACED_WARNING =
  ':warning: *A restore replaces ALL data on the target cluster.* Anything written to it after the snapshot is lost, and it cannot be undone.';
export const ALL_DATA_REPLACED_AT_TIME_WARNING =
  ':warning: *A restore replaces ALL data on the target cluster.* Anything written to it after the chosen time is lost, and it cannot be undone.';
export const NAMESPACES_REPLACED_WARNING =
  `:warning: *The namespaces you list are replaced on the target cluster.* What they hold there now is lost, and it cannot be undone; the rest of the target is left as it is. ${STOP_WRITES}`;
export const BESIDE_LIVE_DATA_NOTE =
  ':information_source: *The live data is left as it is*: restored namespaces are written beside it (Atlas gives a new name to one that exists already).';

function warningText(choices: ModalChoices): string {
  if (choices.what === 'namespaces') return choices.writeStrategy === 'OVERWRITE_EXISTING' ? NAMESPACES_REPLACED_WARNING : BESIDE_LIVE_DATA_NOTE;
  return choices.from === 'pointInTime' ? ALL_DATA_REPLACED_AT_TIME_WARNING : ALL_DATA_REPLACED_WARNING;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});

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
  const select = clusterSelectOptions(state.sources);
  const initial = select.optionOf(state.selectedSourceKey);
  return {
    type: 'input',
    block_id: SOURCE_BLOCK_ID,
    dispatch_action: true, // a change reloads the snapshots
    label: plain('Source cluster'),
    element: {
      type: 'static_select',
      action_id: SOURCE_SELECT_ACTION_ID,
      placeholder: plain('Cluster to restore from'),
      ...select.element,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function targetLabel(choices: ModalChoices): string {
  if (choices.what === 'cluster') return 'Target cluster (its data will be replaced)';
  return choices.writeStrategy === 'OVERWRITE_EXISTING' ? 'Target cluster (the listed namespaces will be replaced)' : 'Target cluster (restored beside its live data)';
}

function targetBlock(state: RestoreModalState, sourceKey: string | undefined, choices: ModalChoices): KnownBlock {
  const select = clusterSelectOptions(state.targets);
  const initial = select.optionOf(state.selectedTargetKey ?? sourceKey);
  return {
    type: 'input',
    block_id: targetBlockId(sourceKey),
    dispatch_action: true, // a change shows the new target's safety snapshot rules
    label: plain(targetLabel(choices)),
    element: {
      type: 'static_select',
      action_id: TARGET_SELECT_ACTION_ID,
      placeholder: plain('Cluster to restore into'),
      ...select.element,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

/** The typed confirmation; a target whose name is in several projects must be typed with its project. */
function confirmationBlock(state: RestoreModalState, sourceKey: string | undefined, choices: ModalChoices): KnownBlock {
  const replaced = choices.what === 'namespaces' ? 'The namespaces you list will be replaced on the target cluster.' : 'All data on the target cluster will be replaced.';
  const wanted = state.selectedTargetKey ?? sourceKey;
  // As the target select shows it: no target is selected when the wanted one is not among its options.
  const targetKey = state.targets.some((t) => clusterKey(t) === wanted) ? wanted : undefined;
  const shared = targetKey !== undefined && (state.sharedClusterNames ?? []).includes(targetClusterName(targetKey).toLowerCase());
  const expected = targetKey === undefined ? undefined : confirmationText(targetKey, shared);
  return {
    type: 'input',
    block_id: CONFIRMATION_BLOCK_ID,
    label: plain(shared ? 'Type the target project/cluster to confirm' : 'Type the target cluster name to confirm'),
    hint: plain(
      shared && expected
        ? `${replaced} A cluster named ${targetClusterName(expected)} is in more than one project: type the project too, exactly ${expected}.`
        : `${replaced} Type its cluster name exactly${expected ? `: ${expected}` : ', e.g. orders-staging'}.`,
    ),
    element: {
      type: 'plain_text_input',
      action_id: CONFIRMATION_INPUT_ACTION_ID,
      max_length: 200,
      placeholder: plain(shared ? 'Target project/cluster' : 'Target cluster name'),
    },
  };
}

export function buildRestoreModal(state: RestoreModalState): ModalView {
  const entered = state.choices ?? DEFAULT_CHOICES;
  const meta: ModalMeta = { ...state.meta, timeZone: state.meta.timeZone ?? state.timeZone, kept: { namespacesText: namespacesBoxText(entered.namespacesText).text, pointInTime: entered.pointInTime, leftOut: namespacesLeftOut(entered) } };
  const blocks: KnownBlock[] = [];
  // A notice may list many clusters: a section holds 3000 characters, and views.update fails beyond.
  if (state.notice) blocks.push(section(clip(`:information_source: ${escapeText(state.notice)}`, 3000), 'restore_notice'));
  if (state.sources.length === 0 || state.targets.length === 0) {
    blocks.push(section("You aren't allowed to request a restore of any cluster in the restore policy. Ask its owners to add you to the requesters."));
    return baseModal(meta, blocks, false);
  }
  const source = state.sources.find((s) => clusterKey(s) === state.selectedSourceKey);
  const sourceKey = source ? clusterKey(source) : undefined;
  const facts = state.sourceFacts ?? { status: 'loading' };
  const choices = effectiveChoices(entered, sourceKey, facts);
  const replaces = choicesReplaceData(choices);
  blocks.push(section(warningText(choices), 'restore_warning'));
  blocks.push(sourceBlock(state));
  // While the facts load, or when they couldn't be read, one line says so for both questions.
  if (sourceKey !== undefined && facts.status !== 'loaded') {
    const text =
      facts.status === 'loading'
        ? `:hourglass_flowing_sand: Loading what \`${escapeText(sourceKey)}\` supports (databases or collections, point in time)…`
        : `:warning: ${collectionsUnavailable(sourceKey, facts) ?? ''} Until then, only a whole-cluster restore from a snapshot is offered.`;
    blocks.push({ type: 'context', block_id: 'restore_capabilities', elements: [{ type: 'mrkdwn', text: clip(text, 3000) }] });
  }
  blocks.push(...whatBlocks(sourceKey, facts, choices));
  const nowSeconds = state.nowSeconds ?? 0;
  blocks.push(...fromBlocks({ sourceKey, facts, choices, snapshots: state.snapshots, selectedSnapshotId: state.selectedSnapshotId, timeZone: state.timeZone, nowSeconds }));
  blocks.push(targetBlock(state, sourceKey, choices));
  blocks.push(...safetyBlocks(safetySnapshotPlan(state.safety, replaces, choices.keepSafetySnapshot)));
  blocks.push({
    type: 'input',
    block_id: REASON_BLOCK_ID,
    label: plain('Reason'),
    hint: plain('Shown on the request card for the approvers.'),
    element: {
      type: 'plain_text_input',
      action_id: REASON_INPUT_ACTION_ID,
      multiline: true,
      max_length: MAX_REASON_LENGTH,
      placeholder: plain(choices.from === 'pointInTime' ? 'Why are you restoring, and why this time?' : 'Why are you restoring, and why this snapshot?'),
      ...(state.reason ? { initial_value: clip(state.reason, MAX_REASON_LENGTH) } : {}),
    },
  });
  // A restore beside the live data replaces nothing: there is nothing to confirm by typing a name.
  if (!replaces) return baseModal(meta, blocks, true);
  blocks.push(confirmationBlock(state, sourceKey, choices));
  return baseModal(meta, blocks, true);
}
