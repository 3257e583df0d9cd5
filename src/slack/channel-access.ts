// Whether the bot can post the request card in the channel a form was opened for, asked while the form loads and
// again at its submission: a requester must not fill in the whole form only to learn afterwards, in a direct message,
// that the bot isn't in the channel. Only a definite answer counts; when Slack doesn't say, the card's post decides.
import type { webApi } from '@slack/bolt';

/** How long a form's load or submission waits for Slack's answer (it runs beside the Atlas lookups). */
export const CHANNEL_ACCESS_BUDGET_MS = 1000;

export type ChannelAccess = 'member' | 'not_member' | 'not_visible' | 'archived' | 'unknown';

export async function checkChannelAccess(client: webApi.WebClient, channel: string): Promise<ChannelAccess> {
  try {
    const res = await client.conversations.info({ channel });
    if (res.channel?.is_archived) return 'archived';
    // A direct message with the bot has no is_member: the bot can post there.
    if (res.channel?.is_member === false) return 'not_member';
    return res.channel?.is_member === true ? 'member' : 'unknown';
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    return code === 'channel_not_found' ? 'not_visible' : 'unknown';
  }
}

/** What the requester can do about it, in plain words (shown at the top of the form, or as its error). */
export function channelAccessProblem(access: ChannelAccess | undefined): string | undefined {
  switch (access) {
    case 'not_member':
      return "I'm not in this channel, so I can't post the request card here: invite me (/invite @Atlas Restore), then submit. The form keeps what you entered.";
    case 'not_visible':
      return "I can't see this channel (a private channel I'm not in, or a direct message), so I can't post the request card here: invite me, or run /atlas-restore in a channel I'm in.";
    case 'archived':
      return 'This channel is archived, so I can\'t post the request card here: run /atlas-restore in an active channel.';
    default:
      return undefined;
  }
}
