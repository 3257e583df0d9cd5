// Whether the bot can post the request card in the channel a form was opened for, asked while the form loads and
// again at its submission: a requester must not fill in the whole form only to learn afterwards, in a direct message,
// that the bot isn't in the channel. Only a definite answer counts; when Slack doesn't say, the card's post decides.
import type { webApi } from '@slack/bolt';

/** How long a form's load or submission waits for Slack's answer (it runs beside the Atlas lookups). */
export const CHANNEL_ACCESS_BUDGET_MS = 1000;

/**
 * Slack's errors that mean "the bot can't post here", and what the requester can do about each: said on the form
 * when the check finds it, and in the direct message when only the card's post did.
 */
export const CHANNEL_FIXES: Readonly<Record<string, string>> = {
  not_in_channel: "I'm not in the channel: invite me (`/invite @Atlas Restore`), then submit the restore again.",
  channel_not_found: "I can't see the channel (a private channel I'm not in, or a direct message): invite me, or run `/atlas-restore` in a channel I'm in.",
  is_archived: 'The channel is archived: run `/atlas-restore` in an active channel.',
  restricted_action: "This workspace doesn't let me post in the channel. Ask an admin, or use another channel.",
};

/** 'ok', 'unknown' (Slack didn't say), or the Slack error the card's post would get. */
export type ChannelAccess = 'ok' | 'unknown' | 'not_in_channel' | 'channel_not_found' | 'is_archived';

export async function checkChannelAccess(client: webApi.WebClient, channel: string): Promise<ChannelAccess> {
  try {
    const res = await client.conversations.info({ channel });
    if (res.channel?.is_archived) return 'is_archived';
    // A direct message with the bot has no is_member: the bot can post there.
    if (res.channel?.is_member === false) return 'not_in_channel';
    return res.channel?.is_member === true ? 'ok' : 'unknown';
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    return code === 'channel_not_found' ? 'channel_not_found' : 'unknown';
  }
}

/** What the requester can do, when the check found a problem. */
export function channelAccessProblem(access: ChannelAccess | undefined): string | undefined {
  return access === undefined || access === 'ok' || access === 'unknown' ? undefined : CHANNEL_FIXES[access];
}
