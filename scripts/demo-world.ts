// The demo's world: a fake Atlas (real Digest), a fake Slack workspace and the REAL app (buildApp) between them,
// with Redis under a random key prefix. Everything written goes to a temp dir or under that prefix, and close()
// takes it all away again.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp, type RunningApp } from '../src/app.js';
import { configForFakes, FAST_OVERRIDES } from '../test/fakes/config-for-fakes.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import { startFakeAtlas, type FakeAtlas } from '../test/fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../test/fakes/fake-slack.js';

export const GROUP_ID = '5e2211c17a3e5a48f5497de3';
export const CHANNEL = 'C0DBOPS01';
export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00001';
export const SIGNING_SECRET = 'demo-signing-secret-0123456789';

const POLICY_YAML = `# written by npm run demo; deleted when it ends
projects:
  - name: shop
    id: ${GROUP_ID}
    clusters:
      - { name: orders, type: flex }
      - { name: ledger, type: dedicated }
      - { name: ledger-drill, type: dedicated, scratch: true }
requesters: [${ALICE}]
approvers: [${BOB}]
channels: [${CHANNEL}]
approval:
  required: 1
  allowSelfApproval: false
  expiresAfterMinutes: 30
drills:
  - name: ledger-nightly
    source: shop/ledger
    target: shop/ledger-drill
    schedule: "0 2 * * *"
    timeZone: Europe/Paris
    channel: ${CHANNEL}
`;

export class RedisUnreachableError extends Error {
  readonly code = 'DEMO_REDIS_UNREACHABLE';
}

/** Connects once, without retries, and pings: a demo without Redis must say so in seconds, not hang. */
export async function checkRedis(url: string, timeoutMs = 2500): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let lastError = '';
  redis.on('error', (err: Error) => (lastError = err.message));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([redis.connect().then(() => redis.ping()), deadline]);
  } catch (err) {
    const why = lastError || (err instanceof Error ? err.message : String(err));
    throw new RedisUnreachableError(`Redis is not reachable at ${url} (${why}): start one with \`redis-server\` or set REDIS_URL`);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

export interface DemoWorld {
  atlas: FakeAtlas;
  slack: FakeSlack;
  app: RunningApp;
  /** Where Slack posts slash commands, view submissions and clicks: `${appUrl}/slack/events`. */
  appUrl: string;
  prefix: string;
  tempDir: string;
  close(): Promise<void>;
}

export async function startDemoWorld(redisUrl: string): Promise<DemoWorld> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    // Last opened, first closed; one failing closer must not leave the others open.
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const tempDir = await mkdtemp(join(tmpdir(), 'atlas-restore-demo-'));
    closers.push(() => rm(tempDir, { recursive: true, force: true }));
    const policyFile = join(tempDir, 'policy.yaml');
    await writeFile(policyFile, POLICY_YAML);

    // stepsPerState 0: the demo's "Atlas operator" moves the job on a timer, so the pace is the same on every run.
    const atlas = await startFakeAtlas({ stepsPerState: 0 });
    closers.push(() => atlas.close());
    atlas.addCluster({ groupId: GROUP_ID, name: 'orders', type: 'flex', snapshots: 4 });
    atlas.addCluster({ groupId: GROUP_ID, name: 'ledger', type: 'dedicated', snapshots: 3, namespaces: [{ name: 'sales.orders', documents: 48_000 }, { name: 'sales.customers', documents: 9_500 }] });
    atlas.addCluster({ groupId: GROUP_ID, name: 'ledger-drill', type: 'dedicated', snapshots: 0 });

    const slack = await startFakeSlack({
      users: {
        [ALICE]: { name: 'alice', real_name: 'Alice Martin', tz: 'Europe/Paris' },
        [BOB]: { name: 'bob', real_name: 'Bob Chen', tz: 'America/New_York' },
      },
      channels: { [CHANNEL]: { name: 'db-ops' } },
    });
    closers.push(() => slack.close());

    const prefix = `demo-${randomBytes(4).toString('hex')}:`;
    const config = configForFakes({ slack, atlas, signingSecret: SIGNING_SECRET, prefix, redisUrl, policyFile });
    const policy = await loadPolicy(config.policyFile);
    // App logs go to stderr and are off unless DEMO_LOG=info (or debug…): the transcript is the show.
    const logger = pino({ level: process.env.DEMO_LOG ?? 'silent' }, pino.destination(2));
    const app = buildApp(config, policy, logger, { ...FAST_OVERRIDES, tracker: { minDelayMs: 200, maxDelayMs: 1000, worker: { drainDelay: 1 } } });
    closers.push(async () => {
      await app.stop();
      await deleteKeys(redisUrl, prefix);
    });
    const address = await app.start();
    if (!address) throw new Error('DEMO_NO_ADDRESS: the app started without an HTTP address');
    return { atlas, slack, app, appUrl: address.url, prefix, tempDir, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Removes every key the demo wrote (requests, audit, locks, BullMQ queues): all carry the prefix. */
async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
