// Checking what the requester submitted in the restore modal. Policy and Atlas checks are done by the handler and
// passed in as data, so this stays pure. Every problem comes back at once, each on its own field.
import { isRestorable, type Snapshot } from '../../atlas/types.js';
import { CONFIRMATION_BLOCK_ID, FROM_BLOCK_ID, NAMESPACES_BLOCK_ID, POINT_IN_TIME_BLOCK_ID, REASON_BLOCK_ID, SOURCE_BLOCK_ID, WHAT_BLOCK_ID, WRITE_STRATEGY_BLOCK_ID } from './ids.js';
import { choicesReplaceData, namespaceProblemsText, parseNamespacesText, type IndexStrategy, type WriteStrategy } from './modal-choices.js';
import type { ModalSubmission } from './modal-submission.js';
import type { ClusterRef } from '../../restore/types.js';

export interface SubmissionFacts {
  /** Why the source can't be used (not in policy, not allowed…), from the handler's policy check. */
  sourceError?: string | undefined;
  /** Why the target can't be used (policy, restore already running on it, a safety snapshot it can't have…). */
  targetError?: string | undefined;
  /** The selected snapshot as Atlas knows it now; null = not found; undefined = not checked. */
  snapshot?: Pick<Snapshot, 'id' | 'status' | 'createdAt'> | null | undefined;
  /** Why the snapshot, restorable now, won't do: Atlas deletes it before the request could be sent. */
  snapshotError?: string | undefined;
  /** Why the source can't restore namespaces (not dedicated). */
  whatError?: string | undefined;
  /** Why the source can't restore to a point in time (type, continuous backup off). */
  fromError?: string | undefined;
  /** Why this time can't be restored to: outside the window (which the message names), no base snapshot, no answer. */
  pointInTimeError?: string | undefined;
  /** The target's cluster name is in more than one project of the policy: only `project/cluster` confirms it. */
  targetNameShared?: boolean | undefined;
}

export interface ValidSubmission {
  sourceKey: string;
  targetKey: string;
  reason: string;
  /** From a snapshot… */
  snapshotId?: string | undefined;
  /** …or to a point in time (Unix seconds). */
  pointInTime?: number | undefined;
  /** A collection-level restore: the namespaces, as written (`db` or `db.collection`). */
  namespaces?: string[] | undefined;
  writeStrategy?: WriteStrategy | undefined;
  indexStrategy?: IndexStrategy | undefined;
}

export type ModalValidation = { ok: true; value: ValidSubmission } | { ok: false; response: { response_action: 'errors'; errors: Record<string, string> } };

/** The reason box's max_length: the form's limit, enforced again on submission (its contents are the user's). */
export const MAX_REASON_LENGTH = 500;

/** The cluster name the requester must type: the part after "project/". */
export function targetClusterName(targetKey: string): string {
  const slash = targetKey.indexOf('/');
  return slash >= 0 ? targetKey.slice(slash + 1) : targetKey;
}

/**
 * Cluster names (lower case, as the policy matches them) found in more than one project. Typing such a name alone
 * would confirm `shop-staging/orders` and `shop-prod/orders` alike, so it confirms neither.
 */
export function sharedClusterNames(clusters: readonly Pick<ClusterRef, 'project' | 'cluster'>[]): string[] {
  const projects = new Map<string, Set<string>>();
  for (const c of clusters) {
    const name = c.cluster.toLowerCase();
    projects.set(name, (projects.get(name) ?? new Set()).add(c.project.toLowerCase()));
  }
  return [...projects].filter(([, inProjects]) => inProjects.size > 1).map(([name]) => name);
}

/** What the requester must type to confirm `targetKey`: the cluster name, or `project/cluster` when the name is shared. */
export function confirmationText(targetKey: string, nameShared: boolean): string {
  return nameShared ? targetKey : targetClusterName(targetKey);
}

/** Plain text (a modal's inline error). */
function confirmationProblem(targetKey: string, nameShared: boolean): string {
  const name = targetClusterName(targetKey);
  if (!nameShared) return `Type the target cluster name exactly: ${name}`;
  return `A cluster named ${name} is in more than one project, so type the project too, exactly: ${targetKey}`;
}

/** Inline field errors (`response_action: 'errors'`), keyed by the block ids present in the view. */
export function validateModalSubmission(sub: ModalSubmission, facts: SubmissionFacts = {}): ModalValidation {
  const errors: Record<string, string> = {};
  const put = (blockId: string, message: string) => {
    errors[blockId] ??= message; // first problem per field wins
  };
  const { choices, blockIds } = sub;

  if (!sub.sourceKey) put(SOURCE_BLOCK_ID, 'Choose the cluster to restore from.');
  else if (facts.sourceError) put(SOURCE_BLOCK_ID, facts.sourceError);

  const fromPointInTime = choices.from === 'pointInTime';
  if (fromPointInTime) {
    if (facts.fromError) put(blockIds.from ? FROM_BLOCK_ID : SOURCE_BLOCK_ID, facts.fromError);
    else if (!blockIds.pointInTime) put(blockIds.from ? FROM_BLOCK_ID : SOURCE_BLOCK_ID, 'Choose the point in time to restore to.');
    else if (choices.pointInTime === undefined) put(POINT_IN_TIME_BLOCK_ID, 'Choose the date and time to restore to.');
    else if (facts.pointInTimeError) put(POINT_IN_TIME_BLOCK_ID, facts.pointInTimeError);
  } else {
    const snapshotField = blockIds.snapshot ?? SOURCE_BLOCK_ID;
    if (sub.sourceKey && !blockIds.snapshot) {
      put(SOURCE_BLOCK_ID, 'No snapshot could be listed for this cluster; choose it again or pick another.');
    } else if (!sub.snapshotId) put(snapshotField, 'Choose a snapshot.');
    else if (facts.snapshot === null || (facts.snapshot && facts.snapshot.id !== sub.snapshotId)) {
      put(snapshotField, 'This snapshot no longer exists in Atlas; choose another.');
    } else if (facts.snapshot && facts.snapshot.status !== 'completed') {
      put(snapshotField, `This snapshot is ${facts.snapshot.status}; only completed snapshots can be restored.`);
    } else if (facts.snapshot && !isRestorable(facts.snapshot)) {
      // The request card must say which point in time the target goes back to.
      put(snapshotField, 'Atlas gives no time for this snapshot yet, so it cannot be restored; choose another.');
    } else if (facts.snapshotError) put(snapshotField, facts.snapshotError);
  }

  let namespaces: string[] | undefined;
  if (choices.what === 'namespaces') {
    const parsed = parseNamespacesText(choices.namespacesText);
    if (facts.whatError) put(blockIds.what ? WHAT_BLOCK_ID : SOURCE_BLOCK_ID, facts.whatError);
    else if (!blockIds.namespaces) put(blockIds.what ? WHAT_BLOCK_ID : SOURCE_BLOCK_ID, 'List the databases or collections to restore.');
    else if (!parsed.ok) put(NAMESPACES_BLOCK_ID, namespaceProblemsText(parsed.problems));
    else namespaces = parsed.namespaces.map((n) => n.text);
  }

  const targetField = blockIds.target ?? SOURCE_BLOCK_ID;
  if (!sub.targetKey) put(targetField, 'Choose the cluster to restore into.');
  else if (facts.targetError) put(targetField, facts.targetError);

  if (sub.reason === '') put(REASON_BLOCK_ID, 'Say why you are restoring; the approvers will see it.');
  else if (sub.reason.length > MAX_REASON_LENGTH) put(REASON_BLOCK_ID, `Keep the reason to ${MAX_REASON_LENGTH} characters.`);

  // A restore beside the live data has no confirmation box: it replaces nothing.
  if (choicesReplaceData(choices) && !blockIds.confirmation) {
    // Chosen and sent before the form was redrawn with its box: the error goes on the choice (Slack refuses errors
    // on a block the form doesn't have), and the redraw that follows shows the box.
    const choiceField = choices.what === 'namespaces' && blockIds.writeStrategy ? WRITE_STRATEGY_BLOCK_ID : blockIds.what ? WHAT_BLOCK_ID : targetField;
    put(choiceField, 'This replaces data on the target: type the target cluster name in the box the form now shows, then submit again.');
  } else if (choicesReplaceData(choices)) {
    if (sub.targetKey) {
      const shared = facts.targetNameShared === true;
      // The full key always confirms; the bare name only where it names one cluster of the policy.
      const confirmed = sub.confirmation === sub.targetKey || sub.confirmation === confirmationText(sub.targetKey, shared);
      if (!confirmed) put(CONFIRMATION_BLOCK_ID, confirmationProblem(sub.targetKey, shared));
    } else if (sub.confirmation === '') {
      put(CONFIRMATION_BLOCK_ID, 'Type the target cluster name to confirm.');
    }
  }

  const startsFrom = fromPointInTime ? choices.pointInTime !== undefined : !!sub.snapshotId;
  if (Object.keys(errors).length > 0 || !sub.sourceKey || !sub.targetKey || !startsFrom || (choices.what === 'namespaces' && !namespaces)) {
    return { ok: false, response: { response_action: 'errors', errors } };
  }
  const value: ValidSubmission = { sourceKey: sub.sourceKey, targetKey: sub.targetKey, reason: sub.reason };
  if (fromPointInTime) value.pointInTime = choices.pointInTime;
  else value.snapshotId = sub.snapshotId;
  if (namespaces) Object.assign(value, { namespaces, writeStrategy: choices.writeStrategy, indexStrategy: choices.indexStrategy });
  return { ok: true, value };
}
