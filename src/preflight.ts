// `node dist/main.js --check --online`: before a deploy, ask Redis, Slack and Atlas what the bot will need from them, and say
// in plain words what is wrong (bad token, missing scope, IP access list, unknown cluster) before a user finds out.
import type { webApi } from '@slack/bolt';
import { isAtlasApiError } from './atlas/errors.js';
import type { AtlasClient } from './atlas/types.js';
import { clusterKey, listClusters } from './policy/policy.js';
import type { Policy } from './policy/policy-schema.js';
import { formatCheck, type RedisCheck } from './redis/server-checks.js';

/** Bot scopes the code needs (slack-app-manifest.yaml asks for exactly these). */
export const REQUIRED_BOT_SCOPES = ['commands', 'chat:write', 'users:read', 'usergroups:read'] as const;

export interface PreflightResult {
  ok: boolean;
  lines: string[];
}

export async function runPreflight(deps: { policy: Policy; atlas: AtlasClient; slack: webApi.WebClient; redisChecks?: readonly RedisCheck[] }): Promise<PreflightResult> {
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
    } catch (err) {
      fail(`Atlas: ${clusterKey(cluster)}: ${isAtlasApiError(err) ? `${err.errorCode}: ${err.hint}` : String(err)}`);
    }
  }
  return { ok, lines };
}
