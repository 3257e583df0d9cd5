// Bolt's global error handler: whatever a handler failed to finish (Redis down, a bug), the user hears about it.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackMessenger } from './slack-messenger.js';

/** Bolt's extended error handler (the last overload of app.error); its type isn't exported by name. */
type ExtendedErrorHandler = Parameters<App['error']>[0];

interface PayloadIds {
  user?: string | undefined;
  channel?: string | undefined;
}

function idsOf(body: Record<string, unknown>): PayloadIds {
  const user = (body.user as { id?: string } | undefined)?.id ?? (typeof body.user_id === 'string' ? body.user_id : undefined);
  const channel =
    (body.channel as { id?: string } | undefined)?.id ??
    (typeof body.channel_id === 'string' ? body.channel_id : undefined) ??
    (body.container as { channel_id?: string } | undefined)?.channel_id;
  return { user, channel };
}

export const TRY_AGAIN_TEXT =
  "Atlas Restore couldn't finish that just now (its state store or Slack didn't answer). Try again in a minute; `/atlas-restore status` shows where things stand.";

export function tellUserAboutErrors(app: App, messenger: SlackMessenger, logger: Logger): void {
  const handler: ExtendedErrorHandler = async ({ error, body }) => {
    const payload = (body ?? {}) as Record<string, unknown>;
    const { user, channel } = idsOf(payload);
    logger.error({ err: error, user, channel, type: payload.type ?? payload.command }, 'a Slack handler failed');
    if (!user) return;
    if (channel) await messenger.tellUser(channel, user, TRY_AGAIN_TEXT);
    else await messenger.directMessage(user, TRY_AGAIN_TEXT);
  };
  app.error(handler);
}
