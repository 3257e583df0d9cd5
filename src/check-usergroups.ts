// `--check --online`: each Slack user group the policy names exists and has members. A group Slack doesn't know
// (a typo, a deleted group) counts as empty at run time and lets nobody in: better found before a deploy.
import type { webApi } from '@slack/bolt';
import { listUsergroups } from './policy/list-usergroups.js';
import type { Policy } from './policy/policy-schema.js';

export interface UsergroupLine {
  level: 'ok' | 'warn' | 'FAIL';
  text: string;
}

/** Slack's answers that mean the token may not list user groups: the scope is to fix. */
const SCOPE_ERRORS = new Set(['missing_scope', 'not_allowed_token_type', 'no_permission']);
/** The token itself is refused: SLACK_BOT_TOKEN is to fix (auth.test says so too). */
const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

function lookupAdvice(code: string): string {
  if (SCOPE_ERRORS.has(code)) return 'give the bot token the usergroups:read scope and reinstall the app';
  if (TOKEN_ERRORS.has(code)) return 'Slack refuses the bot token: check SLACK_BOT_TOKEN';
  if (code === 'plan_upgrade_required') return "this Slack plan has no user groups: name users instead of S… ids";
  return 'Slack did not answer; run --check --online again';
}

export async function checkUsergroups(policy: Policy, slack: webApi.WebClient): Promise<UsergroupLine[]> {
  const lines: UsergroupLine[] = [];
  for (const [usergroup, paths] of listUsergroups(policy)) {
    const where = `(${paths.join(', ')})`;
    try {
      const users = (await slack.usergroups.users.list({ usergroup })).users ?? [];
      lines.push(
        users.length > 0
          ? { level: 'ok', text: `Slack: user group ${usergroup} has ${users.length} member(s)` }
          : { level: 'warn', text: `Slack: user group ${usergroup} ${where} has no members: nobody can request or approve through it` },
      );
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
      const missing = code === 'no_such_subteam' || code === 'subteam_not_found';
      const text = missing
        ? `Slack: the policy names user group ${usergroup} ${where}, which Slack doesn't know (${code}): fix or remove the id. Until then it counts as a group of nobody: nobody can request or approve through it`
        : `Slack: could not list user group ${usergroup} (${code}): ${lookupAdvice(code)}`;
      lines.push({ level: 'FAIL', text });
    }
  }
  return lines;
}
