// HTTP Digest (RFC 7616) made safe for concurrent use on top of digest-fetch.
// digest-fetch's DigestClient computes the header correctly, but as a fetch wrapper it (1) never resets `nc`
// for a new nonce, (2) lets concurrent calls read the same `nc` (it increments after the await) and
// (3) writes Authorization into the caller's headers object. So we use it only to parse challenges and hash:
// `nc` is allocated here, synchronously, right before the synchronous addAuth(), and addAuth() only ever sees
// a fresh options object of ours. The HTTP request itself is sent by the transport.
import DigestClient from 'digest-fetch';

export interface DigestAuthorization {
  header: string;
  nonce: string;
  nc: number;
}

interface ActiveChallenge {
  client: DigestClient;
  nonce: string;
}

/** Nonces remembered with their next nc, so a nonce the server hands out again never restarts at 1. */
const REMEMBERED_NONCES = 64;

export class DigestSession {
  private active: ActiveChallenge | undefined;
  private readonly nextNcByNonce = new Map<string, number>();

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  hasChallenge(): boolean {
    return this.active !== undefined;
  }

  /**
   * Adopts the challenge of a 401 answer. Returns false when the header is not a usable Digest challenge.
   * A new nonce starts at nc=1; a nonce seen before continues where it was.
   */
  acceptChallenge(wwwAuthenticate: string | null | undefined): boolean {
    if (!wwwAuthenticate || !/^\s*digest\s/i.test(wwwAuthenticate)) return false;
    const algorithm = DigestClient.parse(wwwAuthenticate, 'algorithm') ?? 'MD5';
    const client = new DigestClient(this.username, this.password, { algorithm });
    client.parseAuth(wwwAuthenticate);
    const nonce = String((client.digest as { nonce?: string }).nonce ?? '');
    if (!client.hasAuth || nonce === '') return false;
    if (!this.nextNcByNonce.has(nonce)) {
      this.nextNcByNonce.set(nonce, 1);
      if (this.nextNcByNonce.size > REMEMBERED_NONCES) {
        const oldest = this.nextNcByNonce.keys().next().value;
        if (oldest !== undefined && oldest !== nonce) this.nextNcByNonce.delete(oldest);
      }
    }
    this.active = { client, nonce };
    return true;
  }

  /** Forgets the cached challenge (e.g. after the server refused credentials computed from it). */
  clear(): void {
    this.active = undefined;
  }

  /**
   * The Authorization header for one request, or undefined when no challenge is cached yet.
   * Synchronous on purpose: nc allocation and hashing cannot interleave with another request.
   */
  authorize(method: string, url: string): DigestAuthorization | undefined {
    const active = this.active;
    if (!active) return undefined;
    const nc = this.nextNcByNonce.get(active.nonce) ?? 1;
    this.nextNcByNonce.set(active.nonce, nc + 1);
    return { header: computeDigestHeader(active.client, method, url, nc, active.client.makeNonce()), nonce: active.nonce, nc };
  }
}

/** Runs digest-fetch's hashing with our nc and cnonce, on a throwaway options object. */
export function computeDigestHeader(client: DigestClient, method: string, url: string, nc: number, cnonce: string): string {
  const digest = client.digest as { nc: number | string; cnonce?: string };
  // RFC 7616: nc is 8 hex digits. digest-fetch pads the decimal value ('00000000' + nc).slice(-8), so hand it
  // the hex string: nc 10 becomes 0000000a instead of 00000010 (which a server would read as 16).
  digest.nc = nc.toString(16);
  digest.cnonce = cnonce;
  const options = client.addAuth(url, { method, headers: {} }) as { headers: { Authorization?: string } };
  const header = options.headers.Authorization;
  if (typeof header !== 'string') throw new Error('digest-fetch produced no Authorization header');
  return header;
}

/** For tests and the RFC example: a DigestClient primed with a challenge. */
export function digestClientFor(username: string, password: string, wwwAuthenticate: string): DigestClient {
  const algorithm = DigestClient.parse(wwwAuthenticate, 'algorithm') ?? 'MD5';
  const client = new DigestClient(username, password, { algorithm });
  client.parseAuth(wwwAuthenticate);
  return client;
}
