// `--check --online`: each Slack user group the policy names exists and has members. A group Slack doesn't know
// (a typo, a deleted group) counts as empty at run time and lets nobody in: better found before a deploy.
import type { webApi } from '@slack/bolt';
import { listUsergroups } from './policy/list-usergroups.js';
import type { Policy } from './policy/policy-schema.js';

export interface UsergroupLine {
  level: 'ok' | 'warn' | 'FAIL';
  text: string;
}

export async function checkUsergroups(policy: Policy, slack: webApi.WebClient): Promise<UsergroupLine[]> {
  const lines: UsergroupLine[] = [];
  for (const usergroup of listUsergroups(policy)) {
    try {
      const users = (await slack.usergroups.users.list({ usergroup })).users ?? [];
      lines.push(users.length > 0 ? { level: 'ok', text: `Slack: user group ${usergroup} has ${users.length} member(s)` } : { level: 'warn', text: `Slack: user group ${usergroup} has no members: it lets nobody in` });
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
      const missing = code === 'no_such_subteam' || code === 'subteam_not_found';
      lines.push({
        level: 'FAIL',
        text: missing
          ? `Slack: the policy names user group ${usergroup}, which Slack doesn't know (${code}): fix the id (it counts as an empty group meanwhile)`
          : `Slack: could not list user group ${usergroup} (${code}): check the usergroups:read scope`,
      });
    }
  }
  return lines;
}
