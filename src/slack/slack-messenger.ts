// Everything the bot says in Slack goes through here: the card (one message, re-rendered from the stored request),
// its thread, and private answers. Failures are logged, and thrown only for a message that must arrive (a request's
// final message): the restore's step then tries again. Anything else must not undo a restore step.
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RestoreRequest } from '../restore/types.js';
import { createCardRefresher, type CardRefresherOptions } from './card-refresher.js';
import { checkChannelAccess, type ChannelAccess } from './channel-access.js';
import { buildRequestCard } from './views/request-card.js';
import type { ThreadMessage } from './views/thread-messages.js';

export interface SlackMessenger {
  /** Posts the card; returns its ts, or the Slack error code (e.g. not_in_channel). */
  postCard(req: RestoreRequest): Promise<{ ok: true; ts: string } | { ok: false; error: string }>;
  /** Re-renders the card from the stored request (the argument names it and is the fallback). */
  updateCard(req: RestoreRequest): Promise<void>;
  /** `mustArrive`: throws when Slack did not take it (after logging), so the caller can try again. */
  postInThread(req: RestoreRequest, message: ThreadMessage, opts?: { mustArrive?: boolean }): Promise<void>;
  /** A message of its own in a channel (no request, no thread), e.g. a drill that could not start. Throws when Slack did not take it (after logging). */
  postToChannel(channel: string, message: ThreadMessage, threadTs?: string): Promise<void>;
  /** Only `user` sees it; in the card's thread when there is one. */
  tellUser(channel: string, user: string, text: string, threadTs?: string): Promise<void>;
  /** A direct message, for when the channel itself is the problem. `mustArrive`: throws when Slack did not take it (after logging). */
  directMessage(user: string, text: string, opts?: { mustArrive?: boolean }): Promise<void>;
  permalink(req: RestoreRequest): Promise<string | undefined>;
  /** Whether the bot can post the card in `channel` (conversations.info); 'unknown' when Slack doesn't say. */
  channelAccess(channel: string): Promise<ChannelAccess>;
  /**
   * Not ok from the first call Slack refuses the bot token on (revoked, the app uninstalled, the workspace gone)
   * until a call goes through again: for readiness and a metric. The restores go on in Atlas meanwhile.
   */
  tokenHealth(): { ok: boolean; reason?: string };
}

/** Errors of a post into a channel the bot can't post in any more: no retry mends them. */
export const CHANNEL_GONE_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** chat.update errors no retry can mend: the channel is gone, or the card was deleted or can't be edited any more. */
const PERMANENT_CARD_ERRORS: ReadonlySet<string> = new Set([...CHANNEL_GONE_ERRORS, 'is_inactive', 'message_not_found', 'cant_update_message', 'edit_window_closed']);

/** Slack's answers that the bot token itself is refused: nothing the bot says arrives until an operator fixes it. */
export const TOKEN_REFUSED_ERRORS: ReadonlySet<string> = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'team_disabled', 'user_removed_from_team']);

export function slackError(err: unknown): string {
  const data = (err as { data?: { error?: string } }).data;
  return data?.error ?? (err instanceof Error ? err.message : String(err));
}

export interface MessengerOptions {
  /** Serialises card updates per card and renders them from the stored request (card-refresher.ts). */
  cards?: Omit<CardRefresherOptions, 'render'> | undefined;
  /** Told of every request whose card is posted or refreshed, i.e. of every change people see (App Home refresh). Must not throw. */
  onChange?: ((req: RestoreRequest) => void) | undefined;
  /** While the token is refused, tokenHealth() asks Slack again (auth.test) at most this often. Default 30 s. */
  tokenRecheckMs?: number | undefined;
}


export function createSlackMessenger(client: webApi.WebClient, logger: Logger, now: () => Date = () => new Date(), opts: MessengerOptions = {}): SlackMessenger {
  const log = logger.child({ component: 'slack-messenger' });
  let tokenRefused: string | undefined;
  let tokenCheckedAt = 0;
  const warn = (what: string, req: { id?: string } | undefined, err: unknown) => {
    const code = slackError(err);
    log.warn({ requestId: req?.id, slackError: code }, `could not ${what}`);
    if (!TOKEN_REFUSED_ERRORS.has(code) || tokenRefused === code) return;
    tokenRefused = code; // said once, not on every message of every restore
    log.error(
      { slackError: code },
      `Slack refuses the bot token (${code}): the app was uninstalled, or SLACK_BOT_TOKEN revoked or rotated. Restores are still followed in Atlas and ` +
        'their final messages are kept and retried; reinstall the app and set the new SLACK_BOT_TOKEN.',
    );
  };
  /** Every call that went through: a token Slack refused before works again. */
  const tookIt = () => {
    if (tokenRefused === undefined) return;
    log.info({ previously: tokenRefused }, 'Slack takes the bot token again');
    tokenRefused = undefined;
  };

  async function directMessage(user: string, text: string, { mustArrive = false } = {}): Promise<void> {
    try {
      await client.chat.postMessage({ channel: user, text });
      tookIt();
    } catch (err) {
      warn('send a direct message', undefined, err);
      if (mustArrive) throw err;
    }
  }

  async function renderCard(req: RestoreRequest): Promise<void> {
    if (!req.cardTs) return;
    const card = buildRequestCard(req, now());
    try {
      await client.chat.update({ channel: req.channel, ts: req.cardTs, text: card.text, blocks: card.blocks });
      tookIt();
    } catch (err) {
      warn('update the request card', req, err);
      // Told to the refresher, which tries again; a card that is gone or can't be edited any more is not.
      if (!PERMANENT_CARD_ERRORS.has(slackError(err))) throw err;
    }
  }
  const refreshCard = opts.cards ? createCardRefresher({ ...opts.cards, render: renderCard }) : renderCard;

  return {
    directMessage,
    channelAccess: (channel) => checkChannelAccess(client, channel),
    tokenHealth() {
      if (tokenRefused === undefined) return { ok: true };
      // Nothing else may call Slack for a while (no restore has anything to say): ask, so a fixed token is seen.
      if (now().getTime() - tokenCheckedAt >= (opts.tokenRecheckMs ?? 30_000)) {
        tokenCheckedAt = now().getTime();
        client.auth.test().then(tookIt, (err: unknown) => warn('check the bot token', undefined, err));
      }
      return { ok: false, reason: `Slack refuses the bot token (${tokenRefused})` };
    },
    async postCard(req) {
      const card = buildRequestCard(req, now());
      try {
        const res = await client.chat.postMessage({ channel: req.channel, text: card.text, blocks: card.blocks, unfurl_links: false });
        tookIt();
        if (res.ts) opts.onChange?.(req);
        return res.ts ? { ok: true, ts: res.ts } : { ok: false, error: 'no_ts' };
      } catch (err) {
        if (TOKEN_REFUSED_ERRORS.has(slackError(err))) warn('post the request card', req, err);
        return { ok: false, error: slackError(err) };
      }
    },
    async updateCard(req) {
      opts.onChange?.(req);
      try {
        await refreshCard(req);
      } catch (err) {
        warn('refresh the request card', req, err);
      }
    },
    async postInThread(req, message, { mustArrive = false } = {}) {
      const thread = req.cardTs ? { thread_ts: req.cardTs, ...(message.broadcast ? { reply_broadcast: true } : {}) } : {};
      try {
        await client.chat.postMessage({
          channel: req.channel,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...thread,
          unfurl_links: false,
        } as webApi.ChatPostMessageArguments);
        tookIt();
      } catch (err) {
        warn('post in the thread', req, err);
        if (mustArrive) throw err;
      }
    },
    async postToChannel(channel, message, threadTs) {
      const thread = threadTs ? { thread_ts: threadTs, ...(message.broadcast ? { reply_broadcast: true } : {}) } : {};
      try {
        await client.chat.postMessage({ channel, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), ...thread, unfurl_links: false });
        tookIt();
      } catch (err) {
        warn('post in the channel', undefined, err);
        throw err;
      }
    },
    async tellUser(channel, user, text, threadTs) {
      try {
        await client.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
        tookIt();
      } catch (err) {
        // An ephemeral can fail where the bot can't post; fall back to a DM so the user still hears why.
        warn('send an ephemeral message', undefined, err);
        await directMessage(user, text);
      }
    },
    async permalink(req) {
      if (!req.cardTs) return undefined;
      try {
        const res = await client.chat.getPermalink({ channel: req.channel, message_ts: req.cardTs });
        return res.permalink;
      } catch (err) {
        warn('get a permalink', req, err);
        return undefined;
      }
    },
  };
}
