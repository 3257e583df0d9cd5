// The state of a fake Slack workspace and the Web API methods that read and change it.
// HTTP, auth and failure injection live in fake-slack.ts; this module only knows Slack semantics.
import { blocksArg, optString, requireString, SlackMethodError, type SlackArgs } from './fake-slack-args.js';
import { FakeSlackViews } from './fake-slack-views.js';
import { slackRefusal } from './block-kit-limits.js';

export { SlackMethodError, type SlackArgs } from './fake-slack-args.js';
export type { StoredView } from './fake-slack-views.js';

export interface StoredMessage {
  channel: string;
  ts: string;
  /** Set on replies only (Slack also sets it on a root that has replies; we keep roots without it). */
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  user: string;
  bot_id: string;
  edited?: { user: string; ts: string };
  metadata?: unknown;
  /** A reply posted with reply_broadcast: Slack shows it in the channel too; a tombstone is a deleted root with replies. */
  subtype?: 'thread_broadcast' | 'tombstone';
}

export interface StoredEphemeral {
  channel?: string;
  user?: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  message_ts: string;
  via: 'chat.postEphemeral' | 'response_url';
  responseUrlId?: string;
}

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  tz: string;
  is_bot: boolean;
  deleted: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_archived: boolean;
  /** Who is in it; undefined: everyone (the tests' default). */
  members?: string[] | undefined;
}

export interface WorkspaceConfig {
  url: string;
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
  defaultTz: string;
  triggerPrefix: string;
  triggerTtlMs: number;
}

/** Offset of a time zone from UTC in seconds at `at`, as users.info reports it in `tz_offset`. */
export function tzOffsetSeconds(tz: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/** Throws what Slack answers to blocks it refuses (block-kit-limits.ts). */
function checkMessageBlocks(blocks: unknown[] | undefined): void {
  const refusal = slackRefusal('message', { blocks });
  if (refusal) throw new SlackMethodError(refusal.error, refusal.messages);
}

/**
 * Slack truncates a message's top-level `text` past 40,000 characters rather than refusing it (changelog
 * "Truncating really long messages", 2018): the fake stores what Slack would show.
 */
export const MAX_MESSAGE_TEXT = 40_000;
const truncated = (text: string) => text.slice(0, MAX_MESSAGE_TEXT);

export class FakeSlackWorkspace {
  readonly messageLog: StoredMessage[] = [];
  readonly ephemeralLog: StoredEphemeral[] = [];
  readonly views: FakeSlackViews;
  readonly notInChannelIds = new Set<string>();
  /** `${channel}:${ts}` of messages someone deleted in the client (deleteMessage). */
  readonly deletedMessages = new Set<string>();
  readonly users = new Map<string, FakeUser>();
  readonly usergroups = new Map<string, string[]>();
  readonly channels = new Map<string, FakeChannel>();
  private readonly baseSec = Math.floor(Date.now() / 1000);
  private tsSeq = 0;

  constructor(readonly cfg: WorkspaceConfig) {
    this.views = new FakeSlackViews(cfg);
  }

  /** A fresh message ts, strictly increasing and of constant width (so string order = time order). */
  nextTs(): string {
    this.tsSeq += 1;
    const sec = this.baseSec + Math.floor(this.tsSeq / 1_000_000);
    return `${sec}.${String(this.tsSeq % 1_000_000).padStart(6, '0')}`;
  }

  setUser(id: string, info: Partial<Omit<FakeUser, 'id'>> = {}): FakeUser {
    const tz = info.tz ?? this.cfg.defaultTz;
    tzOffsetSeconds(tz); // throws RangeError on a bad zone: fail at set-up, not inside a handler
    const user: FakeUser = {
      id,
      name: info.name ?? id.toLowerCase(),
      real_name: info.real_name ?? `User ${id}`,
      tz,
      is_bot: info.is_bot ?? false,
      deleted: info.deleted ?? false,
    };
    this.users.set(id, user);
    return user;
  }

  setChannel(id: string, info: Partial<Omit<FakeChannel, 'id'>> = {}): FakeChannel {
    const channel: FakeChannel = {
      id,
      name: info.name ?? `channel-${id.toLowerCase()}`,
      is_private: info.is_private ?? false,
      is_archived: info.is_archived ?? false,
      members: info.members,
    };
    this.channels.set(id, channel);
    return channel;
  }

  /**
   * What a POST to a response_url does: replace or delete the original message, post in the channel,
   * or (by default) show an ephemeral message to the user.
   */
  applyResponsePost(id: string, meta: { channelId?: string; userId?: string; messageTs?: string }, body: SlackArgs): void {
    const text = truncated(typeof body.text === 'string' ? body.text : '');
    const blocks = Array.isArray(body.blocks) ? body.blocks : [];
    const original = meta.channelId && meta.messageTs ? this.findMessage(meta.channelId, meta.messageTs) : undefined;
    if (body.delete_original === true && original) {
      this.messageLog.splice(this.messageLog.indexOf(original), 1);
    } else if (body.replace_original === true && original) {
      Object.assign(original, { text, blocks, edited: { user: this.cfg.botUserId, ts: this.nextTs() } });
    } else if (body.response_type === 'in_channel' && meta.channelId) {
      const thread = typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {};
      this.messageLog.push({ channel: meta.channelId, ts: this.nextTs(), ...thread, text, blocks, user: this.cfg.botUserId, bot_id: this.cfg.botId });
    } else {
      this.ephemeralLog.push({
        ...(meta.channelId ? { channel: meta.channelId } : {}),
        ...(meta.userId ? { user: meta.userId } : {}),
        text,
        blocks,
        message_ts: this.nextTs(),
        via: 'response_url',
        responseUrlId: id,
      });
    }
  }

  /**
   * What a person deleting a message in the Slack client does. A root with replies stays as a tombstone ("This message
   * was deleted.") that keeps its thread; one without replies is gone. Replying to either is refused (thread_not_found
   * for a deleted parent: a Slack engineer's answer in slackapi/bolt-js#2307; cannot_reply_to_message for a tombstone),
   * and chat.update answers message_not_found. Real Slack has also been seen taking a reply to a missing parent with
   * ok:true and showing it nowhere (slackapi/python-slack-sdk#840): no test can rely on either, the bot handles both.
   */
  deleteMessage(channel: string, ts: string): void {
    const msg = this.findMessage(channel, ts);
    if (!msg) throw new Error(`fake Slack: no message ${ts} in ${channel} to delete`);
    const hasReplies = this.messageLog.some((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts);
    if (hasReplies) Object.assign(msg, { subtype: 'tombstone' as const, text: 'This message was deleted.', blocks: [], user: 'USLACKBOT' });
    else this.messageLog.splice(this.messageLog.indexOf(msg), 1);
    this.deletedMessages.add(`${channel}:${ts}`);
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messageLog.find((m) => m.channel === channel && m.ts === ts);
  }

  /** Runs one Web API method; throws SlackMethodError for `{ok:false}` answers. */
  call(method: string, args: SlackArgs): Record<string, unknown> {
    const handler = this.methods[method];
    if (!handler) throw new SlackMethodError('unknown_method');
    return handler(args);
  }

  private postMessage(args: SlackArgs): Record<string, unknown> {
    const channel = requireString(args, 'channel', 'channel_not_found');
    if (this.channels.get(channel)?.is_archived) throw new SlackMethodError('is_archived');
    if (this.notInChannelIds.has(channel)) throw new SlackMethodError('not_in_channel');
    const text = truncated(optString(args, 'text') ?? '');
    const blocks = blocksArg(args) ?? [];
    checkMessageBlocks(blocks);
    if (!text && blocks.length === 0) throw new SlackMethodError('no_text');
    let threadTs = optString(args, 'thread_ts');
    if (threadTs && this.deletedMessages.has(`${channel}:${threadTs}`)) {
      throw new SlackMethodError(this.findMessage(channel, threadTs) ? 'cannot_reply_to_message' : 'thread_not_found');
    }
    // Replying to a reply lands in the parent's thread, as in Slack.
    if (threadTs) threadTs = this.findMessage(channel, threadTs)?.thread_ts ?? threadTs;
    const msg: StoredMessage = {
      channel,
      ts: this.nextTs(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      // The Web API client sends form fields, where true is "true".
      ...(threadTs && String(args.reply_broadcast) === 'true' ? { subtype: 'thread_broadcast' as const } : {}),
      text,
      blocks,
      user: this.cfg.botUserId,
      bot_id: this.cfg.botId,
      ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
    };
    this.messageLog.push(msg);
    return { channel, ts: msg.ts, message: { type: 'message', app_id: this.cfg.appId, ...msg } };
  }

  private update(args: SlackArgs): Record<string, unknown> {
    const channel = requireString(args, 'channel', 'channel_not_found');
    const ts = requireString(args, 'ts', 'message_not_found');
    const msg = this.findMessage(channel, ts);
    if (!msg || this.deletedMessages.has(`${channel}:${ts}`)) throw new SlackMethodError('message_not_found');
    // "The message cannot be edited within a frozen, archived or deleted channel" (chat.update's errors).
    if (this.channels.get(channel)?.is_archived) throw new SlackMethodError('is_inactive');
    if (msg.user !== this.cfg.botUserId) throw new SlackMethodError('cant_update_message');
    const given = optString(args, 'text');
    const text = given === undefined ? undefined : truncated(given);
    const blocks = blocksArg(args);
    checkMessageBlocks(blocks);
    if (text === undefined && blocks === undefined) throw new SlackMethodError('no_text');
    // Slack keeps the previous blocks when `blocks` is omitted; an empty array removes them.
    if (text !== undefined) msg.text = text;
    if (blocks !== undefined) msg.blocks = blocks;
    msg.edited = { user: this.cfg.botUserId, ts: this.nextTs() };
    return { channel, ts, text: msg.text, message: { type: 'message', ...msg } };
  }

  private postEphemeral(args: SlackArgs): Record<string, unknown> {
    const channel = requireString(args, 'channel', 'channel_not_found');
    const user = requireString(args, 'user', 'user_not_in_channel');
    const text = truncated(optString(args, 'text') ?? '');
    const blocks = blocksArg(args) ?? [];
    checkMessageBlocks(blocks);
    if (!text && blocks.length === 0) throw new SlackMethodError('no_text');
    const threadTs = optString(args, 'thread_ts');
    const eph: StoredEphemeral = {
      channel,
      user,
      text,
      blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      message_ts: this.nextTs(),
      via: 'chat.postEphemeral',
    };
    this.ephemeralLog.push(eph);
    return { message_ts: eph.message_ts };
  }

  private getPermalink(args: SlackArgs): Record<string, unknown> {
    const channel = requireString(args, 'channel', 'channel_not_found');
    const ts = requireString(args, 'message_ts', 'message_not_found');
    const msg = this.findMessage(channel, ts);
    if (!msg) throw new SlackMethodError('message_not_found');
    const base = `${this.cfg.url}/archives/${channel}/p${ts.replace('.', '')}`;
    const permalink = msg.thread_ts ? `${base}?thread_ts=${msg.thread_ts}&cid=${channel}` : base;
    return { channel, permalink };
  }

  private userInfo(args: SlackArgs): Record<string, unknown> {
    const id = requireString(args, 'user', 'user_not_found');
    const user = this.users.get(id) ?? this.setUser(id);
    const label = new Intl.DateTimeFormat('en-US', { timeZone: user.tz, timeZoneName: 'long' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value;
    return {
      user: { ...user, team_id: this.cfg.teamId, tz_label: label ?? user.tz, tz_offset: tzOffsetSeconds(user.tz) },
    };
  }

  private conversationInfo(args: SlackArgs): Record<string, unknown> {
    const id = requireString(args, 'channel', 'channel_not_found');
    const ch = this.channels.get(id) ?? this.setChannel(id);
    return {
      channel: { ...ch, is_channel: !ch.is_private, is_group: ch.is_private, is_im: false, is_member: !this.notInChannelIds.has(id) },
    };
  }

  private readonly methods: Record<string, (args: SlackArgs) => Record<string, unknown>> = {
    'auth.test': () => ({
      url: `${this.cfg.url}/`,
      team: this.cfg.teamName,
      user: 'atlas-restore',
      team_id: this.cfg.teamId,
      user_id: this.cfg.botUserId,
      bot_id: this.cfg.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (a) => this.postMessage(a),
    'chat.update': (a) => this.update(a),
    'chat.postEphemeral': (a) => this.postEphemeral(a),
    'chat.getPermalink': (a) => this.getPermalink(a),
    'views.open': (a) => this.views.open(a),
    'views.push': (a) => this.views.open(a),
    'views.update': (a) => this.views.update(a),
    'views.publish': (a) => this.views.publish(a),
    'usergroups.users.list': (a) => {
      const group = requireString(a, 'usergroup', 'no_such_subteam');
      const users = this.usergroups.get(group);
      if (!users) throw new SlackMethodError('no_such_subteam');
      return { users: [...users] };
    },
    'users.info': (a) => this.userInfo(a),
    'conversations.info': (a) => this.conversationInfo(a),
    'users.conversations': (a) => this.userConversations(a),
  };

  /** Channels the user and the bot share (a bot token sees no other private channel), from the known ones. */
  private userConversations(args: SlackArgs): Record<string, unknown> {
    const user = requireString(args, 'user', 'user_not_found');
    const ids = new Set([...this.channels.keys(), ...this.messageLog.map((m) => m.channel)]);
    const shared = [...ids]
      .map((id) => this.channels.get(id) ?? { id, name: `channel-${id.toLowerCase()}`, is_private: false, is_archived: false, members: undefined })
      .filter((ch) => !this.notInChannelIds.has(ch.id) && !ch.is_archived && (ch.members === undefined || ch.members.includes(user)));
    return { channels: shared.map((ch) => ({ id: ch.id, name: ch.name, is_private: ch.is_private })), response_metadata: { next_cursor: '' } };
  }
}
