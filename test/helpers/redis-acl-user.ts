// A Redis ACL user of the bot's own, for faults injected for real: its keys or commands are taken away and given back
// while nobody else's connection is touched (the tests' admin connection, other test files).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisAclUser {
  /** REDIS_URL for the bot, logging in as this user. */
  url: string;
  /** `ACL SETUSER <user> <rules…>`, e.g. `resetkeys ~prefix*`, `-@all +ping`. */
  setRules(...rules: string[]): Promise<void>;
  /** Every key and command back (best effort: an ending test must still clean up), before the bot is closed. */
  giveBack(): Promise<void>;
  /** Deletes the user, after the bot is closed. */
  remove(): Promise<void>;
}

export async function createRedisAclUser(namePrefix: string): Promise<RedisAclUser> {
  const base = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const admin = new Redis(base);
  const user = `${namePrefix}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const setRules = async (...rules: string[]) => {
    await admin.call('ACL', 'SETUSER', user, ...rules);
  };
  await setRules('on', `>${password}`, '~*', '&*', '+@all');
  const url = new URL(base);
  url.username = user;
  url.password = password;
  return {
    url: url.toString(),
    setRules,
    giveBack: () => setRules('resetkeys', '~*', '+@all').catch(() => undefined),
    async remove() {
      await admin.call('ACL', 'DELUSER', user).catch(() => undefined);
      admin.disconnect();
    },
  };
}
