// Inline errors of the restore modal (`response_action: errors`). Slack shows them as plain text: mrkdwn such as
// `<@U…>` or backticks would appear as typed, so these are written, or turned, into plain words. Pure.
import type { RestoreRequest } from '../../restore/types.js';
import { formatInTimeZone } from './format.js';

export interface LockHolderFacts {
  targetKey: string;
  holder: string;
  since: string;
  /** The request holding the lock, when it could be read. */
  held: Pick<RestoreRequest, 'requester' | 'state' | 'drill'> | null;
  /** Who submitted the modal. */
  viewer: string;
  timeZone: string;
}

/** Why the target can't be chosen now: what holds it (a request waiting for approval, a running restore, a drill). */
export function lockHolderText(f: LockHolderFacts): string {
  const since = formatInTimeZone(f.since, f.timeZone);
  const next = 'Wait for it to end, or pick another target.';
  const drill = f.held?.drill?.name ?? (f.held?.requester.startsWith('drill:') ? f.held.requester.slice('drill:'.length) : undefined);
  if (drill !== undefined) return `${f.targetKey} is in use by a drill (${drill}): ${f.holder} since ${since}. ${next}`;
  if (!f.held) return `${f.targetKey} is held by another request: ${f.holder} since ${since}. ${next}`;
  const by = f.held.requester === f.viewer ? 'requested by you' : 'requested by someone else';
  const what = f.held.state === 'pending_approval' ? 'a request waiting for approval' : 'a running restore';
  return `${f.targetKey} already has ${what}: ${f.holder} (${by}) since ${since}. ${next}`;
}

/**
 * The plain-text form of a message written for mrkdwn (policy refusals, Atlas checks): code spans lose their
 * backticks, and mentions, which plain text can't resolve, become words.
 */
export function plainModalText(text: string): string {
  return text
    .replace(/<#[^>|]+\|([^>]+)>/g, '#$1')
    .replace(/<#[^>|]+>/g, 'a channel')
    .replace(/<!subteam\^[^>|]+(?:\|([^>]+))?>/g, (_m, name: string | undefined) => name ?? 'a user group')
    .replace(/<@drill:([^>|]+)>/g, 'a drill ($1)')
    .replace(/<@[^>|]+(?:\|([^>]+))?>/g, (_m, name: string | undefined) => name ?? 'someone')
    .replace(/`/g, '');
}

/** Every error of a `response_action: errors` answer in plain text. */
export function plainModalErrors(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, text]) => [field, plainModalText(text)]));
}
