// `node dist/main.js --check --online`: before a deploy, ask Redis, Slack and Atlas what the bot will need from them, and say
// in plain words what is wrong (bad token, missing scope, IP access list, unknown cluster) before a user finds out.
// Per cluster also what the form will offer: point in time (dedicated, continuous cloud backup, its window) and the
// safety snapshot (dedicated only) against what the policy asks of it.
import { checkUsergroups } from './check-usergroups.js';
import type { webApi } from '@slack/bolt';
import { isAtlasApiError } from './atlas/errors.js';
import type { AtlasClient, ClusterDescription, ClusterType } from './atlas/types.js';
import { clusterKey, listClusters, rulesFor } from './policy/policy.js';
import type { Policy } from './policy/policy-schema.js';
import { formatCheck, type RedisCheck } from './redis/server-checks.js';

/**
 * Bot scopes the code needs: slack-app-manifest.yaml asks for exactly these (test/unit/slack-app-manifest.test.ts
 * compares the two). channels:read and groups:read: conversations.info (can the bot post the card there) and
 * users.conversations (whose requests status and list may show), for public and private channels.
 */
export const REQUIRED_BOT_SCOPES = ['commands', 'chat:write', 'users:read', 'usergroups:read', 'channels:read', 'groups:read'] as const;

export interface PreflightResult {
  ok: boolean;
  lines: string[];
}

export async function runPreflight(deps: {
  policy: Policy;
  atlas: AtlasClient;
  slack: webApi.WebClient;
  redisChecks?: readonly RedisCheck[];
  /** Socket Mode's app-level token: refused at start, it ends the pod, so the check asks Slack for a connection too. */
  slackAppToken?: string | undefined;
}): Promise<PreflightResult> {
  const lines: string[] = [];
  let ok = true;
  const fail = (line: string) => {
    ok = false;
    lines.push(`FAIL ${line}`);
  };

  // Asked by main.ts (src/redis/inspect-redis.ts), the same checks that gate the start.
  for (const check of deps.redisChecks ?? []) {
    if (check.level === 'FAIL') ok = false;
    lines.push(formatCheck(check));
  }

  try {
    const auth = await deps.slack.auth.test();
    lines.push(`ok   Slack: token works (team ${auth.team ?? '?'}, bot user ${auth.user ?? '?'})`);
    const granted = auth.response_metadata?.scopes;
    if (granted) {
      const missing = REQUIRED_BOT_SCOPES.filter((s) => !granted.includes(s));
      if (missing.length > 0) fail(`Slack: the bot token lacks scope(s) ${missing.join(', ')}: add them in the app's OAuth settings and reinstall`);
      else lines.push(`ok   Slack: scopes ${REQUIRED_BOT_SCOPES.join(', ')}`);
    } else {
      lines.push('info Slack: scopes not reported by this server; not checked');
    }
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
    fail(`Slack: auth.test failed (${code}): check SLACK_BOT_TOKEN and SLACK_API_URL`);
  }

  if (deps.slackAppToken !== undefined) {
    try {
      // Only a URL to connect to: nothing is connected, so a running bot's socket is left alone.
      await deps.slack.apps.connections.open({ token: deps.slackAppToken });
      lines.push('ok   Slack: the app-level token opens Socket Mode connections');
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
      fail(`Slack: apps.connections.open refused the app-level token (${code}): check SLACK_APP_TOKEN (an xapp- token with connections:write, of this app)`);
    }
  }

  for (const line of await checkUsergroups(deps.policy, deps.slack)) {
    if (line.level === 'FAIL') fail(line.text);
    else lines.push(`${line.level.padEnd(4)} ${line.text}`);
  }

  // One cluster at a time: a preflight must not trip Atlas's rate limits.
  for (const cluster of listClusters(deps.policy)) {
    const where = { groupId: cluster.groupId, clusterName: cluster.cluster };
    try {
      // Detected, not taken from the policy: a wrong `type` in the policy is one of the things to catch here.
      const type = await deps.atlas.detectClusterType(where);
      if (cluster.type && cluster.type !== type) {
        fail(`Atlas: ${clusterKey(cluster)} is a ${type} cluster but the policy says type: ${cluster.type}; fix the policy or remove the type`);
        continue;
      }
      const snapshots = await deps.atlas.listSnapshots({ ...where, type });
      const completed = snapshots.filter((s) => s.status === 'completed').length;
      lines.push(`ok   Atlas: ${clusterKey(cluster)} is ${type}, ${snapshots.length} snapshot(s), ${completed} restorable`);
      // One description for both lines: continuous backup (point in time) and cloud backup at all (safety snapshots).
      const description = type === 'dedicated' ? await deps.atlas.describeCluster({ ...where, type }).catch((err: unknown) => err) : undefined;
      lines.push(await pointInTimeLine(deps.atlas, { ...where, type }, clusterKey(cluster), description));
      const safety = safetySnapshotLine(deps.policy, cluster, type, description);
      if (safety.startsWith('FAIL')) ok = false;
      lines.push(safety);
    } catch (err) {
      fail(`Atlas: ${clusterKey(cluster)}: ${isAtlasApiError(err) ? `${err.errorCode}: ${err.hint}` : String(err)}`);
    }
  }
  return { ok, lines };
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

const problemText = (err: unknown) => (isAtlasApiError(err) ? `${err.errorCode}: ${err.hint}` : String(err));

/** A dedicated cluster's description, or what went wrong asking for it. */
type Described = ClusterDescription | unknown;
const isDescription = (d: Described): d is ClusterDescription => typeof d === 'object' && d !== null && 'pitEnabled' in d && 'raw' in d;

/** Point in time: dedicated clusters with continuous cloud backup, back `restoreWindowDays` from now. */
async function pointInTimeLine(atlas: AtlasClient, where: { groupId: string; clusterName: string; type: ClusterType }, key: string, described: Described): Promise<string> {
  // Inherent to the type: nothing to fix, so not a warning.
  if (where.type !== 'dedicated') return `info Atlas: ${key} point in time: not available (${where.type} clusters have no continuous cloud backup)`;
  try {
    if (!isDescription(described)) throw described;
    const description = described;
    if (description.backupEnabled === false) {
      return `warn Atlas: ${key} point in time: off (cloud backup is off for this cluster, continuous backup with it): \`at <time>\` is refused for it; turn on cloud backup and continuous cloud backup in Atlas if restores to a time are wanted`;
    }
    if (!description.pitEnabled) {
      return `warn Atlas: ${key} point in time: off (continuous cloud backup is not enabled): \`at <time>\` is refused for it; turn it on in the cluster's backup policy in Atlas if restores to a time are wanted`;
    }
    const schedule = await atlas.getBackupSchedule(where);
    if (!(schedule.restoreWindowDays !== undefined && schedule.restoreWindowDays > 0)) return `warn Atlas: ${key} point in time: continuous cloud backup is on, but the backup schedule gives no restore window`;
    return `ok   Atlas: ${key} point in time: available, ${days(schedule.restoreWindowDays)} back from now`;
  } catch (err) {
    return `warn Atlas: ${key} point in time: could not be checked (${problemText(err)})`;
  }
}

/**
 * Whether Atlas can take a safety snapshot of this cluster (dedicated, with cloud backup on: an on-demand snapshot is
 * a cloud backup snapshot), and what the policy asks of restores into it.
 */
function safetySnapshotLine(policy: Policy, cluster: Parameters<typeof rulesFor>[1], type: ClusterType, described: Described): string {
  const key = clusterKey(cluster);
  const rules = rulesFor(policy, cluster).safetySnapshot;
  const asks = rules.mode === 'off' ? 'policy: off' : `policy: ${rules.mode}, kept ${days(rules.retentionInDays)}`;
  if (type === 'dedicated' && isDescription(described) && described.backupEnabled === false) {
    const turnOn = 'turn on cloud backup for it in Atlas';
    if (rules.mode === 'required') return `FAIL Atlas: ${key} safety snapshot: the policy requires one, but cloud backup is off for ${key}, so Atlas can take no snapshot of it and no restore into it could be requested; ${turnOn}, or set its safetySnapshot.mode to offered or off`;
    if (rules.mode === 'offered') return `warn Atlas: ${key} safety snapshot: not possible (cloud backup is off); the policy offers one, and the form will say it isn't available; ${turnOn} to have it`;
    return `ok   Atlas: ${key} safety snapshot: not possible (cloud backup is off); ${asks}`;
  }
  if (type === 'dedicated' && !isDescription(described) && rules.mode !== 'off') {
    return `warn Atlas: ${key} safety snapshot: possible if its cloud backup is on, which could not be checked (${problemText(described)}); ${asks}`;
  }
  if (type === 'dedicated') return `ok   Atlas: ${key} safety snapshot: possible (dedicated); ${asks}`;
  if (rules.mode === 'required') {
    // The policy's load refuses this for a declared type; a type left to detection can only be caught here.
    return `FAIL Atlas: ${key} safety snapshot: the policy requires one, but ${key} is ${type} and Atlas takes on-demand snapshots of dedicated clusters only, so no restore into it could be requested; set its safetySnapshot.mode to offered or off`;
  }
  if (rules.mode === 'offered') return `warn Atlas: ${key} safety snapshot: not possible (${type}); the policy offers one, and the form will say it isn't available`;
  return `ok   Atlas: ${key} safety snapshot: not possible (${type}); ${asks}`;
}
