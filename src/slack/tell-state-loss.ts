// Redis lost the bot's data: each request a replica last saw in flight hears it in its thread, once across replicas
// (the claim is in the Redis that came back), so its people know nothing follows it and can check Atlas themselves.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { StateLoss } from '../restore/store-state-marker.js';
import type { SlackMessenger } from './slack-messenger.js';
import { stateLostMessage } from './views/state-loss-message.js';

export interface StateLossDeps {
  messenger: Pick<SlackMessenger, 'postToChannel'>;
  /** `store.claimAs`: the holder of `key` after the call. */
  claimAs(key: string, value: string, ttlSeconds: number): Promise<string>;
  logger: Logger;
}

const CLAIM_TTL_SECONDS = 7 * 24 * 3600;

export async function tellStateLoss(deps: StateLossDeps, loss: StateLoss): Promise<void> {
  const me = randomBytes(8).toString('hex');
  for (const seen of loss.lastSeen?.requests ?? []) {
    try {
      // Keyed by the lost marker: every replica that saw the same data names the same loss. And by what was seen: a
      // replica that last saw the request running (its Atlas job named) is not silenced by one that saw it waiting.
      const seenAs = `${seen.state}:${seen.atlasJobId ?? ''}`;
      if ((await deps.claimAs(`state-lost:${seen.id}:${seenAs}:${loss.markedAt}`, me, CLAIM_TTL_SECONDS)) !== me) continue;
      await deps.messenger.postToChannel(seen.channel, stateLostMessage(seen, loss.lastSeen?.at), seen.cardTs);
    } catch (err) {
      deps.logger.warn({ requestId: seen.id, err }, "could not tell the request's thread that Redis lost its data; the log line REDIS_STATE_LOST names it");
    }
  }
}
