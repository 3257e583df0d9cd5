// What the bot needs from each Redis server (DESIGN.md §4), asked at start and by `--check --online`:
// Redis ≥ 6.2, maxmemory-policy noeviction (an evicted key is a lost restore or lock), persistence on.
// Managed Redis (ElastiCache, Memorystore, Azure) block or rename CONFIG but still answer INFO, whose
// maxmemory_policy and aof_enabled fields say the same: read those then, and only warn when neither answers.
import type { Redis } from 'ioredis';

export type CheckLevel = 'ok' | 'warn' | 'FAIL';

export interface RedisCheck {
  level: CheckLevel;
  text: string;
}

export const MIN_REDIS_VERSION = '6.2.0';

/** `ok   Redis: …` / `warn Redis: …` / `FAIL Redis: …`, the line style of `--check --online`. */
export function formatCheck(check: RedisCheck): string {
  return `${check.level.padEnd(4)} Redis: ${check.text}`;
}

/** A refusal by the server (unknown or renamed command, NOPERM), as opposed to a broken connection. */
function isRefusal(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

async function infoSection(node: Redis, section: string): Promise<string | undefined> {
  try {
    return await node.info(section);
  } catch (err) {
    if (isRefusal(err)) return undefined;
    throw err;
  }
}

async function configGet(node: Redis, name: string): Promise<string | undefined> {
  try {
    const reply = (await node.config('GET', name)) as string[];
    return reply[1];
  } catch (err) {
    if (isRefusal(err)) return undefined;
    throw err;
  }
}

function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

async function serverVersion(node: Redis): Promise<string | undefined> {
  const info = await infoSection(node, 'server');
  const fromInfo = info && infoField(info, 'redis_version');
  if (fromInfo) return fromInfo;
  // HELLO without a protocol version reports the server without switching protocols (6.0+).
  try {
    const hello = (await node.call('HELLO')) as unknown[];
    const at = hello.indexOf('version');
    return at >= 0 ? String(hello[at + 1]) : undefined;
  } catch (err) {
    if (isRefusal(err)) return undefined;
    throw err;
  }
}

/** The checks of one server; `where` names it when there are several (Cluster masters). */
export async function checkServer(node: Redis, where = ''): Promise<RedisCheck[]> {
  const at = where ? ` (${where})` : '';
  const checks: RedisCheck[] = [];
  const version = await serverVersion(node);
  if (!version) checks.push({ level: 'warn', text: `could not read the server version${at}: make sure it is Redis ${MIN_REDIS_VERSION} or later` });
  else if (!versionAtLeast(version, MIN_REDIS_VERSION)) checks.push({ level: 'FAIL', text: `Redis ${version}${at} is older than ${MIN_REDIS_VERSION}: BullMQ and the bot's scripts need ${MIN_REDIS_VERSION} or later; upgrade it` });
  else checks.push({ level: 'ok', text: `Redis ${version}${at}` });

  const unreadable: string[] = [];
  let policy = await configGet(node, 'maxmemory-policy');
  let aof = await configGet(node, 'appendonly');
  const via = policy === undefined || aof === undefined ? ' (from INFO: CONFIG is not allowed)' : '';
  if (policy === undefined) policy = infoField((await infoSection(node, 'memory')) ?? '', 'maxmemory_policy');
  if (aof === undefined) {
    const enabled = infoField((await infoSection(node, 'persistence')) ?? '', 'aof_enabled');
    aof = enabled === undefined ? undefined : enabled === '1' ? 'yes' : 'no';
  }

  if (policy === undefined) unreadable.push('maxmemory-policy is noeviction');
  else if (policy !== 'noeviction') {
    checks.push({
      level: 'FAIL',
      text: `maxmemory-policy is ${policy}${at}: Redis may evict keys when memory runs short, and an evicted key is a lost restore, lock or poll job. Set it to noeviction: \`CONFIG SET maxmemory-policy noeviction\` and in redis.conf (managed Redis: its parameter group or instance configuration)`,
    });
  } else checks.push({ level: 'ok', text: `maxmemory-policy noeviction${at}${via}` });

  if (aof === undefined) unreadable.push('persistence (AOF or the provider\'s equivalent) is on');
  else if (aof !== 'yes') {
    checks.push({ level: 'warn', text: `appendonly is off${at}: a Redis restart loses what was written since the last RDB snapshot (requests, locks, poll jobs). Turn on AOF (\`appendonly yes\`), or on managed Redis rely on its replicas and backups` });
  } else checks.push({ level: 'ok', text: `appendonly yes${at}${via}` });

  // One warning for what we could not see, saying what to check by hand.
  if (unreadable.length > 0) {
    checks.push({ level: 'warn', text: `CONFIG GET is not allowed and INFO does not say${at} (managed Redis?): check in the provider's settings that ${unreadable.join(' and that ')}` });
  }
  return checks;
}
