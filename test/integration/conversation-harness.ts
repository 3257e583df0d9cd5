// The whole app (real Bolt HTTP receiver, real Redis, real BullMQ) against the fake Atlas and the fake Slack.
// Tests drive it like Slack does: signed slash commands, view submissions and button clicks.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { pino } from 'pino';
import { buildApp, type AppOverrides, type RunningApp } from '../../src/app.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { createRedisClient, type RedisClient } from '../../src/redis/redis-client.js';
import { TRACKER_QUEUE, expiryJobId } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { configForFakes, FAST_OVERRIDES } from '../fakes/config-for-fakes.js';
import { startFakeAtlas, type FakeAtlas, type FakeAtlasOptions } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack, type StoredMessage, type StoredView } from '../fakes/fake-slack.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission, type SendOptions } from '../helpers/slack-requests.js';
import { standIn } from '../helpers/stand-in.js';
import { waitFor } from '../helpers/wait-for.js';
import { filledView, isFilledModal, type ModalFields } from './modal-fill.js';
import { changeModal, type ModalChange } from './modal-change.js';
import { deleteKeys } from './store-fixtures.js';

export { filledView, isFilledModal, type ModalFields } from './modal-fill.js';
export type { ModalChange } from './modal-change.js';

export const GROUP_ID = '5e2211c17a3e5a48f5497de3';
export const CHANNEL = 'C0DBOPS01';
export const REQUESTER = 'U0REQUEST1';
export const APPROVER = 'U0APPROVE1';
export const APPROVER_2 = 'U0APPROVE2';
export const OUTSIDER = 'U0OUTSIDE1';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export interface HarnessOptions {
  policyYaml?: string;
  dryRun?: boolean;
  overrides?: AppOverrides;
  /** Steps of job progression per GET in the fake Atlas; 0 = tests move jobs with advanceJob. */
  stepsPerState?: number;
  /** Redis of the app and of the harness' own client (default REDIS_URL or 127.0.0.1:6379). */
  redisUrl?: string;
  /** More REDIS_* variables for both (TLS CA file, Sentinel, Cluster). */
  redisEnv?: Record<string, string>;
  /** Atlas auth of the app: API key (default) or service account. */
  auth?: 'digest' | 'serviceAccount';
  /** Options of the fake Atlas (e.g. a short service-account token lifetime). */
  atlasOptions?: FakeAtlasOptions;
  /** Slack user groups of the fake workspace: group id → member ids. */
  usergroups?: Record<string, string[]>;
  /** Channels of the fake workspace (privacy, members). */
  channels?: Record<string, { is_private?: boolean; members?: string[] }>;
}

/** What a replica or a restarted app may change in the environment it reads. */
export interface EnvironmentChange {
  dryRun?: boolean;
}

/** The harness's policy: its four clusters, with the people and approval rules given (the defaults otherwise). */
export function policyWith(opts: { requesters?: string[]; approvers?: string[]; required?: number; staging?: string; extra?: string; onlyClusters?: string[] } = {}): string {
  const clusters = [
    '{ name: orders, type: flex }',
    '{ name: ledger, type: dedicated }',
    '{ name: legacy, type: serverless }',
    `{ name: staging${opts.staging ? `, ${opts.staging}` : ''} }`,
  ].filter((entry) => !opts.onlyClusters || opts.onlyClusters.some((name) => entry.startsWith(`{ name: ${name}`)));
  return `
projects:
  - name: shop
    id: ${GROUP_ID}
    clusters:
${clusters.map((entry) => `      - ${entry}`).join('\n')}
requesters: [${(opts.requesters ?? [REQUESTER]).join(', ')}]
approvers: [${(opts.approvers ?? [APPROVER, APPROVER_2]).join(', ')}]
channels: [${CHANNEL}]
approval:
  required: ${opts.required ?? 1}
  allowSelfApproval: false
  expiresAfterMinutes: 30
${opts.extra ?? ''}`;
}

export const DEFAULT_POLICY = policyWith();

export interface Harness {
  atlas: FakeAtlas;
  slack: FakeSlack;
  app: RunningApp;
  url: string;
  prefix: string;
  redis: RedisClient;
  /** `json` is the immediate answer (the ack body), e.g. an ephemeral refusal. */
  command(user: string, text: string, opts?: { channel?: string; send?: SendOptions }): Promise<{ status: number; responseUrlId: string; json: unknown }>;
  /** The modal once it shows snapshots (or a final message), for the given opening trigger. */
  loadedModal(user: string, predicate?: (view: StoredView) => boolean): Promise<StoredView>;
  submitModal(view: StoredView, user: string, fields: ModalFields, send?: SendOptions): Promise<{ status: number; json: unknown }>;
  /**
   * Changes one dispatching element of the modal (`change` names it; its new value is in `fields`, with the rest of
   * what the user entered) as Slack does, and returns the view once the app has rebuilt it.
   */
  changeModal(view: StoredView, user: string, change: ModalChange, fields: ModalFields, predicate?: (view: StoredView) => boolean): Promise<StoredView>;
  request(id: string): Promise<RestoreRequest | null>;
  latestRequest(): Promise<RestoreRequest>;
  click(user: string, actionId: string, requestId: string, send?: SendOptions): Promise<{ status: number }>;
  rootCard(requestId: string): StoredMessage | undefined;
  threadTexts(requestId: string): string[];
  waitForThread(requestId: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  ephemeralTexts(user: string): string[];
  postsToAtlas(): number;
  /** Another app instance on the same config and key prefix (a replica, or the app after a restart), started. Closed by close(). */
  startReplica(overrides?: AppOverrides, env?: EnvironmentChange): Promise<RunningApp>;
  /** Stops `app` (if not stopped yet) and makes a new started instance on the same config and prefix the harness' `app`. */
  restart(overrides?: AppOverrides, env?: EnvironmentChange): Promise<RunningApp>;
  /** The policy the next started app reads (a reload in a running app: app.services.policy). */
  setPolicy(yaml: string): void;
  close(): Promise<void>;
}

/** Every log line of the apps the harness builds, for tests that check what operators see. */
export const logLines: string[] = [];
const quiet = pino(
  { level: process.env.TEST_LOG ?? 'info' },
  {
    write: (line: string) => {
      logLines.push(line);
      if (process.env.TEST_LOG_STDERR === 'true') process.stderr.write(line); // to read while debugging a test
    },
  },
);

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const atlas = await startFakeAtlas({ stepsPerState: opts.stepsPerState ?? 0, ...opts.atlasOptions });
  for (const [name, type] of [['orders', 'flex'], ['ledger', 'dedicated'], ['legacy', 'serverless'], ['staging', 'dedicated']] as const) {
    atlas.addCluster({ groupId: GROUP_ID, name, type, snapshots: 3 });
  }
  const slack = await startFakeSlack({ users: { [REQUESTER]: { tz: 'Europe/Paris' } }, ...(opts.usergroups ? { usergroups: opts.usergroups } : {}), ...(opts.channels ? { channels: opts.channels } : {}) });
  // A hash tag, like the production default: the same harness runs on Redis Cluster.
  const prefix = `{test-conv-${randomBytes(4).toString('hex')}}:`;
  const world = { slack, atlas, signingSecret: SIGNING_SECRET, prefix, redisUrl: opts.redisUrl, redisEnv: opts.redisEnv, dryRun: opts.dryRun, auth: opts.auth };
  let policy = parsePolicy(opts.policyYaml ?? DEFAULT_POLICY, 'test-policy.yaml');
  const build = (overrides: AppOverrides = {}, env: EnvironmentChange = {}) =>
    buildApp(configForFakes({ ...world, ...env }), policy, quiet, {
      ...FAST_OVERRIDES,
      ...opts.overrides,
      ...overrides,
    });
  // `app` and `url` change on restart(); everything below reads them when called.
  let app = build();
  const address = await app.start();
  let url = address!.url;
  const stopped = new WeakSet<RunningApp>();
  const stopApp = async (a: RunningApp) => {
    if (stopped.has(a)) return;
    stopped.add(a);
    await a.stop();
  };
  const replicas: RunningApp[] = [];
  // Built like the app's (TLS, Sentinel, Cluster alike); fails fast, so a test waiting through an outage polls.
  const redis = createRedisClient(configForFakes(world).redis, 'commands');
  // Tests may stop Redis on purpose: its reconnect errors are expected, not unhandled.
  redis.on('error', () => undefined);
  await redis.connect();
  let responseUrls = 0;

  const harness: Harness = {
    atlas,
    slack,
    app,
    url,
    prefix,
    redis,
    async command(user, text, o = {}) {
      const responseUrlId = `cmd-${++responseUrls}`;
      const channel = o.channel ?? CHANNEL;
      const res = await sendSlashCommand(url, SIGNING_SECRET, { text, userId: user, channelId: channel, responseUrl: slack.responseUrl(responseUrlId, { channelId: channel, userId: user }) }, o.send);
      return { status: res.status, responseUrlId, json: res.json };
    },
    async loadedModal(_user, predicate = isFilledModal) {
      return waitFor(() => [...slack.views()].reverse().find((v) => v.callback_id === 'atlas_restore_modal' && predicate(v)), { message: 'restore modal filled in' });
    },
    async submitModal(view, user, fields, send) {
      const res = await sendViewSubmission(url, SIGNING_SECRET, { userId: user, view: filledView(view, fields) }, send);
      // Slack shows its own error instead when `errors` names a block the view doesn't have.
      const errors = (res.json as { response_action?: string; errors?: Record<string, string> } | undefined)?.errors ?? {};
      const blocks = new Set((view.blocks as { block_id?: string }[]).map((b) => b.block_id));
      const unknown = Object.keys(errors).filter((field) => !blocks.has(field));
      if (unknown.length > 0) throw new Error(`view_submission errors name blocks the view doesn't have: ${unknown.join(', ')}`);
      return { status: res.status, json: res.json };
    },
    changeModal: (view, user, change, fields, predicate = isFilledModal) => changeModal({ url, secret: SIGNING_SECRET, slack }, view, user, change, fields, predicate),
    request: (id) => app.services.store.get(id),
    async latestRequest() {
      return waitFor(async () => (await app.services.store.listRecent(1))[0], { message: 'a stored request' });
    },
    async click(user, actionId, requestId, send) {
      const card = harness.rootCard(requestId);
      const res = await sendBlockAction(url, SIGNING_SECRET, { actionId, value: requestId, userId: user, channelId: card?.channel ?? CHANNEL, messageTs: card?.ts ?? '1.000001' }, send);
      return { status: res.status };
    },
    rootCard(requestId) {
      const channels = new Set([CHANNEL, ...Object.keys(opts.channels ?? {})]);
      for (const channel of channels) {
        const card = slack.messages(channel).find((m) => !m.thread_ts && m.text.includes(requestId));
        if (card) return card;
      }
      return undefined;
    },
    threadTexts(requestId) {
      const card = harness.rootCard(requestId);
      if (!card) return [];
      return slack.thread(card.channel, card.ts).slice(1).map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`);
    },
    async waitForThread(requestId, pattern, timeoutMs = 8000) {
      return waitFor(() => harness.threadTexts(requestId).find((t) => pattern.test(t)), { timeoutMs, message: `thread message matching ${pattern}` });
    },
    ephemeralTexts(user) {
      return slack.ephemerals(user).map((e) => JSON.stringify(e));
    },
    postsToAtlas() {
      return atlas.requests.filter((r) => r.method === 'POST' && r.path.includes('restoreJobs') && r.authorized).length;
    },
    setPolicy(yaml) {
      policy = parsePolicy(yaml, 'test-policy.yaml');
    },
    async startReplica(overrides, env) {
      const replica = build(overrides, env);
      replicas.push(replica);
      await replica.start();
      return replica;
    },
    async restart(overrides, env) {
      await stopApp(app);
      app = await harness.startReplica(overrides, env);
      harness.app = app;
      url = app.address()!.url;
      harness.url = url;
      return app;
    },
    async close() {
      for (const a of [app, ...replicas]) await stopApp(a);
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await slack.close();
      await atlas.close();
    },
  };
  return harness;
}

export function snapshotIdOf(h: Harness, cluster: string, index = 0): string {
  return String(h.atlas.snapshots(GROUP_ID, cluster)[index]!.id);
}

/** Drives command → modal → submit for `user` and returns the posted request (card in the channel). */
/** The private answer of a slash command (what Slack shows the user), posted to its response URL. */
export async function commandAnswer(h: Harness, user: string, text: string, channel?: string): Promise<string> {
  const { responseUrlId } = await h.command(user, text, channel ? { channel } : {});
  const call = await h.slack.waitForCall('response_url', (c) => c.args.id === responseUrlId);
  return String(call.args.text);
}

export async function requestRestore(h: Harness, opts: { user?: string; source: string; target?: string; snapshotIndex?: number; reason?: string; channel?: string }): Promise<RestoreRequest> {
  const user = opts.user ?? REQUESTER;
  const snapshotId = snapshotIdOf(h, opts.source, opts.snapshotIndex ?? 0);
  const target = opts.target ?? opts.source;
  const before = new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
  const viewsBefore = h.slack.views().length;
  await h.command(user, `shop/${opts.source} ${snapshotId} to shop/${target}`, opts.channel ? { channel: opts.channel } : {});
  const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: 'filled modal' });
  const res = await h.submitModal(modal, user, { confirmation: target, reason: opts.reason ?? 'restore for a test' });
  if (res.json) throw new Error(`modal refused: ${JSON.stringify(res.json)}`);
  return waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'posted request' });
}

export async function waitForState(h: Harness, id: string, state: RestoreRequest['state'], timeoutMs = 8000): Promise<RestoreRequest> {
  return waitFor(async () => {
    const r = await h.request(id);
    return r?.state === state ? r : undefined;
  }, { timeoutMs, message: `${id} in state ${state}` });
}

/** Frees every target between tests that leave requests pending. */
export async function clearLocks(h: Harness): Promise<void> {
  await deleteKeys(h.redis, h.prefix, 'lock:*');
}

/**
 * Puts a posted request in `submitting` as a submitter that died would have left it. `marks` says how far it got:
 * by default as an earlier version left it right before its POST (`jobIdsBeforeSubmit`: it may have posted);
 * `{}` is a submitter that died before it could send anything; `{ postStartedAt }` one that claimed the POST.
 */
export async function leaveInSubmitting(
  h: Harness,
  id: string,
  submittingAgoMs: number,
  marks: Pick<RestoreRequest, 'jobIdsBeforeSubmit' | 'postStartedAt'> = { jobIdsBeforeSubmit: [] },
): Promise<RestoreRequest> {
  const store = h.app.services.store;
  const approved = await store.transition(id, ['pending_approval'], 'approved', { approvals: [{ user: APPROVER, at: new Date().toISOString() }] });
  if (!approved.ok) throw new Error(`${id} was not pending approval`);
  const submitting = await store.transition(id, ['approved'], 'submitting', { submittingAt: new Date(Date.now() - submittingAgoMs).toISOString(), ...marks });
  if (!submitting.ok) throw new Error(`${id} was not approved`);
  return submitting.request;
}

/**
 * The target lock is gone (an unconfirmed POST keeps it through the late search). Generous: a worker of a stopped
 * replica may have taken the wake-up of a delayed job, and another worker then sees it after its block (≤ 10 s).
 */
export async function waitForTargetFree(h: Harness, cluster: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await h.redis.exists(`${h.prefix}lock:${GROUP_ID}:${cluster}`)) === 0, { timeoutMs, message: `the lock of ${cluster} released` });
}

/**
 * Moves a pending request's approval expiry to `inMs` from now. The tracker's scheduleApprovalExpiry keeps an
 * existing expiry job (same deterministic id), so the one scheduled at creation is removed first.
 */
export async function expireApprovalSoon(h: Harness, id: string, inMs: number): Promise<Date> {
  const at = new Date(Date.now() + inMs);
  const updated = await h.app.services.store.update(id, ['pending_approval'], { approvalExpiresAt: at.toISOString() });
  if (!updated.ok) throw new Error(`${id} is not pending approval`);
  const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
  try {
    await (await queue.getJob(expiryJobId(id)))?.remove();
  } finally {
    await queue.close();
  }
  await h.app.services.tracker.scheduleApprovalExpiry(id, at);
  return at;
}

/** Runs `during` with `yaml` as the running app's policy (as a reload of the file would), then puts the old one back. */
export async function withPolicy<T>(h: Harness, yaml: string, during: () => Promise<T>): Promise<T> {
  const before = h.app.services.policy;
  h.app.services.policy = parsePolicy(yaml, 'test-policy.yaml');
  try {
    return await during();
  } finally {
    h.app.services.policy = before;
  }
}

/**
 * One harness for the enclosing describe (or file): started before its tests, closed after them, target locks
 * cleared between tests. The returned object stands for the harness once started.
 */
export function useHarness(opts: HarnessOptions = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(opts);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(async () => {
    if (current) await clearLocks(current);
  });
  return standIn(() => current, 'the harness');
}
