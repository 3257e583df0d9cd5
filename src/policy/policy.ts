// The questions the app asks the policy. Pure, apart from the membership resolver
// (Slack user groups are looked up at the time of the question).
import type { ClusterRef, RestoreRequest } from '../restore/types.js';
import { PROJECT_ID_PATTERN } from './names.js';
import type { ApprovalRules, Policy, PolicyCluster, PolicyProject } from './policy-schema.js';
import type { SafetySnapshotRules } from './safety-snapshot-schema.js';

export type Decision = { allowed: true } | { allowed: false; code: string; message: string };

/**
 * Answers "is this user one of these ids?" where ids are Slack user ids or user-group ids (S…).
 * May reject when a group lookup fails; mayRequest/mayApprove turn a rejection into a denial.
 */
export interface MembershipResolver {
  isMember(userId: string, ids: readonly string[]): Promise<boolean>;
  /** Members of one user group (S…), where the resolver can list them (the App Home uses it to know whom to refresh). */
  members?(groupId: string): Promise<readonly string[]>;
}

export interface ClusterRules {
  requesters: string[];
  approvers: string[];
  approval: ApprovalRules;
  /** For restores INTO this cluster; overridden field by field like `approval`. */
  safetySnapshot: SafetySnapshotRules;
}

const ALLOWED: Decision = { allowed: true };
const deny = (code: string, message: string): Decision => ({ allowed: false, code, message });

/** Every cluster in the policy, in file order. */
export function listClusters(policy: Policy): ClusterRef[] {
  return policy.projects.flatMap((project) =>
    project.clusters.map((cluster) => ({ project: project.name, groupId: project.id, cluster: cluster.name, type: cluster.type })),
  );
}

/** "project/cluster", with the project's policy name: stable and unambiguous. */
export function clusterKey(ref: Pick<ClusterRef, 'project' | 'cluster'>): string {
  return `${ref.project}/${ref.cluster}`;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function describeChoices(refs: readonly ClusterRef[], limit = 15): string {
  const keys = refs.map((r) => `\`${clusterKey(r)}\``);
  return keys.length > limit ? `${keys.slice(0, limit).join(', ')} and ${keys.length - limit} more` : keys.join(', ');
}

/**
 * Finds a cluster from what a user typed: `cluster` or `project/cluster`, where project is the
 * policy name or the 24-hex Atlas project id. Names match case-insensitively (Atlas names are unique that way).
 */
export function findCluster(policy: Policy, text: string): { ok: true; cluster: ClusterRef } | { ok: false; message: string } {
  const wanted = text.trim();
  const all = listClusters(policy);
  if (wanted === '') return { ok: false, message: 'No cluster was named.' };
  const slash = wanted.indexOf('/');
  if (slash >= 0) {
    const projectText = wanted.slice(0, slash);
    const clusterText = wanted.slice(slash + 1);
    const project = policy.projects.find((p) =>
      PROJECT_ID_PATTERN.test(projectText) ? sameName(p.id, projectText) : sameName(p.name, projectText),
    );
    if (!project) {
      const names = policy.projects.map((p) => `\`${p.name}\``).join(', ');
      return { ok: false, message: `There is no project \`${projectText}\` in the restore policy. Projects you can name: ${names}.` };
    }
    const match = all.find((r) => r.groupId === project.id && sameName(r.cluster, clusterText));
    if (!match) {
      const inProject = all.filter((r) => r.groupId === project.id);
      return {
        ok: false,
        message: `Project \`${project.name}\` has no cluster \`${clusterText}\` in the restore policy. Its clusters: ${describeChoices(inProject)}.`,
      };
    }
    return { ok: true, cluster: match };
  }
  const matches = all.filter((r) => sameName(r.cluster, wanted));
  if (matches.length === 1 && matches[0]) return { ok: true, cluster: matches[0] };
  if (matches.length > 1) {
    return {
      ok: false,
      message: `\`${wanted}\` exists in more than one project; say which one: ${describeChoices(matches)}.`,
    };
  }
  return { ok: false, message: `There is no cluster \`${wanted}\` in the restore policy. Clusters you can name: ${describeChoices(all)}.` };
}

type Located = { project: PolicyProject; cluster: PolicyCluster };

/**
 * Every cluster by (project id, name), both lower-case: built once per policy, so checking every cluster of a policy
 * (at load, for `status`) costs one pass, not one pass per cluster. A policy is never changed once parsed; a reload
 * is a new object with an index of its own.
 */
const indexes = new WeakMap<Policy, ReadonlyMap<string, Located>>();
const indexKey = (groupId: string, cluster: string) => `${groupId.toLowerCase()}/${cluster.toLowerCase()}`;

function locate(policy: Policy, ref: ClusterRef): Located | undefined {
  let index = indexes.get(policy);
  if (!index) {
    const built = new Map<string, Located>();
    for (const project of policy.projects) {
      for (const cluster of project.clusters) {
        const key = indexKey(project.id, cluster.name);
        if (!built.has(key)) built.set(key, { project, cluster }); // the first, as find() would
      }
    }
    indexes.set(policy, built);
    index = built;
  }
  return index.get(indexKey(ref.groupId, ref.cluster));
}

/** True when the policy lists this cluster (by Atlas project id and cluster name). */
export function isInPolicy(policy: Policy, ref: ClusterRef): boolean {
  return locate(policy, ref) !== undefined;
}

/**
 * The rules for one cluster: the cluster's override, else its project's, else the top level.
 * Lists are replaced, not merged; approval fields are overridden one by one.
 * A cluster outside the policy gets empty lists (deny by default).
 */
export function rulesFor(policy: Policy, ref: ClusterRef): ClusterRules {
  const found = locate(policy, ref);
  if (!found) return { requesters: [], approvers: [], approval: { ...policy.approval }, safetySnapshot: { ...policy.safetySnapshot } };
  const { project, cluster } = found;
  return {
    requesters: [...(cluster.requesters ?? project.requesters ?? policy.requesters)],
    approvers: [...(cluster.approvers ?? project.approvers ?? policy.approvers)],
    approval: { ...policy.approval, ...defined(project.approval), ...defined(cluster.approval) },
    safetySnapshot: { ...policy.safetySnapshot, ...defined(project.safetySnapshot), ...defined(cluster.safetySnapshot) },
  };
}

function defined<T extends object>(partial: T | undefined): Partial<T> {
  if (!partial) return {};
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Channels are unrestricted unless the policy lists them. */
export function mayUseChannel(policy: Policy, channelId: string): Decision {
  if (!policy.channels || policy.channels.includes(channelId)) return ALLOWED;
  const where = policy.channels.map((c) => `<#${c}>`).join(', ');
  return deny('POLICY_CHANNEL_NOT_ALLOWED', `Restores can't be requested in this channel: run \`/atlas-restore\` in ${where}.`);
}

async function checkMember(resolver: MembershipResolver, userId: string, ids: readonly string[]): Promise<boolean | 'unavailable'> {
  if (ids.length === 0) return false;
  try {
    return await resolver.isMember(userId, ids);
  } catch {
    return 'unavailable'; // a failed lookup denies, with a message that says to retry
  }
}

const MEMBERSHIP_UNAVAILABLE = deny(
  'POLICY_MEMBERSHIP_UNAVAILABLE',
  "Your Slack user-group membership couldn't be checked just now, so the action was refused. Try again in a minute.",
);

/** The requester must be allowed to request restores of BOTH the source and the target. */
export async function mayRequest(
  policy: Policy,
  resolver: MembershipResolver,
  userId: string,
  source: ClusterRef,
  target: ClusterRef,
  /** `requester`: said of the request's requester to the people of its thread (the re-check before the POST), not to them. */
  speakingOf: 'you' | 'requester' = 'you',
): Promise<Decision> {
  for (const [role, ref] of [['source', source], ['target', target]] as const) {
    if (!isInPolicy(policy, ref)) {
      return deny('POLICY_CLUSTER_UNKNOWN', `The ${role} cluster \`${clusterKey(ref)}\` is not in the restore policy, so it can't be restored.`);
    }
  }
  for (const [role, ref] of [['source', source], ['target', target]] as const) {
    const member = await checkMember(resolver, userId, rulesFor(policy, ref).requesters);
    if (member === 'unavailable') return MEMBERSHIP_UNAVAILABLE;
    if (!member) {
      return deny(
        'POLICY_NOT_REQUESTER',
        speakingOf === 'you'
          ? `You're not allowed to request restores ${role === 'source' ? 'from' : 'into'} \`${clusterKey(ref)}\`. Ask the owners of the restore policy to add you (or your user group) to its requesters.`
          : `the requester is no longer among the policy's requesters of restores ${role === 'source' ? 'from' : 'into'} \`${clusterKey(ref)}\`. Ask the owners of the restore policy to add them (or their user group) again, or have one of its requesters request it.`,
      );
    }
  }
  return ALLOWED;
}

/** Approvers follow the TARGET's rules: it is the target's data that gets replaced. */
export async function mayApprove(
  policy: Policy,
  resolver: MembershipResolver,
  userId: string,
  request: RestoreRequest,
): Promise<Decision> {
  const target = request.target;
  // Both: the re-check before the POST refuses a source outside the policy too, after the approvers' work.
  for (const [role, ref] of [['target', target], ['source', request.source]] as const) {
    if (!isInPolicy(policy, ref)) {
      return deny('POLICY_CLUSTER_UNKNOWN', `The ${role} cluster \`${clusterKey(ref)}\` is no longer in the restore policy, so this restore can't be approved.`);
    }
  }
  const rules = rulesFor(policy, target);
  if (request.approvals.some((a) => a.user === userId)) {
    return deny('POLICY_ALREADY_APPROVED', `You've already approved ${request.id}; it needs another approver.`);
  }
  if (userId === request.requester && !rules.approval.allowSelfApproval) {
    return deny('POLICY_SELF_APPROVAL', `You requested ${request.id}, so someone else has to approve it.`);
  }
  return isApproverOf(policy, resolver, userId, target);
}

/** Whether the user is an approver of restores into `target` (its rules, user groups resolved); nothing else. */
export async function isApproverOf(policy: Policy, resolver: MembershipResolver, userId: string, target: ClusterRef): Promise<Decision> {
  const member = await checkMember(resolver, userId, rulesFor(policy, target).approvers);
  if (member === 'unavailable') return MEMBERSHIP_UNAVAILABLE;
  if (!member) {
    return deny(
      'POLICY_NOT_APPROVER',
      `You're not an approver for restores into \`${clusterKey(target)}\`. Ask one of its approvers, or the owners of the restore policy.`,
    );
  }
  return ALLOWED;
}
