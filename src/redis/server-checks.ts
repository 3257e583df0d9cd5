// What the bot needs from each Redis server (DESIGN.md §4), asked at start and by `--check --online`:
// Redis ≥ 6.2, maxmemory-policy noeviction (an evicted key is a lost restore or lock), persistence on.
// Managed Redis (ElastiCache, Memorystore, Azure) block or rename CONFIG but still answer INFO, whose
// maxmemory_policy and aof_enabled fields say the same: read those then, and only warn when neither answers.

/** What the checks ask of a server: a Redis connection, or in tests a double that answers like one. */
export interface ServerNode {
  info(section: string): Promise<string>;
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  call(command: string, ...args: string[]): Promise<unknown>;
}

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

async function infoSection(node: ServerNode, section: string): Promise<string | undefined> {
  try {
    return await node.info(section);
  } catch (err) {
    if (isRefusal(err)) return undefined;
    throw err;
  }
}

async function configGet(node: ServerNode, name: string): Promise<string | undefined> {
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

async function serverVersion(node: ServerNode): Promise<string | undefined> {
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

/** The server's maxmemory-policy (CONFIG GET, or INFO where CONFIG is not allowed), or undefined when neither tells. */
export async function evictionPolicyOf(node: ServerNode): Promise<string | undefined> {
  return (await configGet(node, 'maxmemory-policy')) ?? infoField((await infoSection(node, 'memory')) ?? '', 'maxmemory_policy');
}

/** The checks of one server, and what it would not tell (for one warning over every server). */
async function checkOne(node: ServerNode, where: string): Promise<{ checks: RedisCheck[]; unreadable: string[] }> {
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

  return { checks, unreadable };
}

/**
 * The checks of every server (a Cluster's masters, each named by `where`; one server with `where` empty). What no
 * server would tell is one warning, saying what to check by hand, however many masters kept it to themselves.
 */
export async function checkServers(nodes: ReadonlyArray<{ node: ServerNode; where: string }>): Promise<RedisCheck[]> {
  const checks: RedisCheck[] = [];
  const unreadable = new Set<string>();
  const silent: string[] = [];
  for (const { node, where } of nodes) {
    const one = await checkOne(node, where);
    checks.push(...one.checks);
    one.unreadable.forEach((u) => unreadable.add(u));
    if (one.unreadable.length > 0 && where) silent.push(where);
  }
  if (unreadable.size > 0) {
    const at = silent.length > 0 ? ` (${silent.join(', ')})` : '';
    checks.push({ level: 'warn', text: `CONFIG GET is not allowed and INFO does not say${at} (managed Redis?): check in the provider's settings that ${[...unreadable].join(' and that ')}` });
  }
  return checks;
}

/** The checks of one server; `where` names it when there are several (Cluster masters). */
export async function checkServer(node: ServerNode, where = ''): Promise<RedisCheck[]> {
  return checkServers([{ node, where }]);
}

/**
 * A server given as REDIS_URL (or found through Sentinel) that runs Redis Cluster: the bot would start, and every
 * write to a slot another node owns would answer MOVED (or work until the first scale-out). Refused, saying what to set.
 */
export async function standaloneModeCheck(node: ServerNode): Promise<RedisCheck | undefined> {
  const info = await infoSection(node, 'cluster');
  let enabled = info === undefined ? undefined : infoField(info, 'cluster_enabled') === '1';
  if (enabled === undefined) {
    // INFO denied: CLUSTER INFO answers on a cluster node and is refused ("cluster support disabled") elsewhere.
    enabled = await node.call('CLUSTER', 'INFO').then(
      () => true,
      (err: unknown) => {
        if (isRefusal(err)) return false;
        throw err;
      },
    );
  }
  if (!enabled) return undefined;
  return {
    level: 'FAIL',
    text: 'this server runs Redis Cluster (cluster_enabled:1): set REDIS_CLUSTER_NODES to its nodes (or the configuration endpoint) instead of naming one node in REDIS_URL, and keep REDIS_URL for the password and TLS only',
  };
}
