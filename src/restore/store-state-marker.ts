// Whether Redis still holds what this bot wrote. A Redis that restarts empty (no persistence, a managed cache replaced
// or scaled, a FLUSHALL) has lost every request, target lock and restore job at once, and nothing else would say so:
// the tracker finds no job to run, a running restore's thread goes silent while Atlas goes on restoring, and its
// target is no longer locked. So a marker under the prefix, written once, is read in the readiness probe's own write
// (one script, no extra round trip, nothing per poll). A replica that saw one marker and later finds another (or none,
// and writes it) knows Redis lost its data since, and says which requests it last saw in flight: what the metrics'
// and the reconciler's reads of the active set showed, remembered, so the loss costs no read of its own.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import { PROBE_AND_MARK } from './lua/state-scripts.js';
import { runScript } from './lua/run-script.js';
import type { StoreKeys } from './store-keys.js';
import type { RestoreRequest } from './types.js';

/** A request as a replica last saw it in flight: what someone needs to find it in Atlas and in Slack. */
export interface InFlightSeen {
  id: string;
  state: RestoreRequest['state'];
  /** `groupId/cluster` */
  target: string;
  /** `project/cluster`, as the policy and the card name it. */
  targetName?: string;
  requester?: string;
  atlasJobId?: string;
  channel: string;
  cardTs?: string;
}

export interface StateLoss {
  /** When this replica noticed. */
  detectedAt: string;
  /** When the marker of the lost data was written: the data lost is what was written since. */
  markedAt: string;
  /** The requests in flight at this replica's last look before the loss, and when it looked (absent: it never looked). */
  lastSeen?: { at: string; requests: InFlightSeen[] };
}

const PROBE_TTL_MS = 60_000;

export interface StateMarker {
  /** The probe's write; resolves with the loss it found, if any (a loss is found once, by each replica). */
  probe(): Promise<{ loss?: StateLoss }>;
  /**
   * What a read of the active set found, with the marker read alongside: said again if Redis loses it. A read made after
   * the loss (another marker, or none) is not remembered: the requests it doesn't find are the ones to name.
   */
  remember(active: readonly RestoreRequest[], markerAtRead: string | null): void;
}

function seen(req: RestoreRequest): InFlightSeen {
  return {
    id: req.id,
    state: req.state,
    target: `${req.target.groupId}/${req.target.cluster}`,
    targetName: `${req.target.project}/${req.target.cluster}`,
    requester: req.requester,
    ...(req.atlasJobId ? { atlasJobId: req.atlasJobId } : {}),
    channel: req.channel,
    ...(req.cardTs ? { cardTs: req.cardTs } : {}),
  };
}

/** The marker's value: when it was written, and a token, so two markers written in one millisecond still differ. */
function newMarker(now: Date): string {
  return `${now.toISOString()}#${randomBytes(4).toString('hex')}`;
}

export function createStateMarker(redis: RedisClient, keys: Pick<StoreKeys, 'probe' | 'marker'>, now: () => Date = () => new Date()): StateMarker {
  let held: string | undefined;
  let lastSeen: StateLoss['lastSeen'];
  return {
    async probe() {
      const [, marker] = (await runScript(redis, PROBE_AND_MARK, [keys.probe, keys.marker], [newMarker(now()), PROBE_TTL_MS])) as [number, string];
      const before = held;
      held = String(marker);
      if (before === undefined || before === held) return {};
      const loss: StateLoss = { detectedAt: now().toISOString(), markedAt: before.split('#')[0]!, ...(lastSeen ? { lastSeen } : {}) };
      lastSeen = undefined;
      return { loss };
    },
    remember(active, markerAtRead) {
      if (held !== undefined && markerAtRead !== held) return;
      // Before this replica's first probe: the marker read is the one to compare with (none yet: the probe writes it).
      if (markerAtRead !== null) held = markerAtRead;
      lastSeen = { at: now().toISOString(), requests: active.map(seen) };
    },
  };
}

/** One paragraph for the log and /readyz: what is gone, and what to check by hand. */
export function describeStateLoss(loss: StateLoss): string {
  const head = `Redis lost this bot's data (it restarted empty, was replaced or flushed; noticed ${loss.detectedAt}): every request, target lock, restore job and drill run written since ${loss.markedAt} is gone, so nothing follows them and their targets are not locked.`;
  if (!loss.lastSeen) return `${head} This replica had not looked at the requests in flight; check Atlas for restore jobs still running before approving new ones.`;
  if (loss.lastSeen.requests.length === 0) return `${head} No request was in flight at this replica's last look (${loss.lastSeen.at}).`;
  const items = loss.lastSeen.requests.map((r) => {
    const job = r.atlasJobId ? `, Atlas restore job ${r.atlasJobId}: Atlas may still be restoring` : '';
    return `${r.id} (${r.state}, into ${r.target}${job})`;
  });
  return `${head} In flight at this replica's last look (${loss.lastSeen.at}): ${items.join('; ')}. Check those in Atlas and in their Slack threads, and make new requests where needed.`;
}
