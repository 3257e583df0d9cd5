// Server side of RFC 7616 HTTP Digest (MD5, qop=auth) as Atlas speaks it. Strict on purpose: the client
// wrapper must get nc, nonce refresh and the request-uri right, or these checks fail loudly.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const DIGEST_REALM = 'MMS Public API';

export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; stale: boolean; reason: string };

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** Parses `Digest k=v, k="v", …` into a lower-cased-key map; undefined if it is not a Digest header. */
export function parseDigestHeader(header: string): Record<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(m[1]!)) !== null) {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
  }
  return params;
}

interface NonceState {
  issuedAt: number;
  usedNc: Set<number>;
}

export class DigestVerifier {
  private readonly nonces = new Map<string, NonceState>();

  constructor(
    private readonly credentials: { username: string; password: string },
    private readonly nonceTtlMs: number,
    private readonly now: () => number,
  ) {}

  /** Issues a fresh nonce and returns the WWW-Authenticate value Atlas sends. */
  challenge(stale: boolean): string {
    if (this.nonces.size > 10_000) this.pruneOlderThan(2 * this.nonceTtlMs); // keeps a long demo run bounded
    // REALITY.digestNonce: 32 characters of standard base64, so `+` and `/` occur (the client must not mind).
    const nonce = randomBytes(24).toString('base64');
    this.nonces.set(nonce, { issuedAt: this.now(), usedNc: new Set() });
    return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
  }

  private pruneOlderThan(ageMs: number): void {
    const cutoff = this.now() - ageMs;
    for (const [nonce, state] of this.nonces) if (state.issuedAt < cutoff) this.nonces.delete(nonce);
  }

  /** Checks an Authorization header for `method` on `requestTarget` (path + query, exactly as received). */
  verify(method: string, requestTarget: string, header: string): DigestVerdict {
    const p = parseDigestHeader(header);
    if (!p) return { ok: false, stale: false, reason: 'not a Digest authorization header' };
    for (const k of ['username', 'realm', 'nonce', 'uri', 'response', 'qop', 'nc', 'cnonce']) {
      if (!p[k]) return { ok: false, stale: false, reason: `missing ${k}` };
    }
    if (p['realm'] !== DIGEST_REALM) return { ok: false, stale: false, reason: 'wrong realm' };
    if (p['algorithm'] && p['algorithm'].toUpperCase() !== 'MD5') return { ok: false, stale: false, reason: 'unsupported algorithm' };
    if (p['qop'] !== 'auth') return { ok: false, stale: false, reason: 'qop must be auth' };
    if (p['username'] !== this.credentials.username) return { ok: false, stale: false, reason: 'unknown username' };
    const state = this.nonces.get(p['nonce']!);
    if (!state) return { ok: false, stale: false, reason: 'unknown nonce' };
    if (!/^[0-9a-fA-F]{8}$/.test(p['nc']!)) return { ok: false, stale: false, reason: 'nc must be 8 hex digits' };
    const nc = parseInt(p['nc']!, 16);
    if (nc === 0) return { ok: false, stale: false, reason: 'nc must start at 00000001' };
    if (p['uri'] !== requestTarget) return { ok: false, stale: false, reason: `uri ${p['uri']} does not match request target ${requestTarget}` };

    const ha1 = md5(`${this.credentials.username}:${DIGEST_REALM}:${this.credentials.password}`);
    const ha2 = md5(`${method}:${p['uri']}`);
    const expected = md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:${p['qop']}:${ha2}`);
    const given = Buffer.from(p['response']!.toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      return { ok: false, stale: false, reason: 'wrong response (bad password or hashed fields)' };
    }
    // Only a correctly signed request can be stale: RFC 7616 §3.3 says stale=true means "credentials fine, nonce old".
    if (this.now() - state.issuedAt > this.nonceTtlMs) {
      this.nonces.delete(p['nonce']!);
      return { ok: false, stale: true, reason: 'nonce expired' };
    }
    if (state.usedNc.has(nc)) return { ok: false, stale: false, reason: `replayed nc ${p['nc']} for this nonce` };
    state.usedNc.add(nc);
    return { ok: true, username: p['username']! };
  }
}
