// Events API requests as Slack sends them to our Bolt app: a JSON `event_callback` envelope, signed like every
// other request (slack-requests.ts). Only event_callback: the app never needs url_verification, which Slack sends
// once, when the request URL is saved in the app's settings.
import { randomBytes } from 'node:crypto';
import { APP_ID, asSlackView, postToSlackEndpoint, TEAM, VERIFICATION_TOKEN, type SendOptions } from './slack-requests.js';

export interface AppHomeOpenedInput {
  userId: string;
  /** The app's DM channel with the user (Slack sends it with every app_home_opened). */
  channelId?: string;
  tab?: 'home' | 'messages';
  /** The home last published for the user: Slack includes it once one has been published. */
  view?: Record<string, unknown>;
}

/** An Events API `event_callback` envelope (docs.slack.dev/apis/events-api), as Slack POSTs it: JSON, signed. */
export function buildEventCallback(event: Record<string, unknown>): Record<string, unknown> {
  const eventTime = Math.floor(Date.now() / 1000);
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: eventTime,
    authorizations: [{ enterprise_id: null, team_id: TEAM.id, user_id: 'U0BOTUSER01', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** app_home_opened (docs.slack.dev/reference/events/app_home_opened). */
export function buildAppHomeOpenedEvent(input: AppHomeOpenedInput): Record<string, unknown> {
  return {
    type: 'app_home_opened',
    user: input.userId,
    channel: input.channelId ?? `D${input.userId.slice(1)}`,
    tab: input.tab ?? 'home',
    event_ts: `${(Date.now() / 1000).toFixed(6)}`,
    ...(input.view ? { view: asSlackView({ ...input.view, type: 'home' }) } : {}),
  };
}

export function sendEvent(appUrl: string, secret: string, event: Record<string, unknown>, opts?: SendOptions) {
  return postToSlackEndpoint(appUrl, secret, JSON.stringify(buildEventCallback(event)), opts, 'application/json');
}
