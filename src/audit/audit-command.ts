// `node dist/main.js audit …`: the audit stream for operators and auditors (DESIGN.md §6). stdout carries only the
// records; logs and errors go to stderr. Exit 0 when exported, 1 for a bad configuration or an unreachable Redis
// (every configuration problem listed), 2 for bad flags (with the usage).
import { ConfigError, loadRedisSettings, type RedisSettings } from '../config.js';
import { createLogger } from '../logger.js';
import { resolveKeyPrefix } from '../redis/key-prefix.js';
import { connectRedis, createRedisClient, describeRedis, RedisSetupError } from '../redis/redis-client.js';
import { storeKeys } from '../restore/store-keys.js';
import { exportAudit } from './export-audit.js';
import { AUDIT_USAGE, parseAuditArgs } from './parse-audit-args.js';

export interface AuditIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  now: () => Date;
}

function secretsOf(settings: RedisSettings): string[] {
  const password = decodeURIComponent(new URL(settings.redisUrl).password);
  const sentinel = settings.redis.topology.kind === 'sentinel' ? settings.redis.topology.sentinelPassword : undefined;
  return [password, sentinel].filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Resolves once `chunk` is handed to the OS: the next page waits for a slow reader. */
function writerTo(stream: NodeJS.WritableStream): (chunk: string) => Promise<void> {
  return (chunk) => new Promise((resolve, reject) => stream.write(chunk, (err) => (err ? reject(err) : resolve())));
}

/** `audit | head`: the reader left on purpose; stop quietly. */
function isBrokenPipe(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === 'EPIPE';
}

export async function runAuditCommand(argv: readonly string[], io: AuditIo): Promise<number> {
  const say = (text: string) => io.stderr.write(`${text}\n`);
  const parsed = parseAuditArgs(argv, io.now());
  if (parsed.kind === 'help') {
    io.stdout.write(`${AUDIT_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'invalid') {
    say(`atlas-restore audit: ${parsed.message}\n\n${AUDIT_USAGE}`);
    return 2;
  }
  let settings: Readonly<RedisSettings>;
  try {
    settings = loadRedisSettings(io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    say(`atlas-restore: ${err.message}`);
    return 1;
  }
  const logger = createLogger({ level: settings.logLevel, secrets: secretsOf(settings), destination: io.stderr });
  const where = describeRedis(settings.redis);
  let client;
  try {
    // One attempt and a bounded answer per command: an export is a few reads, not a service that must outlive outages.
    client = createRedisClient(settings.redis, 'probe');
    client.on('error', () => undefined); // connectRedis explains a failed connection; later errors reject the read
    await connectRedis(client);
  } catch (err) {
    client?.disconnect();
    if (!(err instanceof RedisSetupError)) throw err;
    say(`atlas-restore audit: cannot connect to Redis (${where}): ${err.message}`);
    return 1;
  }
  const onStdoutError = (err: unknown) => logger.debug({ err }, 'stdout closed');
  io.stdout.on('error', onStdoutError);
  try {
    // The prefix the bot itself runs with, including its rule for the old default (redis/key-prefix.ts).
    const { prefix, check } = await resolveKeyPrefix(client, settings);
    if (check.level === 'warn') logger.warn({ redisCheck: check.text }, check.text);
    const key = storeKeys(prefix).audit;
    const records = await exportAudit({ redis: client, key, since: parsed.args.since, format: parsed.args.format, write: writerTo(io.stdout) });
    logger.info({ records, key, since: parsed.args.since?.toISOString(), format: parsed.args.format }, `audit: ${records} record(s) exported`);
    return 0;
  } catch (err) {
    if (isBrokenPipe(err)) return 0;
    say(`atlas-restore audit: reading the audit stream from ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    io.stdout.off('error', onStdoutError);
    client.disconnect();
  }
}
