// Everything the restore form's submission must pass before a request exists, within Slack's 3 seconds: the
// allow-list (again: the form's contents are the user's, not ours), the channel, the snapshot or the point in time
// (window and base snapshot), the namespaces, and the target's safety snapshot. The view's cache is read first;
// Atlas is asked only for what it lacks, everything at once, within one budget.
import { isAtlasApiError } from '../atlas/errors.js';
import { isRestorable, type ClusterType } from '../atlas/types.js';
import { listClusters, mayRequest, mayUseChannel, rulesFor } from '../policy/policy.js';
import { noApproverLeftProblem } from '../policy/approvers-available.js';
import { CHANNEL_ACCESS_BUDGET_MS, channelAccessProblem } from './channel-access.js';
import { findUsableCluster } from './find-usable-cluster.js';
import { pointInTimeMargin } from '../restore/point-in-time-window.js';
import { snapshotExpiryProblem } from './snapshot-expiry.js';
import type { ClusterRef, RestoreRequest, SnapshotRef } from '../restore/types.js';
import type { Services } from './services.js';
import { checkPointInTime, findBaseSnapshot, type BaseSnapshot } from './check-point-in-time.js';
import { sourceFactsWithin, targetTypeWithin } from './load-modal-sources.js';
import { createModalSnapshotCache, type CachedSnapshot } from './modal-snapshot-cache.js';
import { startSubmitClock, type SubmitClock } from './submit-clock.js';
import { targetBackupWithin } from './target-backup-within.js';
import { withDeadline } from './with-deadline.js';
import { choicesReplaceData } from './views/modal-choices.js';
import { safetySnapshotPlan, safetySnapshotToTake } from './views/restore-modal-safety.js';
import { sharedClusterNames, targetClusterName, validateModalSubmission, type ModalSubmission } from './views/restore-modal.js';
import { collectionsUnavailable, typeWords, type SourceFacts } from './views/source-facts.js';

/** Part of Slack's 3 s that a cache miss may spend asking Atlas (the snapshot, the facts, the base snapshot, in parallel). */
const ATLAS_CHECK_BUDGET_MS = 1500;
/** Detecting a target's type is usually a cache hit of the client; a miss gets less than the other lookups. */
const TARGET_TYPE_BUDGET_MS = 800;
/** Part of Slack's 3 s the allow-list may take (a cold user-group cache asks Slack); it comes before the Atlas lookups. */
const ALLOW_LIST_BUDGET_MS = 1000;

/** Said when Slack didn't list a user group's members in time: refused, not guessed, and nothing was requested. */
export const MEMBERSHIP_SLOW_TEXT =
  "Slack didn't answer in time to confirm that you may request this restore (your user groups), so nothing was requested. Submit again in a moment.";

export const MODAL_CHANNEL_REFUSED_TEXT =
  'This form was opened in a channel where /atlas-restore may no longer be used (the restore policy changed). Close it and run /atlas-restore in one of the channels the policy allows.';

export type CheckedSubmission =
  | { ok: false; response: { response_action: 'errors'; errors: Record<string, string> } }
  | {
      ok: true;
      source: ClusterRef;
      target: ClusterRef;
      /** The chosen snapshot, or the base snapshot of a point in time. */
      snapshot: SnapshotRef;
      reason: string;
      pointInTime?: RestoreRequest['pointInTime'];
      namespaces?: RestoreRequest['namespaces'];
      writeStrategy?: RestoreRequest['writeStrategy'];
      indexStrategy?: RestoreRequest['indexStrategy'];
      safetySnapshot?: RestoreRequest['safetySnapshot'];
    };

async function snapshotFor(services: Services, viewId: string, source: ClusterRef, sourceKey: string, snapshotId: string, budgetMs: number): Promise<CachedSnapshot | null | undefined> {
  const cached = await createModalSnapshotCache(services.redis, services.prefix).lookup(viewId, sourceKey, snapshotId);
  if (cached !== undefined) return cached;
  // Not in the cache (the form was opened long ago): ask Atlas, within the budget.
  const lookup = services.atlas
    .getSnapshot({ groupId: source.groupId, clusterName: source.cluster, type: source.type }, snapshotId)
    .catch((err: unknown) => (isAtlasApiError(err) && err.status === 404 ? null : undefined));
  return withDeadline(lookup, budgetMs);
}

/** A collection-level or point-in-time restore of a dedicated cluster goes into a dedicated cluster only. */
function targetTypeProblem(targetKey: string, targetType: ClusterType | undefined, sub: ModalSubmission): string | undefined {
  const special = sub.choices.what === 'namespaces' ? 'A collection-level restore' : sub.choices.from === 'pointInTime' ? 'A point-in-time restore' : undefined;
  if (!special || targetType === undefined || targetType === 'dedicated') return undefined;
  return `${special} can only go into a dedicated cluster, and \`${targetKey}\` is ${typeWords(targetType)}.`;
}

/**
 * The target's type could not be learnt in time (detection slower than its budget), and what was asked depends on it:
 * a safety snapshot (dedicated clusters only) or a collection or point-in-time restore. Refused now, with everything
 * entered kept: accepted, it would fail only after the approvers' work. The detection goes on, so a submit a moment
 * later finds it.
 */
function unconfirmedTypeProblem(targetKey: string, targetType: ClusterType | undefined, sub: ModalSubmission, takesSafetySnapshot: boolean): string | undefined {
  if (targetType !== undefined) return undefined;
  const needs = sub.choices.what === 'namespaces' ? 'a collection-level restore' : sub.choices.from === 'pointInTime' ? 'a point-in-time restore' : takesSafetySnapshot ? 'a safety snapshot' : undefined;
  if (!needs) return undefined;
  return `Atlas didn't answer in time to confirm that \`${targetKey}\` is a dedicated cluster, which ${needs} needs. Submit again in a moment.`;
}

export async function checkModalSubmission(services: Services, user: string, viewId: string, sub: ModalSubmission, clock: SubmitClock = startSubmitClock()): Promise<CheckedSubmission> {
  const refuse = (detail: string) => services.store.audit({ type: 'refused', user, detail: `modal submit: ${detail}` }).catch(() => undefined);
  // The form offers only usable clusters: a key that isn't one was crafted, and gets no list of the policy's.
  const source = sub.sourceKey ? findUsableCluster(services.policy, sub.sourceKey, undefined) : undefined;
  const target = sub.targetKey ? findUsableCluster(services.policy, sub.targetKey, undefined) : undefined;
  let sourceError = source && !source.ok ? source.message : undefined;
  let targetError = target && !target.ok ? target.message : undefined;
  if (source?.ok && target?.ok) {
    // Together: with a cold user-group cache each may wait for Slack, and all of this must fit in the 3 s ack.
    // A lookup slower than its budget refuses: an answer after Slack's deadline would be lost with the request.
    const decisions = await withDeadline(
      Promise.all([
        mayRequest(services.policy, services.resolver, user, source.cluster, source.cluster),
        mayRequest(services.policy, services.resolver, user, target.cluster, target.cluster),
      ]),
      clock.budget(ALLOW_LIST_BUDGET_MS),
    );
    if (!decisions) sourceError = MEMBERSHIP_SLOW_TEXT;
    else {
      const [sourceDecision, targetDecision] = decisions;
      if (!sourceDecision.allowed) sourceError = sourceDecision.message;
      if (!targetDecision.allowed) targetError = targetDecision.message;
    }
  }
  const channel = mayUseChannel(services.policy, sub.meta.channel);
  // Plain text on the form: the policy's answer names the channels as <#C…> mentions, which a modal error can't show.
  if (!channel.allowed) sourceError ??= MODAL_CHANNEL_REFUSED_TEXT;

  const { choices } = sub;
  const sourceRef = source?.ok && !sourceError ? source.cluster : undefined;
  const atTime = choices.from === 'pointInTime' ? choices.pointInTime : undefined;
  const needsFacts = choices.what === 'namespaces' || choices.from === 'pointInTime';
  const none = Promise.resolve(undefined);
  const targetRef = target?.ok && !targetError ? target.cluster : undefined;
  const targetRules = targetRef ? rulesFor(services.policy, targetRef) : undefined;
  const rules = targetRules?.safetySnapshot;
  // A whole-cluster restore from a snapshot into a target without safety snapshots needs no type: no call then.
  const needsType = targetRef !== undefined && (rules?.mode !== 'off' || needsFacts);
  // Each gets its budget or what is left of the submission's time, whichever is less (a slow allow-list leaves less).
  const atlasBudget = clock.budget(ATLAS_CHECK_BUDGET_MS);
  // Cloud backup off, Atlas takes no safety snapshot of the target: asked only when one would be taken (or offered).
  const needsBackup = targetRef !== undefined && rules !== undefined && rules.mode !== 'off' && choicesReplaceData(choices);
  const [snapshot, facts, base, targetType, access, backupEnabled] = await Promise.all([
    sourceRef && choices.from === 'snapshot' && sub.snapshotId ? snapshotFor(services, viewId, sourceRef, sub.sourceKey!, sub.snapshotId, atlasBudget) : none,
    sourceRef && needsFacts ? sourceFactsWithin(services, viewId, sourceRef, atlasBudget) : none,
    sourceRef && atTime !== undefined ? findBaseSnapshot(services, sourceRef, atTime, atlasBudget) : Promise.resolve<BaseSnapshot | undefined>(undefined),
    // Alongside the rest, so the whole check stays within one budget (detection is usually the client's cache).
    needsType ? targetTypeWithin(services, targetRef, {}, clock.budget(TARGET_TYPE_BUDGET_MS)) : Promise.resolve(targetRef?.type),
    // Refused here, the form stays open with everything entered; found after it, the requester would only get a DM.
    channel.allowed ? withDeadline(services.messenger.channelAccess(sub.meta.channel).catch(() => undefined), clock.budget(CHANNEL_ACCESS_BUDGET_MS)) : none,
    needsBackup ? targetBackupWithin(services, targetRef, clock.budget(TARGET_TYPE_BUDGET_MS)) : none,
  ]);
  sourceError ??= channelAccessProblem(access);

  // The target's type decides what it can have: a safety snapshot, a collection or point-in-time restore.
  let safetySnapshot: { retentionInDays: number } | undefined;
  if (targetRef && rules) {
    const plan = safetySnapshotPlan({ rules, targetKey: sub.targetKey!, targetType, backupEnabled }, choicesReplaceData(choices), choices.keepSafetySnapshot);
    safetySnapshot = safetySnapshotToTake(plan);
    targetError = plan.kind === 'impossible' ? plan.why : (targetTypeProblem(sub.targetKey!, targetType, sub) ?? unconfirmedTypeProblem(sub.targetKey!, targetType, sub, safetySnapshot !== undefined));
  }
  // A request that nobody (the requester aside) could approve would only wait, pinging no one, until it expires.
  if (targetRef && targetRules) targetError ??= noApproverLeftProblem(sub.targetKey!, targetRules, user);

  let fromError: string | undefined;
  let pointInTimeError: string | undefined;
  let baseSnapshot: (CachedSnapshot & { createdAt: string }) | undefined;
  // The time, or the snapshot, must last while the request waits: the target's approval window, its safety snapshot.
  const margin = pointInTimeMargin({ approvalMinutes: (targetRules?.approval ?? services.policy.approval).expiresAfterMinutes, safetySnapshot: safetySnapshot !== undefined });
  const snapshotError = snapshot ? snapshotExpiryProblem({ expiresAt: snapshot.expiresAt, nowMs: services.now().getTime(), margin, timeZone: sub.meta.timeZone ?? 'UTC' }) : undefined;
  if (sourceRef && atTime !== undefined && base) {
    const nowSeconds = Math.floor(services.now().getTime() / 1000);
    const pit = checkPointInTime({ sourceKey: sub.sourceKey!, facts, utcSeconds: atTime, nowSeconds, timeZone: sub.meta.timeZone ?? 'UTC', base, margin });
    if (pit.ok) baseSnapshot = pit.base;
    else if (pit.field === 'from') fromError = pit.message;
    else pointInTimeError = pit.message;
  }
  const whatError = sourceRef && choices.what === 'namespaces' ? namespacesProblem(sub.sourceKey!, facts) : undefined;

  const targetNameShared = sub.targetKey !== undefined && sharedClusterNames(listClusters(services.policy)).includes(targetClusterName(sub.targetKey).toLowerCase());
  const checked = validateModalSubmission(sub, { sourceError, targetError, snapshot, snapshotError, whatError, fromError, pointInTimeError, targetNameShared });
  const refusal = sourceError ?? targetError ?? whatError ?? fromError ?? pointInTimeError ?? snapshotError;
  if (refusal) await refuse(refusal);
  if (!checked.ok) return checked;
  const chosen = checked.value.pointInTime !== undefined ? baseSnapshot : snapshot;
  // validateModalSubmission refused a snapshot that is not restorable; isRestorable here only narrows the type.
  if (!source?.ok || !target?.ok || !chosen || !isRestorable(chosen)) {
    // Atlas didn't answer in time: refuse rather than guess (the card must show the snapshot's real time).
    const field = sub.blockIds.snapshot ?? 'restore_source';
    return { ok: false, response: { response_action: 'errors', errors: { [field]: "Atlas didn't answer in time to confirm this snapshot. Submit again in a moment." } } };
  }
  const { value } = checked;
  return {
    ok: true,
    source: source.cluster,
    target: target.cluster,
    snapshot: { id: chosen.id, createdAt: chosen.createdAt },
    reason: value.reason,
    ...(value.pointInTime !== undefined ? { pointInTime: { utcSeconds: value.pointInTime } } : {}),
    ...(value.namespaces ? { namespaces: value.namespaces.map((sourceNamespace) => ({ sourceNamespace })), writeStrategy: value.writeStrategy, indexStrategy: value.indexStrategy } : {}),
    ...(safetySnapshot ? { safetySnapshot } : {}),
  };
}

function namespacesProblem(sourceKey: string, facts: SourceFacts | undefined): string | undefined {
  if (!facts) return `Atlas didn't answer in time to confirm that \`${sourceKey}\` can restore single databases or collections. Submit again in a moment.`;
  return collectionsUnavailable(sourceKey, facts);
}
