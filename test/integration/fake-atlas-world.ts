// Shared setup for the fake Atlas tests (fake-atlas-auth.test.ts, fake-atlas-api.test.ts): constants, a
// hand-written Digest signer (node:crypto, so the fake is not checked against itself) and per-test hooks.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import { startFakeAtlas } from '../fakes/fake-atlas.js';
import type { FakeAtlas, FakeAtlasOptions } from '../fakes/fake-atlas.js';

export const G = '5e2211c17a3e5a48f5497de3';
export const G2 = '6f3322d28b4f6b59a6508ef4';
export const V2023 = 'application/vnd.atlas.2023-01-01+json';
export const V2024 = 'application/vnd.atlas.2024-11-13+json';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export function challengeParams(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1]!] = m[2] ?? m[3] ?? '';
  return out;
}

export interface Signed { nonce: string; nc: number; uri?: string; password?: string; username?: string }
export function digestHeader(method: string, uri: string, s: Signed): string {
  const username = s.username ?? 'pubkey';
  const ha1 = md5(`${username}:MMS Public API:${s.password ?? 'privkey-secret'}`);
  const signedUri = s.uri ?? uri;
  const ha2 = md5(`${method}:${signedUri}`);
  const nc = s.nc.toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const response = md5(`${ha1}:${s.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${username}", realm="MMS Public API", nonce="${s.nonce}", uri="${signedUri}", algorithm=MD5, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

export interface CallInit { accept?: string; contentType?: string; body?: unknown; sign?: Partial<Signed> }
export interface CallResult { res: Response; status: number; body: Record<string, unknown> | undefined }

export interface FakeAtlasWorld {
  /** The running fake; replaceable (afterEach closes whatever is current). */
  fake: FakeAtlas;
  /** The fake's clock (ms); tests move it forward. */
  clock: number;
  /** Nonce `call` signs with; '' makes the next `call` fetch a fresh one. */
  currentNonce: string;
  /** Last nc used on `currentNonce`. */
  ncCounter: number;
  /** (Re)starts the fake with the standard clusters. */
  start(opts?: FakeAtlasOptions): Promise<void>;
  /** Gets a fresh nonce from an unauthenticated 401 challenge. */
  nonce(): Promise<string>;
  /** Digest-signed request with a fresh nc on a shared nonce (fetches a nonce on first use). */
  call(method: string, path: string, init?: CallInit): Promise<CallResult>;
  snaps(name?: string, seg?: string, g?: string): string;
  jobs(name?: string, seg?: string, v?: string, g?: string): string;
  dedicatedBody(snapshotId: string, target?: string, group?: string): Record<string, string>;
}

/** Registers the before/after hooks in the calling describe and returns the per-test state. */
export function useFakeAtlas(): FakeAtlasWorld {
  let fake: FakeAtlas;
  let clock: number;
  let ncCounter = 0;
  let currentNonce = '';

  const start = async (opts: FakeAtlasOptions = {}) => {
    await fake?.close();
    fake = await startFakeAtlas({ now: () => clock, ...opts });
    fake.addCluster({ groupId: G, name: 'orders', type: 'dedicated', snapshots: 7 });
    fake.addCluster({ groupId: G, name: 'orders-flex', type: 'flex' });
    fake.addCluster({ groupId: G, name: 'legacy', type: 'serverless' });
    fake.addCluster({ groupId: G2, name: 'staging', type: 'dedicated' });
    fake.addCluster({ groupId: G2, name: 'staging-flex', type: 'flex' });
  };
  beforeEach(async () => {
    clock = Date.parse('2026-03-01T12:00:00Z');
    await start();
  });
  afterEach(async () => {
    await fake.close();
  });

  async function nonce(): Promise<string> {
    const res = await fetch(`${fake.url}/api/atlas/v2/groups/${G}/clusters/orders/backup/snapshots`);
    expect(res.status).toBe(401);
    return challengeParams(res.headers.get('www-authenticate'))['nonce']!;
  }

  async function call(method: string, path: string, init: CallInit = {}): Promise<CallResult> {
    if (!currentNonce || init.sign?.nonce === '') {
      currentNonce = await nonce();
      ncCounter = 0;
    }
    const signed: Signed = { nonce: currentNonce, nc: ++ncCounter, ...init.sign };
    const headers: Record<string, string> = { Authorization: digestHeader(method, path, signed) };
    if (init.accept !== '') headers['Accept'] = init.accept ?? V2023;
    if (init.body !== undefined) headers['Content-Type'] = init.contentType ?? init.accept ?? V2023;
    const res = await fetch(`${fake.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    return { res, status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }
  beforeEach(() => {
    currentNonce = '';
  });

  return {
    get fake() { return fake; },
    set fake(value) { fake = value; },
    get clock() { return clock; },
    set clock(value) { clock = value; },
    get currentNonce() { return currentNonce; },
    set currentNonce(value) { currentNonce = value; },
    get ncCounter() { return ncCounter; },
    set ncCounter(value) { ncCounter = value; },
    start,
    nonce,
    call,
    snaps: (name = 'orders', seg = 'clusters', g = G) => `/api/atlas/v2/groups/${g}/${seg}/${name}/backup/snapshots`,
    jobs: (name = 'orders', seg = 'clusters', v = 'v2', g = G) => `/api/atlas/${v}/groups/${g}/${seg}/${name}/backup/restoreJobs`,
    dedicatedBody: (snapshotId, target = 'staging', group = G2) => ({ deliveryType: 'automated', snapshotId, targetClusterName: target, targetGroupId: group }),
  };
}
