// The channels a user shares with the bot (users.conversations with the bot token lists exactly those), for the
// visibility of `status` and `list`. Cached briefly per process: one lookup serves a burst of commands.
import type { webApi } from '@slack/bolt';

const TTL_MS = 60_000;
const MAX_PAGES = 5;

export function createUserChannels(client: webApi.WebClient, now: () => number = Date.now) {
  const cache = new Map<string, { channels: Set<string>; until: number }>();
  return async function channelsOf(user: string, current: string): Promise<Set<string>> {
    const hit = cache.get(user);
    if (hit && hit.until > now()) return new Set([...hit.channels, current]);
    const channels = new Set<string>([current]);
    try {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await client.users.conversations({ user, types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const ch of res.channels ?? []) if (ch.id) channels.add(ch.id);
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(user, { channels, until: now() + TTL_MS });
    } catch {
      // Slack didn't answer: the channel the command was typed in is the one we know the user is in.
    }
    return channels;
  };
}
