// The whole app (real Bolt HTTP receiver, real Redis, real BullMQ) against the fake Atlas and the fake Slack.
// Tests drive it like Slack does: signed slash commands, view submissions and button clicks.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { pino } from 'pino';
import { buildApp, type AppOverrides, type RunningApp } from '../../src/app.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { TRACKER_QUEUE, expiryJobId } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { configForFakes, FAST_OVERRIDES } from '../fakes/config-for-fakes.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack, type StoredMessage, type StoredView } from '../fakes/fake-slack.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission, type SendOptions } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';

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
}

export const DEFAULT_POLICY = `
projects:
  - name: shop
    id: ${GROUP_ID}
    clusters:
      - { name: orders, type: flex }
      - { name: ledger, type: dedicated }
      - { name: legacy, type: serverless }
      - { name: staging }
requesters: [${REQUESTER}]
approvers: [${APPROVER}, ${APPROVER_2}]
channels: [${CHANNEL}]
approval:
  required: 1
  allowSelfApproval: false
  expiresAfterMinutes: 30
`;

export interface Harness {
  atlas: FakeAtlas;
  slack: FakeSlack;
  app: RunningApp;
  url: string;
  prefix: string;
  redis: Redis;
  command(user: string, text: string, opts?: { channel?: string; send?: SendOptions }): Promise<{ status: number; responseUrlId: string }>;
  /** The modal once it shows snapshots (or a final message), for the given opening trigger. */
  loadedModal(user: string, predicate?: (view: StoredView) => boolean): Promise<StoredView>;
  submitModal(view: StoredView, user: string, fields: ModalFields, send?: SendOptions): Promise<{ status: number; json: unknown }>;
  request(id: string): Promise<RestoreRequest | null>;
  latestRequest(): Promise<RestoreRequest>;
  click(user: string, actionId: string, requestId: string, send?: SendOptions): Promise<{ status: number }>;
  rootCard(requestId: string): StoredMessage | undefined;
  threadTexts(requestId: string): string[];
  waitForThread(requestId: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  ephemeralTexts(user: string): string[];
  postsToAtlas(): number;
  /** Another app instance on the same config and key prefix (a replica, or the app after a restart), started. Closed by close(). */
  startReplica(overrides?: AppOverrides): Promise<RunningApp>;
  /** Stops `app` (if not stopped yet) and makes a new started instance on the same config and prefix the harness' `app`. */
  restart(overrides?: AppOverrides): Promise<RunningApp>;
  close(): Promise<void>;
}

export interface ModalFields {
  source?: string;
  snapshotId?: string;
  target?: string;
  reason?: string;
  confirmation?: string;
}

/** Every log line of the apps the harness builds, for tests that check what operators see. */
export const logLines: string[] = [];
const quiet = pino({ level: process.env.TEST_LOG ?? 'info' }, { write: (line: string) => void logLines.push(line) });

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const atlas = await startFakeAtlas({ stepsPerState: opts.stepsPerState ?? 0 });
  for (const [name, type] of [['orders', 'flex'], ['ledger', 'dedicated'], ['legacy', 'serverless'], ['staging', 'dedicated']] as const) {
    atlas.addCluster({ groupId: GROUP_ID, name, type, snapshots: 3 });
  }
  const slack = await startFakeSlack({ users: { [REQUESTER]: { tz: 'Europe/Paris' } } });
  const prefix = `test-conv-${randomBytes(4).toString('hex')}:`;
  const config = configForFakes({ slack, atlas, signingSecret: SIGNING_SECRET, prefix, redisUrl: opts.redisUrl, dryRun: opts.dryRun });
  const policy = parsePolicy(opts.policyYaml ?? DEFAULT_POLICY, 'test-policy.yaml');
  const build = (overrides: AppOverrides = {}) =>
    buildApp(config, policy, quiet, {
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
  const redis = new Redis(opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  // Tests may stop Redis on purpose: its reconnect errors are expected, not unhandled.
  redis.on('error', () => undefined);
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
      return { status: res.status, responseUrlId };
    },
    async loadedModal(_user, predicate = isFilledModal) {
      return waitFor(() => [...slack.views()].reverse().find((v) => v.callback_id === 'atlas_restore_modal' && predicate(v)), {
        timeoutMs: 5000,
        message: 'restore modal filled in',
      });
    },
    async submitModal(view, user, fields, send) {
      const res = await sendViewSubmission(url, SIGNING_SECRET, { userId: user, view: filledView(view, fields) }, send);
      return { status: res.status, json: res.json };
    },
    request: (id) => app.services.store.get(id),
    async latestRequest() {
      return waitFor(async () => (await app.services.store.listRecent(1))[0], { message: 'a stored request' });
    },
    async click(user, actionId, requestId, send) {
      const card = harness.rootCard(requestId);
      const res = await sendBlockAction(url, SIGNING_SECRET, { actionId, value: requestId, userId: user, channelId: CHANNEL, messageTs: card?.ts ?? '1.000001' }, send);
      return { status: res.status };
    },
    rootCard(requestId) {
      return slack.messages(CHANNEL).find((m) => !m.thread_ts && m.text.includes(requestId));
    },
    threadTexts(requestId) {
      const card = harness.rootCard(requestId);
      if (!card) return [];
      return slack.thread(CHANNEL, card.ts).slice(1).map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`);
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
    async startReplica(overrides) {
      const replica = build(overrides);
      replicas.push(replica);
      await replica.start();
      return replica;
    },
    async restart(overrides) {
      await stopApp(app);
      app = await harness.startReplica(overrides);
      harness.app = app;
      url = app.address()!.url;
      harness.url = url;
      return app;
    },
    async close() {
      for (const a of [app, ...replicas]) await stopApp(a);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await slack.close();
      await atlas.close();
    },
  };
  return harness;
}

/** The view as Slack submits it: `state.values` holds the fields (selects default to what the modal pre-selected). */
export function filledView(view: StoredView, fields: ModalFields): StoredView {
  const values: Record<string, Record<string, unknown>> = {};
  const blocks = view.blocks as { block_id?: string; element?: { action_id: string; initial_option?: { value: string }; options?: { value: string }[] } }[];
  const select = (value: string | undefined) => ({ type: 'static_select', selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null });
  const text = (value: string) => ({ type: 'plain_text_input', value });
  for (const { block_id: id, element: el } of blocks) {
    if (!id || !el) continue;
    if (id === 'restore_source') values[id] = { [el.action_id]: select(fields.source ?? el.initial_option?.value) };
    else if (id.startsWith('restore_snapshot')) values[id] = { [el.action_id]: select(fields.snapshotId ?? el.initial_option?.value ?? el.options?.[0]?.value) };
    else if (id.startsWith('restore_target')) values[id] = { [el.action_id]: select(fields.target ?? el.initial_option?.value) };
    else if (id === 'restore_reason') values[id] = { [el.action_id]: text(fields.reason ?? 'bad migration') };
    else if (id === 'restore_confirmation') values[id] = { [el.action_id]: text(fields.confirmation ?? '') };
  }
  return { ...view, state: { values } };
}

/** Filled = the snapshot select has options, or the modal explains why there is nothing to choose. */
export function isFilledModal(view: StoredView): boolean {
  const blocks = view.blocks as { block_id?: string; element?: { options?: unknown[] } }[];
  const snapshot = blocks.find((b) => b.block_id?.startsWith('restore_snapshot:')); // the select, not the info section
  if (snapshot) return (snapshot.element?.options?.length ?? 0) > 0;
  return !JSON.stringify(view.blocks).includes('Loading');
}

export function snapshotIdOf(h: Harness, cluster: string, index = 0): string {
  return String(h.atlas.snapshots(GROUP_ID, cluster)[index]!.id);
}

/** Drives command → modal → submit for `user` and returns the posted request (card in the channel). */
export async function requestRestore(h: Harness, opts: { user?: string; source: string; target?: string; snapshotIndex?: number; reason?: string }): Promise<RestoreRequest> {
  const user = opts.user ?? REQUESTER;
  const snapshotId = snapshotIdOf(h, opts.source, opts.snapshotIndex ?? 0);
  const target = opts.target ?? opts.source;
  const before = new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
  const viewsBefore = h.slack.views().length;
  await h.command(user, `shop/${opts.source} ${snapshotId} to shop/${target}`);
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
  const keys = await h.redis.keys(`${h.prefix}lock:*`);
  if (keys.length > 0) await h.redis.del(...keys);
}

/** Puts a posted request in `submitting` as a submitter that died before (or while) posting would have left it. */
export async function leaveInSubmitting(h: Harness, id: string, submittingAgoMs: number, jobIdsBeforeSubmit: string[] = []): Promise<RestoreRequest> {
  const store = h.app.services.store;
  const approved = await store.transition(id, ['pending_approval'], 'approved', { approvals: [{ user: APPROVER, at: new Date().toISOString() }] });
  if (!approved.ok) throw new Error(`${id} was not pending approval`);
  const submitting = await store.transition(id, ['approved'], 'submitting', { submittingAt: new Date(Date.now() - submittingAgoMs).toISOString(), jobIdsBeforeSubmit });
  if (!submitting.ok) throw new Error(`${id} was not approved`);
  return submitting.request;
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
  return new Proxy({} as Harness, {
    get(_target, prop) {
      if (!current) throw new Error('the harness is used before beforeAll started it');
      const value: unknown = Reflect.get(current, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
