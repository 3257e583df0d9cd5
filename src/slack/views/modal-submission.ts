// Reading what the requester submitted in the restore modal (view_submission and block_actions alike). Pure; the
// checks are in modal-validation.ts.
import {
  CONFIRMATION_BLOCK_ID,
  CONFIRMATION_INPUT_ACTION_ID,
  FROM_BLOCK_ID,
  FROM_SELECT_ACTION_ID,
  INDEX_STRATEGY_ACTION_ID,
  INDEX_STRATEGY_BLOCK_ID,
  NAMESPACES_BLOCK_ID,
  NAMESPACES_INPUT_ACTION_ID,
  POINT_IN_TIME_ACTION_ID,
  POINT_IN_TIME_BLOCK_ID,
  REASON_BLOCK_ID,
  REASON_INPUT_ACTION_ID,
  SAFETY_SNAPSHOT_ACTION_ID,
  SAFETY_SNAPSHOT_BLOCK_ID,
  SNAPSHOT_BLOCK_ID_PREFIX,
  SNAPSHOT_SELECT_ACTION_ID,
  SOURCE_BLOCK_ID,
  SOURCE_SELECT_ACTION_ID,
  TARGET_BLOCK_ID_PREFIX,
  TARGET_SELECT_ACTION_ID,
  WHAT_BLOCK_ID,
  WHAT_SELECT_ACTION_ID,
  WRITE_STRATEGY_ACTION_ID,
  WRITE_STRATEGY_BLOCK_ID,
} from './ids.js';
import { INDEX_STRATEGIES, type IndexStrategy, type ModalChoices } from './modal-choices.js';
import { parseModalMeta, type ModalMeta } from './modal-meta.js';
import { SAFETY_SNAPSHOT_OPTION_VALUE } from './restore-modal-safety.js';

export { validateModalSubmission, targetClusterName, confirmationText, sharedClusterNames } from './modal-validation.js';
export type { SubmissionFacts, ModalValidation } from './modal-validation.js';

/** The part of Bolt's ViewOutput we read (view_submission and block_actions alike). */
export interface ModalSubmissionView {
  private_metadata: string;
  state: {
    values: Record<
      string,
      Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] | null; selected_date_time?: number | null }>
    >;
  };
}

export interface ModalSubmission {
  sourceKey: string | undefined;
  snapshotId: string | undefined;
  targetKey: string | undefined;
  reason: string; // trimmed
  confirmation: string; // trimmed
  meta: ModalMeta;
  /** What, how and from what, as the view shows them (a radio that isn't shown reads as its default). */
  choices: ModalChoices;
  /** Block ids present in the view: errors can only be attached to input blocks that exist. */
  blockIds: {
    snapshot: string | undefined;
    target: string | undefined;
    what: boolean;
    namespaces: boolean;
    from: boolean;
    pointInTime: boolean;
    /** Whether the form had the typed confirmation yet (a choice that replaces data may be sent before the redraw). */
    confirmation: boolean;
    writeStrategy: boolean;
  };
}

function findBlockId(values: ModalSubmissionView['state']['values'], prefix: string): string | undefined {
  return Object.keys(values).find((id) => id === prefix || id.startsWith(`${prefix}:`));
}

/** Throws ModalMetaError when private_metadata isn't ours. */
export function readModalSubmission(view: ModalSubmissionView): ModalSubmission {
  const values = view.state.values;
  const selected = (blockId: string | undefined, actionId: string) =>
    blockId === undefined ? undefined : (values[blockId]?.[actionId]?.selected_option?.value ?? undefined);
  const text = (blockId: string, actionId: string) => (values[blockId]?.[actionId]?.value ?? '').trim();
  const snapshotBlock = findBlockId(values, SNAPSHOT_BLOCK_ID_PREFIX);
  const targetBlock = findBlockId(values, TARGET_BLOCK_ID_PREFIX);
  const index = selected(INDEX_STRATEGY_BLOCK_ID, INDEX_STRATEGY_ACTION_ID);
  const time = values[POINT_IN_TIME_BLOCK_ID]?.[POINT_IN_TIME_ACTION_ID]?.selected_date_time;
  const safety = values[SAFETY_SNAPSHOT_BLOCK_ID]?.[SAFETY_SNAPSHOT_ACTION_ID];
  const meta = parseModalMeta(view.private_metadata);
  // A hidden box has no value in the state: what was typed in it before it was hidden comes from the metadata.
  const namespacesText = NAMESPACES_BLOCK_ID in values ? (values[NAMESPACES_BLOCK_ID]?.[NAMESPACES_INPUT_ACTION_ID]?.value ?? '') : (meta.kept?.namespacesText ?? '');
  const pointInTime = POINT_IN_TIME_BLOCK_ID in values ? (typeof time === 'number' && Number.isInteger(time) ? time : undefined) : meta.kept?.pointInTime;
  const choices: ModalChoices = {
    what: selected(WHAT_BLOCK_ID, WHAT_SELECT_ACTION_ID) === 'namespaces' ? 'namespaces' : 'cluster',
    namespacesText,
    // Overwriting is never a default: only the explicit choice of the option overwrites.
    writeStrategy: selected(WRITE_STRATEGY_BLOCK_ID, WRITE_STRATEGY_ACTION_ID) === 'OVERWRITE_EXISTING' ? 'OVERWRITE_EXISTING' : 'CREATE_NEW',
    indexStrategy: INDEX_STRATEGIES.includes(index as IndexStrategy) ? (index as IndexStrategy) : 'ALL',
    from: selected(FROM_BLOCK_ID, FROM_SELECT_ACTION_ID) === 'pointInTime' ? 'pointInTime' : 'snapshot',
    pointInTime,
    // Not shown: on, so that it starts ticked when a rebuild shows it (another target, another write strategy).
    keepSafetySnapshot: safety === undefined ? true : (safety.selected_options ?? []).some((o) => o.value === SAFETY_SNAPSHOT_OPTION_VALUE),
    ...(meta.kept?.leftOut ? { namespacesLeftOut: meta.kept.leftOut } : {}),
  };
  return {
    sourceKey: selected(SOURCE_BLOCK_ID, SOURCE_SELECT_ACTION_ID),
    snapshotId: selected(snapshotBlock, SNAPSHOT_SELECT_ACTION_ID),
    targetKey: selected(targetBlock, TARGET_SELECT_ACTION_ID),
    reason: text(REASON_BLOCK_ID, REASON_INPUT_ACTION_ID),
    confirmation: text(CONFIRMATION_BLOCK_ID, CONFIRMATION_INPUT_ACTION_ID),
    meta,
    choices,
    blockIds: {
      snapshot: snapshotBlock,
      target: targetBlock,
      what: WHAT_BLOCK_ID in values,
      namespaces: NAMESPACES_BLOCK_ID in values,
      from: FROM_BLOCK_ID in values,
      pointInTime: POINT_IN_TIME_BLOCK_ID in values,
      confirmation: CONFIRMATION_BLOCK_ID in values,
      writeStrategy: WRITE_STRATEGY_BLOCK_ID in values,
    },
  };
}
