// The App Home tab: published on every app_home_opened, and its "New restore" button. Thin: home-state.ts reads,
// views/home-view.ts renders, home-refresher.ts publishes; Approve / Reject from the home go to handle-decision.ts.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { Services } from './services.js';
import { openRestoreModal } from './open-restore-modal.js';
import { buildNoticeModal } from './views/home-view.js';

type HomeOpenedArgs = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;
type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** What a user reads when the home can't tell where a request card would go. */
export const NO_CHANNEL_TEXT =
  "The restore policy names no channel for restore requests, so I don't know where to post the request card (its thread is where the restore is followed). Run `/atlas-restore` in the channel where you want it.";
const STORE_DOWN_TEXT = "The restore records (Redis) cannot be reached right now, so nothing can be requested. Try again in a minute; if it persists, tell the bot's operators.";

export function handleAppHomeOpened(services: Services) {
  // Bolt acks events before listeners run: this is already off Slack's 3 seconds.
  return async ({ event }: HomeOpenedArgs): Promise<void> => {
    // Also on the Messages tab: the home is then current when they switch to it.
    await services.homes.publishNow(event.user);
  };
}

/**
 * The home is in no channel, and the card needs one: the policy's first channel, which is where the policy lets
 * restores be requested. A policy without channels lets any channel be used, so only the user can say which.
 */
export function handleNewRestoreFromHome(services: Services) {
  return async ({ ack, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const user = body.user.id;
    const tell = (text: string) =>
      client.views.open({ trigger_id: body.trigger_id, view: buildNoticeModal('New restore', text) }).then(
        () => undefined,
        async (err: unknown) => {
          services.logger.warn({ err, user }, 'could not open the notice modal');
          await services.messenger.directMessage(user, text);
        },
      );
    const channel = services.policy.channels?.[0];
    if (channel === undefined) return tell(NO_CHANNEL_TEXT);
    if (!(await services.store.ping())) return tell(STORE_DOWN_TEXT);
    await openRestoreModal(services, client, { user, channel, triggerId: body.trigger_id, prefill: {} });
  };
}
