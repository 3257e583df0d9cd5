// OAuth 2.0 client-credentials tokens for Atlas service accounts: cached, refreshed a little before expiry (a failed
// refresh keeps the current token while it is still valid), and fetched once for any number of concurrent callers.
import type { Logger } from 'pino';
import { z } from 'zod';
import { AtlasApiError, errorFromResponse } from './errors.js';
import { requestFailure } from './request-failure.js';
import { parseRetryAfter } from './retry-policy.js';
import { sendHttpRequest, type HttpAnswer } from './send-http-request.js';

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
});

export interface ServiceAccountTokenOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  userAgent: string;
  now: () => number;
  /** Called for every HTTP request to the token endpoint (stats). */
  onRequest?: () => void;
  /** How each token request ended, like every API answer (metrics): its status, or no answer. */
  onAnswer?: (status: number | 'timeout' | 'network', headers?: HttpAnswer['headers']) => void;
  logger?: Logger | undefined;
}

/** Refresh this long before expiry (or at half-life for short-lived tokens). */
const REFRESH_MARGIN_MS = 60_000;
/** Atlas documents one hour; used when expires_in is missing. */
const DEFAULT_LIFETIME_S = 3600;
/** After a failed refresh the current token is still sent until this long before it expires (clock skew, transit). */
const EXPIRY_SKEW_MS = 5_000;

export class ServiceAccountTokens {
  private token: { value: string; refreshAt: number; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  /** The token last kept after a failed refresh: one warning per token, not one per call. */
  private keptAfterFailure: string | undefined;
  /** A refused refresh said when to ask again (Retry-After): until then the current token is used without asking. */
  private refreshNotBefore = 0;

  constructor(private readonly opts: ServiceAccountTokenOptions) {}

  async get(): Promise<string> {
    if (this.token && this.opts.now() < this.token.refreshAt) return this.token.value;
    if (this.token && this.opts.now() < Math.min(this.refreshNotBefore, this.token.expiresAt - EXPIRY_SKEW_MS)) return this.token.value;
    // Concurrent callers share one request; once it has settled, the next call may try again.
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    try {
      return await this.inFlight;
    } catch (error) {
      // The refresh is early so that a token endpoint hiccup costs nothing: the current token still works.
      // Read again: the API may have refused it (invalidate) while the refresh ran.
      const current = this.token;
      const now = this.opts.now();
      // A rate-limited token endpoint is not asked again by every call until it said to.
      if (error instanceof AtlasApiError && error.retryAfterMs !== undefined) this.refreshNotBefore = now + error.retryAfterMs;
      if (!current || now >= current.expiresAt - EXPIRY_SKEW_MS) throw error;
      if (this.keptAfterFailure !== current.value) {
        this.keptAfterFailure = current.value;
        const { errorCode, status } = error instanceof AtlasApiError ? error : { errorCode: undefined, status: undefined };
        this.opts.logger?.warn(
          { errorCode, status, expiresInMs: current.expiresAt - now },
          'could not refresh the Atlas service-account token; the current one is used until it expires',
        );
      }
      return current.value;
    }
  }

  private answered(status: number | 'timeout' | 'network', headers?: HttpAnswer['headers']): void {
    try {
      this.opts.onAnswer?.(status, headers);
    } catch {
      // metrics must never break a request
    }
  }

  /** The API refused this token: drop it (unless a newer one already replaced it). */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const request = 'POST /api/oauth/token';
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64');
    const startedAt = this.opts.now();
    this.opts.onRequest?.();
    let response: HttpAnswer;
    try {
      response = await sendHttpRequest(new URL('/api/oauth/token', this.opts.baseUrl), {
        method: 'POST',
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          'User-Agent': this.opts.userAgent,
        },
        body: 'grant_type=client_credentials',
        timeoutMs: this.opts.timeoutMs,
      });
    } catch (error) {
      // Classified like an API request (a TLS-inspecting proxy, a refused connection), said of the token endpoint.
      const failure = requestFailure(error, request, this.opts.timeoutMs);
      this.answered(failure.errorCode === 'ATLAS_TIMEOUT' ? 'timeout' : 'network');
      throw new AtlasApiError({
        errorCode: failure.errorCode,
        detail: `token endpoint: ${failure.detail ?? failure.errorCode}`,
        request,
        cause: error,
      });
    }
    this.answered(response.status, response.headers);
    const body = safeJson(response.text);
    if (!response.ok) {
      // The same Retry-After as an API answer: a rate-limited token request is retried when Atlas says, not dropped.
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.opts.now(), response.headers.get('date'));
      // OAuth errors look like {error: "invalid_client"}; map them so the 401 hint (bad credentials) applies.
      const oauth = body as { error?: unknown; errorCode?: unknown } | undefined;
      if (oauth && typeof oauth.errorCode !== 'string' && typeof oauth.error === 'string') {
        throw new AtlasApiError({ status: response.status, errorCode: `OAUTH_${oauth.error.toUpperCase()}`, retryAfterMs, request });
      }
      throw errorFromResponse(response.status, body, request, { retryAfterMs, headerErrorCode: response.headers.get('x-error-code') });
    }
    const parsed = TokenResponse.safeParse(body);
    if (!parsed.success) {
      throw new AtlasApiError({
        status: response.status,
        errorCode: 'ATLAS_UNEXPECTED_RESPONSE',
        detail: 'the token endpoint answered without a string `access_token`',
        request,
      });
    }
    const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    // Counted from when the request left: the token can't expire sooner than that.
    const expiresAt = startedAt + lifetimeMs;
    this.token = { value: parsed.data.access_token, refreshAt: expiresAt - margin, expiresAt };
    this.refreshNotBefore = 0;
    return parsed.data.access_token;
  }
}

function safeJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
