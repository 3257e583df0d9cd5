// A harness whose app logs in to Redis as an ACL user of its own, for faults injected for real: the user's keys or
// commands are taken away and given back (acl.setRules) while nobody else's connection is touched. Made before the
// enclosing describe's (or file's) tests; every key and command given back before the app is closed.
import { afterAll, beforeAll } from 'vitest';
import { createRedisAclUser, type RedisAclUser } from '../helpers/redis-acl-user.js';
import { standIn } from '../helpers/stand-in.js';
import { startHarness, type Harness, type HarnessOptions } from './conversation-harness.js';

export function useHarnessAsAclUser(name: string, opts: HarnessOptions = {}): { h: Harness; acl: RedisAclUser } {
  let acl: RedisAclUser | undefined;
  let h: Harness | undefined;
  beforeAll(async () => {
    acl = await createRedisAclUser(name);
    h = await startHarness({ ...opts, redisUrl: acl.url });
  });
  afterAll(async () => {
    await acl?.giveBack();
    await h?.close();
    await acl?.remove();
  });
  return { h: standIn(() => h, 'the harness'), acl: standIn(() => acl, 'the Redis ACL user') };
}
