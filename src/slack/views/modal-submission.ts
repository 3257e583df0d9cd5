// Reading and checking what the requester submitted in the restore modal. Policy and Atlas
// checks are done by the handler and passed in as data, so this stays pure.
import { isRestorable, type Snapshot } from '../../atlas/types.js';
import {
  CONFIRMATION_BLOCK_ID,
  CONFIRMATION_INPUT_ACTION_ID,
  REASON_BLOCK_ID,
  REASON_INPUT_ACTION_ID,
  SNAPSHOT_BLOCK_ID_PREFIX,
  SNAPSHOT_SELECT_ACTION_ID,
  SOURCE_BLOCK_ID,
  SOURCE_SELECT_ACTION_ID,
  TARGET_BLOCK_ID_PREFIX,
  TARGET_SELECT_ACTION_ID,
} from './ids.js';
import { parseModalMeta, type ModalMeta } from './modal-meta.js';

/** The part of Bolt's ViewOutput we read (view_submission and block_actions alike). */
export interface ModalSubmissionView {
  private_metadata: string;
  state: {
    values: Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;
  };
}

export interface ModalSubmission {
  sourceKey: string | undefined;
  snapshotId: string | undefined;
  targetKey: string | undefined;
  reason: string; // trimmed
  confirmation: string; // trimmed
  meta: ModalMeta;
  /** Block ids present in the view: errors can only be attached to input blocks that exist. */
  blockIds: { snapshot: string | undefined; target: string | undefined };
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
  return {
    sourceKey: selected(SOURCE_BLOCK_ID, SOURCE_SELECT_ACTION_ID),
    snapshotId: selected(snapshotBlock, SNAPSHOT_SELECT_ACTION_ID),
    targetKey: selected(targetBlock, TARGET_SELECT_ACTION_ID),
    reason: text(REASON_BLOCK_ID, REASON_INPUT_ACTION_ID),
    confirmation: text(CONFIRMATION_BLOCK_ID, CONFIRMATION_INPUT_ACTION_ID),
    meta: parseModalMeta(view.private_metadata),
    blockIds: { snapshot: snapshotBlock, target: targetBlock },
  };
}

export interface SubmissionFacts {
  /** Why the source can't be used (not in policy, not allowed…), from the handler's policy check. */
  sourceError?: string | undefined;
  /** Why the target can't be used (policy, restore already running on it…). */
  targetError?: string | undefined;
  /** The selected snapshot as Atlas knows it now; null = not found; undefined = not checked. */
  snapshot?: Pick<Snapshot, 'id' | 'status' | 'createdAt'> | null | undefined;
}

export type ModalValidation =
  | { ok: true; value: { sourceKey: string; snapshotId: string; targetKey: string; reason: string } }
  | { ok: false; response: { response_action: 'errors'; errors: Record<string, string> } };

/** The cluster name the requester must type: the part after "project/". */
export function targetClusterName(targetKey: string): string {
  const slash = targetKey.indexOf('/');
  return slash >= 0 ? targetKey.slice(slash + 1) : targetKey;
}

/** Inline field errors (`response_action: 'errors'`), keyed by the block ids present in the view. */
export function validateModalSubmission(sub: ModalSubmission, facts: SubmissionFacts = {}): ModalValidation {
  const errors: Record<string, string> = {};
  const put = (blockId: string, message: string) => {
    errors[blockId] ??= message; // first problem per field wins
  };

  if (!sub.sourceKey) put(SOURCE_BLOCK_ID, 'Choose the cluster to restore from.');
  else if (facts.sourceError) put(SOURCE_BLOCK_ID, facts.sourceError);

  const snapshotField = sub.blockIds.snapshot ?? SOURCE_BLOCK_ID;
  if (sub.sourceKey && !sub.blockIds.snapshot) {
    put(SOURCE_BLOCK_ID, 'No snapshot could be listed for this cluster; choose it again or pick another.');
  } else if (!sub.snapshotId) put(snapshotField, 'Choose a snapshot.');
  else if (facts.snapshot === null || (facts.snapshot && facts.snapshot.id !== sub.snapshotId)) {
    put(snapshotField, 'This snapshot no longer exists in Atlas; choose another.');
  } else if (facts.snapshot && facts.snapshot.status !== 'completed') {
    put(snapshotField, `This snapshot is ${facts.snapshot.status}; only completed snapshots can be restored.`);
  } else if (facts.snapshot && !isRestorable(facts.snapshot)) {
    // The request card must say which point in time the target goes back to.
    put(snapshotField, 'Atlas gives no time for this snapshot yet, so it cannot be restored; choose another.');
  }

  const targetField = sub.blockIds.target ?? SOURCE_BLOCK_ID;
  if (!sub.targetKey) put(targetField, 'Choose the cluster to restore into.');
  else if (facts.targetError) put(targetField, facts.targetError);

  if (sub.reason === '') put(REASON_BLOCK_ID, 'Say why you are restoring; the approvers will see it.');

  if (sub.targetKey) {
    const name = targetClusterName(sub.targetKey);
    if (sub.confirmation !== name && sub.confirmation !== sub.targetKey) {
      put(CONFIRMATION_BLOCK_ID, `Type the target cluster name exactly: ${name}`);
    }
  } else if (sub.confirmation === '') {
    put(CONFIRMATION_BLOCK_ID, 'Type the target cluster name to confirm.');
  }

  if (Object.keys(errors).length > 0 || !sub.sourceKey || !sub.snapshotId || !sub.targetKey) {
    return { ok: false, response: { response_action: 'errors', errors } };
  }
  return { ok: true, value: { sourceKey: sub.sourceKey, snapshotId: sub.snapshotId, targetKey: sub.targetKey, reason: sub.reason } };
}
