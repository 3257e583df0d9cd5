// What the thread of a request hears when Redis lost the bot's data (restarted empty, replaced, flushed): the request
// is gone from the bot's memory, so nothing follows it any more, and only the people in its thread can check Atlas.
import type { InFlightSeen } from '../../restore/store-state-marker.js';
import { escapeText, mention, slackDate } from './format.js';
import type { ThreadMessage } from './thread-messages.js';

const HEAD = "Redis, where I keep the restore requests, came back without them (restarted empty, replaced or flushed)";

/** `lastLookAt`: when the replica saw `seen` (its last read of the requests in flight, which may be minutes old). */
export function stateLostMessage(seen: InFlightSeen, lastLookAt?: string): ThreadMessage {
  const target = `\`${escapeText(seen.targetName ?? seen.target.split('/').slice(1).join('/'))}\``;
  const who = seen.requester ? ` ${mention(seen.requester)}` : '';
  if (seen.state === 'pending_approval') {
    // Seen waiting, not known to be still waiting: approved and sent since that look, it restores into an unlocked
    // target, and "request it again" would be a second restore into it.
    const when = lastLookAt ? ` (${slackDate(lastLookAt)})` : '';
    return {
      text:
        `:rotating_light: ${HEAD}: ${seen.id} is gone with them and can't be approved any more. It was waiting for approval at my last look${when}; ` +
        `if it was approved since, it may have been sent to Atlas: check the restores of ${target} in the Atlas UI before requesting it again.${who}`,
    };
  }
  const job = seen.atlasJobId
    ? `restore job \`${escapeText(seen.atlasJobId)}\` of ${seen.id}: Atlas may still be restoring into ${target}`
    : `${seen.id}: it may have been sent to Atlas (restoring into ${target}) or not`;
  return {
    text:
      `:rotating_light: ${HEAD}. I no longer follow ${job}, and ${target} is no longer locked against another restore. ` +
      `No final message will come here: check the restore in the Atlas UI (the cluster's Backup page, Restores) before requesting again.${who}`,
    broadcast: true,
  };
}
