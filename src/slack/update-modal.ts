// views.update of the restore form, with what its failures mean. A hash_conflict is the user's own newer change:
// that one fills the form, nothing to say. Anything else is tried once more, then the user is told: a form left on
// "Loading…" (no submit button) or showing a stale choice says nothing by itself.
import type { webApi } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Services } from './services.js';
import { slackError } from './slack-messenger.js';

export const FORM_NOT_UPDATED_TEXT = "The restore form couldn't be updated (Slack refused). Choose again, or close it and run `/atlas-restore` again.";

type ViewsUpdateResult = Awaited<ReturnType<webApi.WebClient['views']['update']>>;

export async function updateModal(
  services: Services,
  client: webApi.WebClient,
  args: { viewId: string; hash?: string | undefined; view: ModalView },
  who: { channel: string; user: string },
): Promise<ViewsUpdateResult | undefined> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await client.views.update({ view_id: args.viewId, ...(args.hash ? { hash: args.hash } : {}), view: args.view });
    } catch (err) {
      if (slackError(err) === 'hash_conflict') {
        services.logger.debug({ user: who.user }, 'the form changed again meanwhile: the newer change fills it in');
        return undefined;
      }
      services.logger.warn({ err, user: who.user, attempt }, 'could not update the restore form');
    }
  }
  await services.messenger.tellUser(who.channel, who.user, FORM_NOT_UPDATED_TEXT);
  return undefined;
}
