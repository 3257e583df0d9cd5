// App Home refresh after a change: one publish per person for a burst (across replicas), the last change always
// shown, a bound per change, and never an error to the caller. Real Redis; publishes are recorded.
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { createMembershipResolver } from '../../src/policy/resolve-usergroups.js';
import { createHomeRefresher, peopleConcerned } from '../../src/slack/home-refresher.js';
import { sampleRequest, SAMPLE_GROUP_ID } from '../helpers/sample-request.js';
import { waitFor } from '../helpers/wait-for.js';
import { connect, deleteKeys, randomPrefix } from './store-fixtures.js';

const redis = connect();
const prefix = randomPrefix('home');
const logger = pino({ level: 'silent' });
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** A stored "version" the publishes read when they run, and what each person was shown. */
function world() {
  let version = 0;
  const published: { user: string; version: number }[] = [];
  return {
    published,
    change: () => ++version,
    publish: async (user: string) => void published.push({ user, version }),
    of: (user: string) => published.filter((p) => p.user === user),
  };
}

const req = sampleRequest({ requester: 'U0REQ', approvals: [] });
const concerned = async () => ['U0REQ', 'U0APP'];

describe('home refresher', () => {
  it('a burst of changes on two replicas publishes each person once, showing the last change', async () => {
    const w = world();
    const other = connect();
    try {
      const replicas = [redis, other].map((r) => createHomeRefresher({ redis: r, prefix, logger, publish: w.publish, concerned, debounceMs: 60_000 }));
      const scheduled: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        w.change();
        scheduled.push(replicas[i % 2]!.refresh(req));
      }
      await Promise.all(scheduled);
      // flush() publishes at once what waits for its debounce: no waiting out the minute.
      await Promise.all(replicas.map((r) => r.flush()));
      expect(w.of('U0REQ')).toEqual([{ user: 'U0REQ', version: 10 }]);
      expect(w.of('U0APP')).toEqual([{ user: 'U0APP', version: 10 }]);
    } finally {
      other.disconnect();
    }
  });

  it('a change after a publish started gets a publish of its own (trailing, never lost)', async () => {
    const w = world();
    const homes = createHomeRefresher({ redis, prefix: `${prefix}t:`, logger, publish: w.publish, concerned, debounceMs: 30 });
    w.change();
    homes.refresh(req);
    await waitFor(() => w.of('U0REQ').length === 1, { message: 'first publish' });
    w.change();
    homes.refresh(req);
    await waitFor(() => w.of('U0REQ').length === 2, { message: 'second publish' });
    await homes.flush();
    expect(w.of('U0REQ').map((p) => p.version)).toEqual([1, 2]);
  });

  it('publishes at most maxPerChange homes per change', async () => {
    const w = world();
    const crowd = Array.from({ length: 40 }, (_, i) => `U0P${String(i).padStart(3, '0')}`);
    const homes = createHomeRefresher({ redis, prefix: `${prefix}b:`, logger, publish: w.publish, concerned: async () => crowd, debounceMs: 60_000, maxPerChange: 5 });
    await homes.refresh(req);
    await homes.flush();
    expect(w.published.map((p) => p.user)).toEqual(crowd.slice(0, 5));
  });

  it('never throws at the caller: Redis gone, a failing publish', async () => {
    const dead = connect();
    dead.disconnect();
    const homes = createHomeRefresher({ redis: dead, prefix, logger, publish: () => Promise.reject(new Error('slack down')), concerned, debounceMs: 10 });
    await expect(homes.refresh(req)).resolves.toBeUndefined();
    await homes.flush();
    await expect(homes.publishNow('U0REQ')).resolves.toBeUndefined();
  });

  it('close() publishes nothing more and gives what it owed back to the other replicas', async () => {
    const w = world();
    const other = connect();
    try {
      const closing = createHomeRefresher({ redis, prefix: `${prefix}c:`, logger, publish: w.publish, concerned, debounceMs: 60_000 });
      const staying = createHomeRefresher({ redis: other, prefix: `${prefix}c:`, logger, publish: w.publish, concerned, debounceMs: 60_000 });
      await closing.refresh(req);
      await closing.close();
      await closing.refresh(req);
      await closing.flush();
      expect(w.published).toEqual([]);
      // The marks are gone: the next change on the replica that stays is published by it.
      w.change();
      await staying.refresh(req);
      await staying.flush();
      expect(w.published.map((p) => p.user).sort()).toEqual(['U0APP', 'U0REQ']);
    } finally {
      other.disconnect();
    }
  });

  it('publishNow serialises one person’s publishes', async () => {
    let running = 0;
    let overlap = false;
    const homes = createHomeRefresher({
      redis,
      prefix,
      logger,
      concerned,
      publish: async () => {
        running += 1;
        overlap ||= running > 1;
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      },
    });
    await Promise.all([homes.publishNow('U0X'), homes.publishNow('U0X'), homes.publishNow('U0X')]);
    expect(overlap).toBe(false);
  });
});

describe('peopleConcerned', () => {
  const policy = parsePolicy(
    `
projects:
  - name: shop
    id: ${SAMPLE_GROUP_ID}
    clusters:
      - { name: orders }
      - { name: orders-staging, approvers: [U0DIRECT, S0ONCALL] }
requesters: [U0REQUESTER]
approvers: [U0TOP]
`,
    'policy.yaml',
  );
  const decided = sampleRequest({ approvals: [{ user: 'U0FIRST', at: '2026-03-01T10:05:00Z' }], rejectedBy: 'U0REJECT' });

  it('the requester and deciders first, then the target’s approvers with their user groups’ members', async () => {
    const resolver = createMembershipResolver(async () => ['U0GROUP1', 'U0GROUP2']);
    expect(await peopleConcerned(policy, resolver, decided)).toEqual(['U0REQUESTER', 'U0FIRST', 'U0REJECT', 'U0DIRECT', 'U0GROUP1', 'U0GROUP2']);
  });

  it('only the ids listed directly when a group can’t be listed', async () => {
    const resolver = createMembershipResolver(() => Promise.reject(new Error('usergroups.users.list failed')));
    expect(await peopleConcerned(policy, resolver, decided)).toEqual(['U0REQUESTER', 'U0FIRST', 'U0REJECT', 'U0DIRECT']);
    expect(await peopleConcerned(policy, { isMember: async () => false }, decided)).toEqual(['U0REQUESTER', 'U0FIRST', 'U0REJECT', 'U0DIRECT']);
  });

  it('a drill: whoever ran it by command, never its `drill:<name>` requester (no Slack user has a home to publish)', async () => {
    const resolver = createMembershipResolver(async () => []);
    const drill = (by?: string) => sampleRequest({ requester: 'drill:orders-weekly', approvals: [], drill: { name: 'orders-weekly', trigger: by ? 'command' : 'schedule', by } });
    expect(await peopleConcerned(policy, resolver, drill('U0RANIT'))).toEqual(['U0RANIT', 'U0DIRECT']);
    expect(await peopleConcerned(policy, resolver, drill())).toEqual(['U0DIRECT']);
  });
});
