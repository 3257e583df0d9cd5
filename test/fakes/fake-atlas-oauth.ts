// Service-account side of Atlas auth: OAuth 2.0 client credentials (RFC 6749 §4.4) and bearer checks.
import { randomBytes } from 'node:crypto';

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class TokenIssuer {
  private readonly tokens = new Map<string, number>(); // token → expiry (ms)

  /** Every issued token stops working (the service account's secret was rotated): clients must fetch a new one. */
  revokeAll(): void {
    this.tokens.clear();
  }

  constructor(
    private readonly client: { id: string; secret: string },
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** Answers POST /api/oauth/token. Errors use the RFC 6749 §5.2 JSON shape, as an OAuth server does. */
  issue(authorization: string | undefined, contentType: string | undefined, rawBody: string): TokenAnswer {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const id = decoded.slice(0, sep);
    const secret = decoded.slice(sep + 1);
    if (!basic || sep < 0 || id !== this.client.id || secret !== this.client.secret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
    }
    if (!(contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded.' } };
    }
    const grant = new URLSearchParams(rawBody).get('grant_type');
    if (grant !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `grant_type ${grant ?? '(missing)'} is not supported.` } };
    }
    const token = `eyJfake.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, this.now() + this.ttlSeconds * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds } };
  }

  /** 'ok', 'expired' or 'unknown' for the token in a `Bearer …` header. */
  check(authorization: string): 'ok' | 'expired' | 'unknown' {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const expiry = m ? this.tokens.get(m[1]!) : undefined;
    if (expiry === undefined) return 'unknown';
    return this.now() < expiry ? 'ok' : 'expired';
  }
}
