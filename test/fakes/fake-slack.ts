// A fake Slack Web API on a real HTTP server (127.0.0.1, random port), for integration tests and the demo.
// Point a WebClient at it with `slackApiUrl: fake.apiUrl`. Slack semantics live in fake-slack-workspace.ts.
import { EventEmitter } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAppHomeOpenedEvent, sendEvent } from '../helpers/slack-events.js';
import { TEST_TRIGGER_PREFIX, type SlackAppResponse } from '../helpers/slack-requests.js';
import { parseArgs, readBody, sendJson } from './fake-slack-http.js';
import { slackRefusal } from './block-kit-limits.js';
import { messageToText } from './flatten-blocks.js';
import {
  FakeSlackWorkspace,
  SlackMethodError,
  type FakeChannel,
  type FakeUser,
  type SlackArgs,
  type StoredEphemeral,
  type StoredMessage,
  type StoredView,
} from './fake-slack-workspace.js';

export type { FakeChannel, FakeUser, StoredEphemeral, StoredMessage, StoredView } from './fake-slack-workspace.js';
export { messageToText } from './flatten-blocks.js';

export interface FakeSlackOptions {
  botToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  /** tz of users not configured otherwise (default 'UTC'). */
  defaultTz?: string;
  /** Any trigger_id with this prefix is accepted once (default 'trigger-', what newTriggerId() makes). */
  triggerPrefix?: string;
  /** Triggers expire this long after issue, like Slack's 3 s (default 3000). */
  triggerTtlMs?: number;
  users?: Record<string, Partial<Omit<FakeUser, 'id'>>>;
  usergroups?: Record<string, string[]>;
  channels?: Record<string, Partial<Omit<FakeChannel, 'id'>>>;
  /** Enables apps.connections.open: it takes only this app-level token and answers `connectionUrl()`. */
  socketMode?: { appToken: string; connectionUrl: () => string };
  /** The token's scopes, sent in X-OAuth-Scopes as Slack does (WebClient puts them in response_metadata.scopes). Default: no header. */
  scopes?: readonly string[];
}

export interface RecordedCall {
  seq: number;
  /** Web API method, or 'response_url' for a POST to a response URL (args = {id, ...body}). */
  method: string;
  args: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

export interface ResponseUrlMeta {
  channelId?: string;
  userId?: string;
  /** For block-action response URLs: the message `replace_original` / `delete_original` act on. */
  messageTs?: string;
}

export interface FakeSlack {
  url: string;
  /** `${url}/api/`, for WebClient's slackApiUrl. */
  apiUrl: string;
  botToken: string;
  botUserId: string;
  calls: RecordedCall[];
  workspace: FakeSlackWorkspace;
  registerTrigger(id: string): void;
  setUser(id: string, info: Partial<Omit<FakeUser, 'id'>>): void;
  setUsergroup(id: string, userIds: string[]): void;
  setChannel(id: string, info: Partial<Omit<FakeChannel, 'id'>>): void;
  notInChannel(channelId: string): void;
  /** The next `count` calls of `method` (only those whose arguments `match`, when given) answer `error`. */
  failNext(method: string, error: string, count?: number, match?: (args: Record<string, unknown>) => boolean): void;
  /** Drops the failures failNext queued for `method` that have not happened yet. */
  clearFailures(method: string): void;
  /** The bot token stops working, as when the app is uninstalled or the token revoked: every call answers `error`. */
  revokeToken(error?: 'token_revoked' | 'invalid_auth' | 'account_inactive'): void;
  /** The bot token works again (the app reinstalled, the same token given back in this fake). */
  restoreToken(): void;
  /**
   * chat.postMessage takes at most `perSecond` messages a second per channel (Slack's "1 per second per channel,
   * short bursts allowed"); more answer 429 with Retry-After: 1. Undefined lifts the limit.
   */
  limitChannelPosts(perSecond: number | undefined): void;
  /** A person deletes the message in the Slack client (see FakeSlackWorkspace.deleteMessage). */
  deleteMessage(channel: string, ts: string): void;
  rateLimit(method: string, retryAfterSec: number): void;
  /** The next call of `method` is answered only after `ms` (a slow Slack, for the handlers' deadlines). */
  slowNext(method: string, ms: number): void;
  responseUrl(id: string, meta?: ResponseUrlMeta): string;
  messages(channel: string): StoredMessage[];
  thread(channel: string, ts: string): StoredMessage[];
  ephemerals(user?: string): StoredEphemeral[];
  views(): StoredView[];
  /** The Home tab last published for `user` (views.publish). */
  home(user: string): StoredView | undefined;
  /** Delivers app_home_opened for `user` to the app, signed, with their current home as Slack does. */
  openHome(appUrl: string, signingSecret: string, user: string, tab?: 'home' | 'messages'): Promise<SlackAppResponse>;
  /** The first call of `method` matching `predicate`, past or future; rejects after `timeoutMs` (default 10 000, as waitFor). */
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  transcript(channel: string): string;
  close(): Promise<void>;
}

/** Slack lets a response_url be used 5 times. */
const RESPONSE_URL_USES = 5;

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-fake-bot-token';
  const calls: RecordedCall[] = [];
  const events = new EventEmitter();
  const failures = new Map<string, { error: string; remaining: number; match?: ((args: SlackArgs) => boolean) | undefined }[]>();
  const rateLimits = new Map<string, number>();
  const slowdowns = new Map<string, number>();
  const responseUrls = new Map<string, ResponseUrlMeta & { uses: number }>();
  let tokenRefusal: string | undefined;
  let channelPostLimit: number | undefined;
  const channelPosts = new Map<string, number[]>();

  /** Whether this post goes over its channel's limit (counted only when it is taken). */
  function overChannelLimit(method: string, args: SlackArgs): boolean {
    if (method !== 'chat.postMessage' || channelPostLimit === undefined || typeof args.channel !== 'string') return false;
    const now = Date.now();
    const recent = (channelPosts.get(args.channel) ?? []).filter((t) => t > now - 1000);
    channelPosts.set(args.channel, recent);
    if (recent.length >= channelPostLimit) return true;
    recent.push(now);
    return false;
  }

  function record(method: string, args: SlackArgs, status: number, error?: string): void {
    const call: RecordedCall = { seq: calls.length, method, args, at: Date.now(), status, ok: error === undefined, ...(error ? { error } : {}) };
    calls.push(call);
    events.emit('call', call);
  }

  function handleApi(method: string, args: SlackArgs, authHeader: string | undefined, res: ServerResponse): void {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authHeader ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const scopeHeader: Record<string, string> = opts.scopes ? { 'X-OAuth-Scopes': opts.scopes.join(',') } : {};
    const fail = (error: string, body: Record<string, unknown> = { error }) => {
      record(method, args, 200, error);
      sendJson(res, 200, { ok: false, ...body }, scopeHeader);
    };
    if (!token) return fail('not_authed');
    // Socket Mode's apps.connections.open is the one method called with the app-level token (xapp-…).
    const socketOpen = method === 'apps.connections.open';
    if (socketOpen && token === botToken) return fail('not_allowed_token_type');
    if (token !== (socketOpen ? opts.socketMode?.appToken : botToken)) return fail('invalid_auth');
    if (tokenRefusal && !socketOpen) return fail(tokenRefusal);
    const retryAfter = rateLimits.get(method) ?? (overChannelLimit(method, args) ? 1 : undefined);
    if (retryAfter !== undefined) {
      rateLimits.delete(method);
      record(method, args, 429, 'ratelimited');
      return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(retryAfter) });
    }
    const queue = failures.get(method);
    const injected = queue?.find((f) => !f.match || f.match(args));
    if (queue && injected) {
      injected.remaining -= 1;
      if (injected.remaining <= 0) queue.splice(queue.indexOf(injected), 1);
      return fail(injected.error);
    }
    try {
      const result = socketOpen ? { url: opts.socketMode!.connectionUrl() } : workspaceImpl.call(method, args);
      record(method, args, 200);
      sendJson(res, 200, { ok: true, ...result }, scopeHeader);
    } catch (err) {
      if (err instanceof SlackMethodError) return fail(err.error, err.body());
      throw err;
    }
  }

  function handleResponseUrl(id: string, raw: string, res: ServerResponse): void {
    const meta = responseUrls.get(id);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      record('response_url', { id, raw }, 400, 'invalid_payload');
      res.writeHead(400).end('invalid_payload');
      return;
    }
    if (!meta || meta.uses >= RESPONSE_URL_USES) {
      // Slack's exact answer to an exhausted URL is undocumented; a 404 makes Bolt's respond() throw, as it should.
      const error = meta ? 'used_url' : 'unknown_response_url';
      record('response_url', { id, ...body }, 404, error);
      res.writeHead(404).end(error);
      return;
    }
    // Blocks Slack would refuse: a 400 with the bare error, as incoming webhooks and response URLs answer.
    const refusal = slackRefusal('message', body);
    if (refusal) {
      record('response_url', { id, ...body }, 400, refusal.error);
      res.writeHead(400).end(refusal.error);
      return;
    }
    meta.uses += 1;
    workspaceImpl.applyResponsePost(id, meta, body);
    record('response_url', { id, ...body }, 200);
    sendJson(res, 200, { ok: true });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake-slack');
      const raw = await readBody(req);
      const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
      if (api?.[1] && (req.method === 'POST' || req.method === 'GET')) {
        const slow = slowdowns.get(api[1]);
        slowdowns.delete(api[1]);
        if (slow) await new Promise((resolve) => setTimeout(resolve, slow));
        let args: SlackArgs;
        try {
          args = parseArgs(raw, req.headers['content-type'] ?? '', url.searchParams);
        } catch {
          record(api[1], { raw }, 200, 'invalid_json');
          return sendJson(res, 200, { ok: false, error: 'invalid_json' });
        }
        return handleApi(api[1], args, req.headers.authorization, res);
      }
      const resp = /^\/response\/([^/]+)$/.exec(url.pathname);
      if (resp?.[1] && req.method === 'POST') return handleResponseUrl(decodeURIComponent(resp[1]), raw, res);
      res.writeHead(404).end('not found');
    })().catch((err: unknown) => {
      // A bug in the fake must show up in the test, not hang it.
      if (!res.headersSent) res.writeHead(500);
      res.end(err instanceof Error ? err.stack : String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  // Handlers above use it: they only run once this is set (no await between listen and here).
  const workspaceImpl = new FakeSlackWorkspace({
    url,
    teamId: opts.teamId ?? 'T0001',
    teamName: 'example',
    botUserId: opts.botUserId ?? 'U0BOTUSER01',
    botId: opts.botId ?? 'B0123BOT456',
    appId: 'A123456',
    defaultTz: opts.defaultTz ?? 'UTC',
    triggerPrefix: opts.triggerPrefix ?? TEST_TRIGGER_PREFIX,
    triggerTtlMs: opts.triggerTtlMs ?? 3000,
  });
  try {
    for (const [id, info] of Object.entries(opts.users ?? {})) workspaceImpl.setUser(id, info);
  } catch (err) {
    server.close();
    throw new Error(`startFakeSlack: bad users option: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  for (const [id, members] of Object.entries(opts.usergroups ?? {})) workspaceImpl.usergroups.set(id, [...members]);
  for (const [id, info] of Object.entries(opts.channels ?? {})) workspaceImpl.setChannel(id, info);

  const byTs = (a: { ts: string }, b: { ts: string }) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);

  const fake: FakeSlack = {
    url,
    apiUrl: `${url}/api/`,
    botToken,
    botUserId: workspaceImpl.cfg.botUserId,
    calls,
    workspace: workspaceImpl,
    registerTrigger: (id) => workspaceImpl.views.registerTrigger(id),
    setUser: (id, info) => void workspaceImpl.setUser(id, info),
    setUsergroup: (id, userIds) => void workspaceImpl.usergroups.set(id, [...userIds]),
    setChannel: (id, info) => void workspaceImpl.setChannel(id, info),
    notInChannel: (channelId) => void workspaceImpl.notInChannelIds.add(channelId),
    failNext(method, error, count = 1, match) {
      if (!Number.isInteger(count) || count < 1) throw new Error(`failNext: count must be a positive integer, got ${count}`);
      const queue = failures.get(method) ?? [];
      queue.push({ error, remaining: count, match });
      failures.set(method, queue);
    },
    clearFailures: (method) => void failures.delete(method),
    limitChannelPosts: (perSecond) => void (channelPostLimit = perSecond),
    revokeToken: (error = 'token_revoked') => void (tokenRefusal = error),
    restoreToken: () => void (tokenRefusal = undefined),
    deleteMessage: (channel, ts) => workspaceImpl.deleteMessage(channel, ts),
    rateLimit(method, retryAfterSec) {
      if (!Number.isInteger(retryAfterSec) || retryAfterSec < 0) throw new Error(`rateLimit: retryAfterSec must be an integer >= 0, got ${retryAfterSec}`);
      rateLimits.set(method, retryAfterSec);
    },
    slowNext: (method, ms) => void slowdowns.set(method, ms),
    responseUrl(id, meta = {}) {
      responseUrls.set(id, { ...meta, uses: 0 });
      return `${url}/response/${encodeURIComponent(id)}`;
    },
    messages: (channel) => workspaceImpl.messageLog.filter((m) => m.channel === channel).sort(byTs),
    thread(channel, ts) {
      const all = workspaceImpl.messageLog.filter((m) => m.channel === channel);
      const root = all.find((m) => m.ts === ts);
      const replies = all.filter((m) => m.thread_ts === ts && m.ts !== ts).sort(byTs);
      return root ? [root, ...replies] : replies;
    },
    ephemerals: (user) => workspaceImpl.ephemeralLog.filter((e) => user === undefined || e.user === user),
    views: () => [...workspaceImpl.views.byId.values()],
    home: (user) => workspaceImpl.views.homes.get(user),
    openHome(appUrl, signingSecret, user, tab = 'home') {
      const view = workspaceImpl.views.homes.get(user);
      return sendEvent(appUrl, signingSecret, buildAppHomeOpenedEvent({ userId: user, tab, ...(view ? { view } : {}) }));
    },
    waitForCall(method, predicate = () => true, timeoutMs = 10_000) {
      const matches = (c: RecordedCall) => c.method === method && predicate(c);
      const seen = calls.find(matches);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const onCall = (c: RecordedCall) => {
          if (!matches(c)) return;
          clearTimeout(timer);
          events.off('call', onCall);
          resolve(c);
        };
        const timer = setTimeout(() => {
          events.off('call', onCall);
          const methods = calls.map((c) => c.method + (c.error ? `(${c.error})` : '')).join(', ') || 'none';
          reject(new Error(`fake Slack: no matching ${method} call within ${timeoutMs} ms; calls so far: ${methods}`));
        }, timeoutMs);
        events.on('call', onCall);
      });
    },
    transcript(channel) {
      const msgs = fake.messages(channel);
      const indent = (text: string, first: string, rest: string) =>
        text.split('\n').map((l, i) => (i === 0 ? first : rest) + l).join('\n');
      return msgs
        .filter((m) => !m.thread_ts)
        .map((root) =>
          [indent(messageToText(root), '• ', '  '), ...fake.thread(channel, root.ts).slice(1).map((r) => indent(messageToText(r), '  ↳ ', '    '))].join('\n'),
        )
        .join('\n\n');
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
