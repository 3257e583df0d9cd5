// The recorded Atlas answers served verbatim over HTTP to the real transport (Digest auth, error mapping, the
// rate-limit headers handed to onResponse), so what the unit replay checks on bodies also holds on the wire.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasTransport, type AtlasResponseInfo } from '../../src/atlas/atlas-transport.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { resolveRetryPolicy } from '../../src/atlas/retry-policy.js';
import { loadAtlasRecordings, type Recording } from '../helpers/atlas-recordings.js';
import { ERROR_ANSWERS } from '../unit/atlas/replay-expectations.js';

const recordings = loadAtlasRecordings();
/** Headers a replay must not copy: the server computes them for the body it sends. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'content-encoding']);

let server: Server;
let baseUrl = '';
/** What the server answers next: a recording, optionally with its body replaced. */
let current: { recording: Recording; body?: string } | undefined;

beforeAll(async () => {
  server = createServer((_req, res) => {
    const { recording, body = recording.body } = current!;
    const headers: Record<string, string> = {};
    recording.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) headers[name] = value;
    });
    res.writeHead(recording.status, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function replay(recording: Recording, body?: string): Promise<{ error: unknown; seen: AtlasResponseInfo[] }> {
  current = { recording, body };
  const seen: AtlasResponseInfo[] = [];
  const transport = createAtlasTransport({
    baseUrl,
    auth: { kind: 'digest', publicKey: 'pub', privateKey: 'priv' },
    timeoutMs: 5000,
    retryPolicy: resolveRetryPolicy({ maxAttempts: 1 }),
    userAgent: 'replay-test',
    now: Date.now,
    onResponse: (info) => seen.push(info),
  });
  const error = await transport.send({ method: 'GET', path: recording.path, mediaType: 'application/json' }).then(() => undefined, (e: unknown) => e);
  return { error, seen };
}

const errors = recordings.filter((r) => r.status >= 400);

describe.each(errors.map((r) => [`${r.status} ${r.key}`, r] as const))('%s over HTTP', (_name, r) => {
  it('becomes the expected AtlasApiError, and onResponse gets the rate limit Atlas sent', async () => {
    const { error, seen } = await replay(r);
    expect(error).toBeInstanceOf(AtlasApiError);
    const e = error as AtlasApiError;
    const expected = ERROR_ANSWERS[`${e.status} ${e.errorCode}`];
    expect(expected, `${e.status} ${e.errorCode}`).toBeDefined();
    expect(e.hint).toMatch(expected!.hint);
    const limit = r.headers.get('ratelimit-limit');
    const remaining = r.headers.get('ratelimit-remaining');
    expect(seen.at(-1)).toMatchObject({ status: r.status, rateLimit: { limit: limit === null ? undefined : Number(limit), remaining: remaining === null ? undefined : Number(remaining) } });

    const header = r.headers.get('x-error-code');
    if (header !== null) {
      // The same answer without errorCode in the body: the header alone names it.
      const { errorCode: _dropped, ...body } = r.json as Record<string, unknown>;
      expect((await replay(r, JSON.stringify(body))).error).toMatchObject({ status: r.status, errorCode: header });
    }
  });
});

it('a recorded 401 with a Digest challenge is answered once more with credentials, then reported', async () => {
  const unauthorized = errors.find((r) => r.status === 401 && r.headers.get('www-authenticate') !== null)!;
  const { error, seen } = await replay(unauthorized);
  expect(seen.map((s) => s.status)).toEqual([401, 401]);
  expect((error as AtlasApiError).hint).toMatch(/rejected the bot credentials/);
});
