// What the Slack handlers need, built once by the composition root (main.ts) and by tests.
import type { webApi } from '@slack/bolt';
import type { RedisClient } from '../redis/redis-client.js';
import type { Logger } from 'pino';
import type { Metrics } from '../http/metrics.js';
import type { AtlasClient } from '../atlas/types.js';
import type { MembershipResolver } from '../policy/policy.js';
import type { Policy } from '../policy/policy-schema.js';
import type { DrillDefinition } from '../restore/drill-definition.js';
import type { RestoreStore } from '../restore/store.js';
import type { RestoreTracker } from '../restore/tracker.js';
import type { SlackMessenger } from './slack-messenger.js';
import type { DrillSummary } from '../restore/drill-types.js';
import type { HomeRefresher } from './home-refresher.js';

export interface Services {
  policy: Policy;
  resolver: MembershipResolver;
  store: RestoreStore;
  atlas: AtlasClient;
  tracker: Pick<RestoreTracker, 'track' | 'scheduleApprovalExpiry' | 'expireIfDue' | 'runDrillNow' | 'endByPerson'>;
  /** The policy's drills, resolved, as the policy is now. */
  drills(): DrillDefinition[];
  messenger: SlackMessenger;
  /** For short-lived caches of the modal (snapshots shown to a viewer). Keys carry `prefix`. */
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  dryRun: boolean;
  now: () => Date;
  metrics?: Metrics | undefined;
  /** Channels the user shares with the bot, always including `current` (visibility of status and list). */
  channelsOf(user: string, current: string): Promise<Set<string>>;
  /** The policy's drills and their last results (App Home, `drills`). */
  listDrills(): Promise<DrillSummary[]>;
  /**
   * A Web API client that fails a rate-limited call at once instead of pausing (the handlers' shared client waits
   * out any 429 it got, for every call): for views.open and users.info, which must beat the trigger's 3 s.
   */
  formClient?: webApi.WebClient | undefined;
  /** Publishes App Homes: on app_home_opened, and after a change for the people it concerns. */
  homes: Pick<HomeRefresher, 'publishNow' | 'refreshUsers' | 'flush'>;
}
