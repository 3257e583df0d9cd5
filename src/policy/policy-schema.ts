// The restore policy file (DESIGN.md §2): who may request and approve restores of which clusters.
// Deny by default: nothing outside this file is restorable, nobody outside its lists may act.
import { z } from 'zod';
import {
  CLUSTER_NAME_PATTERN,
  PROJECT_ID_PATTERN,
  PROJECT_NAME_PATTERN,
  SLACK_CHANNEL_ID_PATTERN,
  SLACK_GROUP_ID_PATTERN,
  SLACK_USER_ID_PATTERN,
} from './names.js';
import { drillsSchema } from './drills-schema.js';
import { DEFAULT_SAFETY_SNAPSHOT, safetySnapshotOverrideSchema, safetySnapshotSchema } from './safety-snapshot-schema.js';

const memberId = z
  .string()
  .refine((s) => SLACK_USER_ID_PATTERN.test(s) || SLACK_GROUP_ID_PATTERN.test(s), {
    error: 'expected a Slack user id (U…/W…) or user-group id (S…)',
  });

const memberList = z.array(memberId);

const channelId = z.string().regex(SLACK_CHANNEL_ID_PATTERN, {
  error: 'expected a Slack channel id (C…, G… or D…)',
});

const positiveInt = (what: string) =>
  z.number().int({ error: `${what} must be a whole number` }).min(1, { error: `${what} must be at least 1` });

/**
 * A day. The target stays locked while its request waits, and a point in time must stay restorable for the whole
 * window (Atlas keeps 1 to 7 days of continuous backup): a request nobody approved within a day is better made again.
 */
export const MAX_APPROVAL_MINUTES = 1440;

const approvalMinutes = positiveInt('expiresAfterMinutes').max(MAX_APPROVAL_MINUTES, {
  error: (issue) => `must be at most ${MAX_APPROVAL_MINUTES} (a day), got ${String(issue.input)}`,
});

/** Every approval field optional: used by project and cluster overrides. */
const approvalOverrideSchema = z.strictObject({
  required: positiveInt('required').optional(),
  allowSelfApproval: z.boolean().optional(),
  expiresAfterMinutes: approvalMinutes.optional(),
});

export const DEFAULT_APPROVAL = { required: 1, allowSelfApproval: false, expiresAfterMinutes: 30 } as const;

const approvalSchema = z.strictObject({
  required: positiveInt('required').default(DEFAULT_APPROVAL.required),
  allowSelfApproval: z.boolean().default(DEFAULT_APPROVAL.allowSelfApproval),
  expiresAfterMinutes: approvalMinutes.default(DEFAULT_APPROVAL.expiresAfterMinutes),
});

const clusterSchema = z.strictObject({
  name: z.string().regex(CLUSTER_NAME_PATTERN, {
    error: 'expected an Atlas cluster name (letters, digits and hyphens, at most 64)',
  }),
  type: z.enum(['flex', 'dedicated', 'serverless'], { error: 'expected one of flex|dedicated|serverless' }).optional(),
  requesters: memberList.optional(),
  approvers: memberList.optional(),
  approval: approvalOverrideSchema.optional(),
  safetySnapshot: safetySnapshotOverrideSchema.optional(),
  // A drill may replace its data without an approval; only scratch clusters can be drill targets.
  scratch: z.boolean({ error: 'expected true or false' }).optional(),
});

const projectSchema = z.strictObject({
  name: z
    .string()
    .regex(PROJECT_NAME_PATTERN, {
      error: 'expected a project name of letters, digits, ".", "_" or "-" (no "/" or spaces), at most 64',
    })
    .refine((s) => !PROJECT_ID_PATTERN.test(s), { error: 'a project name must not look like a 24-hex project id' }),
  id: z.string().regex(PROJECT_ID_PATTERN, { error: 'expected a 24-hex Atlas project id' }),
  clusters: z.array(clusterSchema).min(1, { error: 'a project needs at least one cluster' }),
  requesters: memberList.optional(),
  approvers: memberList.optional(),
  approval: approvalOverrideSchema.optional(),
  safetySnapshot: safetySnapshotOverrideSchema.optional(),
});

export const policySchema = z
  .strictObject({
    projects: z.array(projectSchema).min(1, { error: 'the policy needs at least one project' }),
    // Empty by default: a policy without requesters lets nobody restore.
    requesters: memberList.default([]),
    approvers: memberList.default([]),
    // Absent: any channel. Empty would refuse every one, which is never what was meant.
    channels: z.array(channelId).min(1, { error: 'list at least one channel, or leave the key out (then any channel may be used)' }).optional(),
    approval: approvalSchema.default({ ...DEFAULT_APPROVAL }),
    safetySnapshot: safetySnapshotSchema.default({ ...DEFAULT_SAFETY_SNAPSHOT }),
    drills: drillsSchema.default([]),
  })
  // Runs even when other fields failed (`when`), so duplicates are reported together with
  // every other problem; hence the defensive reading of a possibly malformed value.
  .superRefine((policy, ctx) => reportDuplicates(policy, ctx), { when: () => true });

type IssueSink = { addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void };

function nameOf(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

function listOf(value: unknown, key: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const v = (value as Record<string, unknown>)[key];
  return Array.isArray(v) ? v : [];
}

// Commands name projects by name or id and clusters by name, so each must be unique (case-insensitively).
function reportDuplicates(policy: unknown, ctx: IssueSink): void {
  const seenNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
  listOf(policy, 'projects').forEach((project, i) => {
    const name = nameOf(project, 'name');
    if (name !== undefined) {
      const first = seenNames.get(name.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['projects', i, 'name'], message: `duplicate project name "${name}" (also projects[${first}])` });
      } else seenNames.set(name.toLowerCase(), i);
    }
    const id = nameOf(project, 'id');
    if (id !== undefined) {
      const first = seenIds.get(id.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['projects', i, 'id'], message: `duplicate project id ${id} (also projects[${first}])` });
      } else seenIds.set(id.toLowerCase(), i);
    }
    const seenClusters = new Map<string, number>();
    listOf(project, 'clusters').forEach((cluster, j) => {
      const clusterName = nameOf(cluster, 'name');
      if (clusterName === undefined) return;
      const first = seenClusters.get(clusterName.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['projects', i, 'clusters', j, 'name'],
          message: `duplicate cluster name "${clusterName}" in project "${name ?? `projects[${i}]`}" (also clusters[${first}])`,
        });
      } else seenClusters.set(clusterName.toLowerCase(), j);
    });
  });
}

export type Policy = z.output<typeof policySchema>;
export type PolicyProject = Policy['projects'][number];
export type PolicyCluster = PolicyProject['clusters'][number];
export type ApprovalRules = Policy['approval'];
export type SafetySnapshotRules = Policy['safetySnapshot'];
export type PolicyDrill = Policy['drills'][number];
