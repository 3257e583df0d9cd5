// What ioredis puts on its errors reaches the log only without secrets. A refused AUTH (a rotated password) carries
// the command with the user and the password in clear: the logger drops command arguments, and scrubs a configured
// password also where JSON escaped it. A real Redis refuses a real login; nothing is stubbed.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

const base = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

/** The error a login with these credentials gets from the test's Redis (ioredis emits it; the connect then fails). */
async function refusedLogin(user: string, password: string): Promise<Error> {
  const client = new Redis({ host: base.hostname, port: Number(base.port || 6379), username: user, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const emitted = new Promise<Error>((resolve) => client.on('error', resolve));
  try {
    await client.connect().catch(() => undefined);
    return await emitted;
  } finally {
    client.disconnect();
  }
}

function logged(err: Error, secrets: string[]): string {
  const lines: string[] = [];
  createLogger({ secrets, destination: { write: (l: string) => void lines.push(l) } }).error({ err }, 'tracker worker error');
  return lines.join('');
}

describe('Redis errors in the log', () => {
  it('never show the password of a refused login, even one JSON has to escape', async () => {
    const password = 'rot"ated\\pass-42';
    const err = await refusedLogin('test-nobody', password);
    expect(err.message).toMatch(/WRONGPASS|NOAUTH|invalid username-password/i);
    expect(JSON.stringify((err as { command?: unknown }).command ?? null)).toContain('ated');
    for (const secrets of [[], [password]]) {
      const line = logged(err, secrets);
      expect(line).not.toContain('ated');
      expect(line).toContain('WRONGPASS');
      expect(line).toContain('"name":"auth"');
    }
  });
});
